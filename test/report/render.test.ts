import { describe, expect, it } from 'vitest';
import { formatOffset, formatSpan, timeTicks } from '../../rehearsal/report/format';
import { escapeHtml, html } from '../../rehearsal/report/html';
import type { ReportInput } from '../../rehearsal/report/input';
import { renderReport } from '../../rehearsal/report/render';
import { loadFixture, serviceRegions } from './fixtures';

const HOSTILE_SERVICE = '<img src=x onerror=alert(1)>';
const HOSTILE_REGION = 'eu-west-1"><svg onload=alert(2)>';

/** The successful fixture with hostile text in every kind of field the report shows. */
function hostileResult(): ReportInput {
  const result = loadFixture('succeeded');
  const rename = (value: string | undefined, from: string, to: string) => (value === from ? to : value);
  result.releaseId = '"><script>alert("id")</script>';
  result.reason = '</style><script>alert("reason")</script>';
  result.regions = Object.fromEntries(
    Object.entries(result.regions).map(([region, services]) => [
      rename(region, 'eu-west-1', HOSTILE_REGION)!,
      Object.fromEntries(
        Object.entries(services).map(([service, state]) => [
          rename(service, 'auth', HOSTILE_SERVICE)!,
          state,
        ]),
      ),
    ]),
  );
  result.audit = result.audit.map((entry) => ({
    ...entry,
    ...(entry.region && { region: rename(entry.region, 'eu-west-1', HOSTILE_REGION) }),
    ...(entry.service && { service: rename(entry.service, 'auth', HOSTILE_SERVICE) }),
    ...(entry.action.startsWith('analysis.') && {
      detail: {
        ...entry.detail,
        reason: '<b>bold</b> & <i>wrong</i>',
        details: ['<script>alert(3)</script>'],
      },
    }),
  }));
  return result;
}

describe('renderReport', () => {
  it('escapes every piece of text taken from the result', () => {
    const page = renderReport(hostileResult());
    // Only the report's own script element; no element or attribute injected by the input.
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<svg onload');
    expect(page).not.toContain('<b>bold');
    expect(page).not.toMatch(/<\/style><script/);
    expect(page).toContain(escapeHtml(HOSTILE_SERVICE));
    expect(page).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;wrong&lt;/i&gt;');
    expect(page).toContain(`data-region="${escapeHtml(HOSTILE_REGION)}"`);
  });

  it('says how each second release ended: refused at the door, or the status it ran to', () => {
    const result = loadFixture('succeeded');
    result.secondReleases = [
      {
        releaseId: 'hotfix-1',
        atSeconds: 120,
        outcome: 'refused',
        message: 'the lock is held',
        status: 'REFUSED',
        refusedBy: 'lock',
      },
      {
        releaseId: 'next-day-1',
        atSeconds: 72_000,
        outcome: 'started',
        message: 'started',
        status: 'ROLLED_BACK',
        reason: 'auth failed its analysis',
      },
    ];
    const page = renderReport(result);
    expect(page).toContain('<code>hotfix-1</code>, was refused: the lock is held');
    expect(page).toContain(
      '<code>next-day-1</code>, started and ended ROLLED BACK: auth failed its analysis',
    );
  });

  it('shows every service-region, started or not', () => {
    for (const name of ['succeeded', 'rolled-back'] as const) {
      const result = loadFixture(name);
      const page = renderReport(result);
      for (const { region, service } of serviceRegions(result)) {
        expect(page, `${service} in ${region}`).toContain(
          `data-region="${region}" data-service="${service}"`,
        );
      }
    }
  });

  it('has a rollback section only when there was a rollback', () => {
    const rolledBack = renderReport(loadFixture('rolled-back'));
    expect(rolledBack).toContain('id="rollback"');
    expect(rolledBack).toContain('Analysis failed for auth in eu-west-1');
    expect(rolledBack).toContain('workloads restored from their snapshots');

    const succeeded = renderReport(loadFixture('succeeded'));
    expect(succeeded).not.toContain('id="rollback"');
    expect(succeeded).not.toContain('<rect class="rollback-bar" x=');
  });

  it('has a failover section only when regions were failed over: DNS weights and replicas over time', () => {
    expect(renderReport(loadFixture('succeeded'))).not.toContain('id="failover-title"');
    const page = renderReport(loadFixture('region-failover'));
    expect(page).toContain('id="failover-title"');
    for (const setIdentifier of ['use1', 'usw2']) {
      expect(page).toContain(`<g data-set-identifier="${setIdentifier}">`);
    }
    for (const service of ['auth', 'web', 'worker']) {
      expect(page).toContain(
        `<g data-region="us-east-1" data-service="${service}"><title>${service} replicas in us-east-1: T+0:00:00 2, T+0:23:00 3, T+0:40:30 2</title>`,
      );
    }
    // The single writer is named as left alone, and never charted.
    expect(page).toContain('<li>store in us-east-1: strategy recreate</li>');
    expect(page).not.toContain('data-service="store"><title>store replicas');
    expect(page).toContain('use1 100, usw2 50 → use1 150, usw2 0');
  });

  it('escapes what a failover brings in', () => {
    const result = loadFixture('region-failover');
    result.failovers = [
      {
        direction: 'failover',
        region: 'us-west-2',
        atSeconds: 60,
        status: 'REFUSED',
        reason: '<script>alert("reason")</script>',
      },
      {
        ...result.failovers![0]!,
        dnsWeightsBefore: { '"><svg onload=alert(1)>': 1 },
        dnsWeightsAfter: { '"><svg onload=alert(1)>': 0 },
      },
    ];
    const page = renderReport(result);
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).not.toContain('<svg onload');
    expect(page).toContain('&lt;script&gt;alert(&quot;reason&quot;)&lt;/script&gt;');
  });

  it('shows the status, its reason and the verdicts', () => {
    const page = renderReport(loadFixture('rolled-back'));
    expect(page).toContain('<span class="status ROLLED_BACK" data-status="ROLLED_BACK">ROLLED BACK</span>');
    expect(page).toContain('auth in eu-west-1 failed analysis at step 1');
    expect(page).toContain('auth in eu-west-1: analysis 1 fail');
    expect(page).toContain('canary error rate 2.23 % vs stable 0.17 %');
  });

  it('escapes what the fault file and the alarms bring in', () => {
    const result = loadFixture('region-outage');
    result.faults = {
      description: '<script>alert("description")</script>',
      windows: [
        { type: 'regionOutage', label: '<img src=x onerror=alert(1)>', region: 'us-west-2', fromSeconds: 60 },
      ],
      injected: [{ atSeconds: 70, operation: 'traffic.setWeights', error: '<b>Throttling</b>' }],
    };
    const page = renderReport(result);
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>Throttling');
    expect(page).toContain('&lt;script&gt;alert(&quot;description&quot;)&lt;/script&gt;');
  });

  it('draws each analysis that read periods, with its allowed line, and names commands rather than routes', () => {
    const page = renderReport(loadFixture('rolled-back'));
    expect(page).toContain('data-service="auth" data-ordinal="1" data-verdict="fail"');
    expect(page).toMatch(/<path class="threshold" d="M[\d.]+ [\d.]+H/);
    expect(page).toContain('abort 5 %');
    const lost = renderReport(loadFixture('region-outage'));
    expect(lost).toContain('<code>switchyard rollback fixture-two-regions</code>');
    expect(lost).not.toMatch(/POST \/|\/releases\//);
  });

  it('is self-contained: nothing it would load from elsewhere', () => {
    const page = renderReport(loadFixture('rolled-back'));
    expect(page).not.toMatch(/\s(?:src|href)\s*=/i);
    expect(page).not.toMatch(/@import|url\(\s*['"]?(?:https?:|\/\/)/i);
    expect(page).not.toContain('<link');
  });

  it('is a pure function of the result', () => {
    const result = loadFixture('rolled-back');
    expect(renderReport(result)).toBe(renderReport(structuredClone(result)));
  });
});

describe('html', () => {
  it('escapes interpolated text and arrays, and inserts its own markup as is', () => {
    const items = ['a<b', 'c&d'];
    const inner = html`<em>${'"quoted"'}</em>`;
    expect(
      html`<p title="${"it's"}">${items.map((item) => html`<i>${item}</i>`)}${inner}${null}${false}${7}</p>`
        .markup,
    ).toBe('<p title="it&#39;s"><i>a&lt;b</i><i>c&amp;d</i><em>&quot;quoted&quot;</em>7</p>');
  });
});

describe('time formatting', () => {
  it('reads durations and offsets at the scale they are', () => {
    expect(formatSpan(25.745)).toBe('25.7s');
    expect(formatSpan(660)).toBe('11m 00s');
    expect(formatSpan(33_819.7)).toBe('9h 23m');
    expect(formatOffset(33_819.7)).toBe('T+9:23:39');
  });

  it('puts round-numbered ticks across the whole span', () => {
    expect(timeTicks(685)).toEqual([0, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 660]);
    const long = timeTicks(33_820);
    expect(long[1]).toBe(3600);
    expect(long.at(-1)).toBeGreaterThanOrEqual(32_400);
    expect(long.length).toBeLessThanOrEqual(12);
  });
});
