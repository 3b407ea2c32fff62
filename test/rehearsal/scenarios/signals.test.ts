/**
 * What analysis reads, as CloudWatch publishes it: the real CloudWatch adapter against the
 * simulated CloudWatch, whose datapoints follow the ALB's reporting rules.
 *
 * - Errors the load balancer sees (connections a target refuses) count as canary errors, though
 *   the target itself answers nothing: HTTPCode_Target_5XX_Count stays 0, TargetConnectionErrorCount
 *   rises, and so does UnHealthyHostCount.
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 * - ALB metrics come in 60-second periods, published after a delay: an analysis judges whole
 *   minutes from the first one after its traffic shift, and waits until they are published.
 */
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { loadBalancerDimension, targetGroupDimension } from '../../../lambdas/adapters/aws/alb-dimensions';
import { submitRelease } from '../../../lambdas/app/submit-release';
import type { AuditEntry } from '../../../lambdas/ports';
import { REHEARSAL_EPOCH } from '../../../rehearsal/rehearse';
import { expectRolledBack, fixturePlatform, rehearseFixtureOnce } from '../fixtures/rehearsal';

const analysesOf = <Entry extends { action: string; service?: string }>(
  audit: readonly Entry[],
  service: string,
): Entry[] => audit.filter((entry) => entry.service === service && entry.action.startsWith('analysis.'));

describe('errors the load balancer sees count as canary errors', () => {
  it('a canary whose pods refuse connections from its second step is rolled back, though it answers no 5xx itself', async () => {
    const platform = await fixturePlatform('canary', {
      faults: 'faults: [{ type: crashingVersion, service: auth, region: us-east-1, from: { step: 2 } }]',
    });
    await platform.scheduler.track(submitRelease(platform.ports, platform.document, 'test'));
    expect(await platform.runUntilIdle()).toBe('finished');

    const release = await platform.store.getRelease('fixture-canary');
    expect(release?.status, release?.reason).toBe('ROLLED_BACK');
    const audit: AuditEntry[] = await platform.store.listAudit('fixture-canary', { limit: 500 });
    const failed = audit.find((entry) => entry.action === 'service.failed');
    expect(failed).toMatchObject({ service: 'auth', detail: { error: 'AnalysisFailedError' } });
    // The first analysis (at 20 %) passed; the one after the second step failed.
    const analyses = analysesOf(audit, 'auth');
    expect(analyses.map((entry) => entry.action)).toEqual(['analysis.pass', 'analysis.fail']);
    expect(JSON.stringify(analyses[1]!.detail)).toMatch(/canary error rate|unhealthy canary target/);

    // What CloudWatch holds for the canary target group over the window that failed.
    const alb = platform.plan.services.get('auth')!.traffic;
    if (alb.type !== 'alb') throw new Error('auth has ALB traffic in the fixture');
    const traffic = await platform.ports.traffic.resolve({ service: 'auth', region: 'us-east-1', alb });
    const dimensions = [
      { Name: 'TargetGroup', Value: targetGroupDimension(traffic.canaryTargetGroupArn) },
      { Name: 'LoadBalancer', Value: loadBalancerDimension(traffic.loadBalancerArn) },
    ];
    const query = (id: string, metricName: string, stat: string) => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: 'AWS/ApplicationELB', MetricName: metricName, Dimensions: dimensions },
        Period: 60,
        Stat: stat,
      },
    });
    const window = (analyses[1]!.detail as { window: { from: string; to: string } }).window;
    const answer = await platform.fleet.cloudWatch('us-east-1').send(
      new GetMetricDataCommand({
        StartTime: new Date(window.from),
        EndTime: new Date(window.to),
        MetricDataQueries: [
          query('target5xx', 'HTTPCode_Target_5XX_Count', 'Sum'),
          query('connection', 'TargetConnectionErrorCount', 'Sum'),
          query('unhealthy', 'UnHealthyHostCount', 'Maximum'),
        ],
      }),
    );
    const sum = (id: string) =>
      (answer.MetricDataResults?.find((result) => result.Id === id)?.Values ?? []).reduce(
        (total, value) => total + value,
        0,
      );
    const max = (id: string) =>
      Math.max(0, ...(answer.MetricDataResults?.find((result) => result.Id === id)?.Values ?? []));
    // The crashed canary answered nothing: no target 5xx datapoint at all, every request refused.
    expect(sum('target5xx')).toBe(0);
    expect(sum('connection')).toBeGreaterThanOrEqual(10);
    expect(max('unhealthy')).toBe(1);
  });
});

describe('analysis reads only complete, published periods', () => {
  // auth's first traffic step (20 %) is shifted at about +13 s; its 2-minute analysis judges the
  // whole minutes after it. The degradation begins in the last of them.
  const faults =
    'faults: [{ type: degradedVersion, service: auth, errorRatePercent: 20, from: { at: 150s } }]';

  it('a degradation that begins in the last minute of a window is judged by that window', async () => {
    const result = await rehearseFixtureOnce('canary', { faults });

    expectRolledBack(result);
    const analyses = analysesOf(result.audit, 'auth');
    expect(analyses.map((entry) => entry.action)).toEqual(['analysis.fail']);
    const window = (analyses[0]!.detail as { window: { from: string; to: string } }).window;
    const lastMinute = new Date(window.to).getTime() - 60_000;
    const degraded = REHEARSAL_EPOCH.getTime() + 150_000;
    expect(degraded).toBeGreaterThanOrEqual(lastMinute);
    expect(degraded).toBeLessThan(new Date(window.to).getTime());
  });

  it('judges whole minutes from the first one after the shift, once they are published', async () => {
    const result = await rehearseFixtureOnce('canary', { faults });

    const shifted = result.audit.find(
      (entry) => entry.action === 'traffic.shifted' && entry.service === 'auth',
    );
    const [analysis] = analysesOf(result.audit, 'auth');
    const { window, intervals } = analysis!.detail as {
      window: { from: string; to: string };
      intervals: number;
    };
    const from = new Date(window.from).getTime();
    const to = new Date(window.to).getTime();
    expect(from % 60_000).toBe(0);
    expect(from).toBeGreaterThanOrEqual(new Date(shifted!.at).getTime());
    expect(from - new Date(shifted!.at).getTime()).toBeLessThan(60_000);
    // The plan's 2-minute duration, judged minute by minute, every period of it published: the
    // simulated CloudWatch publishes a minute one to two minutes after it ends.
    expect(to - from).toBe(120_000);
    expect(intervals).toBe(2);
    expect(new Date(analysis!.at).getTime() - to).toBeGreaterThanOrEqual(120_000);
  });
});
