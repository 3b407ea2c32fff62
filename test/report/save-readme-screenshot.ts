/**
 * Saves the README's picture of the report: `npx tsx test/report/save-readme-screenshot.ts
 * <release.json> [docs/report.png]`. The page is rendered by the same headless Chromium as the
 * browser test, 1400 px wide, from the top down to the end of the timeline.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { writeReport } from '../../bin/cli/report-command';
import { parseReportInput } from '../../rehearsal/report/input';
import { chromiumPath } from './chromium';

const [inputPath, outPath = 'docs/report.png'] = process.argv.slice(2);
if (!inputPath) throw new Error('usage: save-readme-screenshot.ts <release.json> [docs/report.png]');
const parsed = parseReportInput(JSON.parse(readFileSync(inputPath, 'utf8')));
if (!parsed.ok) throw new Error(parsed.problems.join('\n'));

const directory = mkdtempSync(join(tmpdir(), 'switchyard-readme-'));
const page = join(directory, 'report.html');
await writeReport(parsed.input, page);
const browser = await chromium.launch({
  executablePath: chromiumPath(),
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const tab = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await tab.goto(pathToFileURL(page).href);
  const timeline = await tab.locator('section:has(svg.timeline)').boundingBox();
  const height = timeline ? Math.ceil(timeline.y + timeline.height + 24) : 1600;
  await tab.screenshot({ path: outPath, fullPage: true, clip: { x: 0, y: 0, width: 1400, height } });
  console.log(`saved ${outPath} (1400×${height})`);
} finally {
  await browser.close();
  rmSync(directory, { recursive: true, force: true });
}
