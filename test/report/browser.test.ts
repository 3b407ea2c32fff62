/**
 * The report as a person sees it: rendered by headless Chromium (Debian's, driven by
 * playwright-core) from file://, with no network.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../bin/cli/report-command';
import { chromiumPath } from './chromium';
import { loadFixture, serviceRegions } from './fixtures';
import { decodePng } from './png';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-report-browser-'));
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  rmSync(directory, { recursive: true, force: true });
});

async function open(name: 'succeeded' | 'rolled-back' | 'region-outage') {
  const result = loadFixture(name);
  const path = join(directory, `${name}.html`);
  await writeReport(result, path);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  return { result, page, requests, errors };
}

function pixelStats(png: Buffer) {
  const { width, height, rgb } = decodePng(png);
  let ink = 0;
  const counts = new Map<number, number>();
  for (let index = 0; index < rgb.length; index += 3) {
    const [r, g, b] = [rgb[index]!, rgb[index + 1]!, rgb[index + 2]!];
    if (r < 235 || g < 235 || b < 235) ink++;
    const colour = (r << 16) | (g << 8) | b;
    counts.set(colour, (counts.get(colour) ?? 0) + 1);
  }
  return {
    width,
    height,
    inkShare: ink / (width * height),
    colours: counts.size,
    count: (hex: number) => counts.get(hex) ?? 0,
  };
}

describe('the report in Chromium', () => {
  it('renders a rolled-back release: not blank, every service-region and the status on the page', async () => {
    const { result, page, requests, errors } = await open('rolled-back');
    // The first screen: the header, the rollback and the waves.
    const stats = pixelStats(await page.screenshot());
    expect(stats.width).toBe(1400);
    expect(stats.inkShare).toBeGreaterThan(0.02);
    expect(stats.colours).toBeGreaterThan(50);
    // The status badge and the rolled-back bars are painted in the rolled-back colour.
    expect(stats.count(0xc77c00)).toBeGreaterThan(300);

    await expect(page.locator('h1').textContent()).resolves.toBe(result.releaseId);
    await expect(page.locator('[data-status]').textContent()).resolves.toBe('ROLLED BACK');
    for (const { region, service } of serviceRegions(result)) {
      const marks = page.locator(`.timeline [data-region="${region}"][data-service="${service}"]`);
      await expect(marks.count(), `${service} in ${region}`).resolves.toBe(1);
      await expect(marks.first().textContent()).resolves.toContain(service);
    }
    await expect(page.locator('#rollback').isVisible()).resolves.toBe(true);
    expect(requests.every((url) => url.startsWith('file:'))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows one time cursor across both charts where the pointer is', async () => {
    const { page, errors } = await open('succeeded');
    await expect(page.locator('#rollback').count()).resolves.toBe(0);
    const timeline = page.locator('svg.timeline');
    const box = (await timeline.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + 60);
    await expect(page.locator('.time-tip').textContent()).resolves.toMatch(/^T\+\d+:\d\d:\d\d$/);
    const cursors = await page
      .locator('svg.time-chart .cursor')
      .evaluateAll((lines) =>
        lines.map((line) => [line.getAttribute('visibility'), line.getAttribute('x1')]),
      );
    expect(cursors).toHaveLength(2);
    expect(cursors.every(([visibility]) => visibility === 'visible')).toBe(true);
    expect(cursors[0]![1]).toBe(cursors[1]![1]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws the failed analysis against its limits: canary, stable, the allowed line and the verdict', async () => {
    const { page, errors } = await open('rolled-back');
    const chart = page.locator(
      'figure.analysis-chart[data-verdict="fail"][data-service="auth"][data-region="eu-west-1"]',
    );
    await expect(chart.count()).resolves.toBe(1);
    await expect(chart.isVisible()).resolves.toBe(true);
    for (const part of ['.series.canary', '.series.stable', '.threshold']) {
      const box = await chart.locator(part).first().boundingBox();
      expect(box, part).not.toBeNull();
      expect(box!.width, part).toBeGreaterThan(100);
    }
    // Both panels (error rate and p95 latency), each with its allowed line; the failed periods stand out.
    await expect(chart.locator('.panel').count()).resolves.toBe(2);
    await expect(chart.locator('.threshold').count()).resolves.toBe(2);
    await expect(chart.locator('.reading.breach').count()).resolves.toBe(3);
    // The fault that degraded the canary is marked in the chart.
    await expect(chart.locator('.incident.fault').count()).resolves.toBe(1);
    await expect(page.locator('#incidents').textContent()).resolves.toContain(
      "auth's canary error rate jumps from its first step in eu-west-1",
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a lost region: the outage on the timeline, unreachable services, and the commands left for a person', async () => {
    const { result, page, requests, errors } = await open('region-outage');
    const outage = page.locator('svg.timeline .outage[data-region="us-west-2"] .outage-band');
    const band = (await outage.boundingBox())!;
    expect(band.width).toBeGreaterThan(20);
    await expect(page.locator('svg.timeline .alarm').count()).resolves.toBeGreaterThan(0);
    const unreachable = page.locator('svg.timeline .lane.unreachable[data-region="us-west-2"]');
    await expect(unreachable.count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('svg.timeline .lane.completed[data-region="us-west-2"]').count()).resolves.toBe(
      0,
    );
    await expect(unreachable.first().textContent()).resolves.toContain('unreachable');
    const commands = await page.locator('#left-for-a-person pre.command').allTextContents();
    expect(commands).toEqual([
      'switchyard failover us-west-2',
      `switchyard rollback ${result.releaseId}`,
      'switchyard failback us-west-2',
      `switchyard status ${result.releaseId}`,
    ]);
    await expect(page.locator('#retries tr.retry[data-recovered="false"]').count()).resolves.toBeGreaterThan(
      0,
    );
    await expect(page.locator('body').textContent()).resolves.not.toMatch(/POST \/|\/releases\//);
    expect(requests.every((url) => url.startsWith('file:'))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
