/**
 * Reading CloudWatch alarms by name: the one DescribeAlarms loop that analysis (alarm states) and
 * preflight (which alarms exist) share. In a module of its own so that preflight's bundle does
 * not carry the rest of the signals adapter (Lambda hooks, probes).
 */
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { AlarmState } from '../../ports/index';
import { callAws } from './errors';
import { pages } from './paging';

/**
 * DescribeAlarms takes at most 100 alarm names per call and returns at most 100 alarms a page.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
 */
const ALARM_NAMES_PER_CALL = 100;

/**
 * The state of each named alarm that exists, metric or composite; a name that is no alarm is
 * simply not in the answer (DescribeAlarms leaves it out rather than failing). Composite alarms
 * are only returned when the caller's cloudwatch:DescribeAlarms is allowed on `*` (same page).
 */
export async function describeAlarmStates(
  client: CloudWatchClient,
  region: string,
  alarmNames: readonly string[],
): Promise<Record<string, AlarmState>> {
  const names = [...new Set(alarmNames)];
  const states: Record<string, AlarmState> = {};
  for (let index = 0; index < names.length; index += ALARM_NAMES_PER_CALL) {
    const chunk = names.slice(index, index + ALARM_NAMES_PER_CALL);
    const listing = pages(
      `DescribeAlarms in ${region}`,
      (nextToken: string | undefined) =>
        callAws(
          client.send(
            new DescribeAlarmsCommand({
              AlarmNames: chunk,
              // Without AlarmTypes only metric alarms are returned.
              AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
              MaxRecords: ALARM_NAMES_PER_CALL,
              NextToken: nextToken,
            }),
          ),
        ),
      (page) => page.NextToken || undefined,
    );
    for await (const page of listing) {
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        if (alarm.AlarmName !== undefined && alarm.StateValue !== undefined) {
          states[alarm.AlarmName] = alarm.StateValue;
        }
      }
    }
  }
  return states;
}
