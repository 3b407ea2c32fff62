/**
 * The abort alarm Switchyard makes for each canary (issue 15): which canaries get one, and the
 * limits it alarms on. The alarm itself is made through the AbortAlarms port.
 */
import { abortAlarmName } from './naming';
import type { ResolvedService } from './plan/resolve';

/** The plan's abort limits of a canary: from its compare check. */
export interface AbortLimits {
  errorRatePercent?: number;
  p95LatencyMs?: number;
}

/**
 * The abort limits of a canary service, or undefined when it gets no alarm: not a canary, no
 * compare check with an abort limit, or the check says `abortAlarm: false`.
 */
export function abortLimits(service: ResolvedService): AbortLimits | undefined {
  if (service.strategy.type !== 'canary') return undefined;
  for (const check of service.analysis?.checks ?? []) {
    if (check.type !== 'compare' || check.abortAlarm === false) continue;
    const { abortErrorRatePercent, abortP95LatencyMs } = check;
    if (abortErrorRatePercent === undefined && abortP95LatencyMs === undefined) continue;
    return {
      ...(abortErrorRatePercent !== undefined && { errorRatePercent: abortErrorRatePercent }),
      ...(abortP95LatencyMs !== undefined && { p95LatencyMs: abortP95LatencyMs }),
    };
  }
  return undefined;
}

/** The canary an abort alarm is for: its release, region and service. */
export interface AbortAlarmSubject {
  releaseId: string;
  region: string;
  service: string;
}

/** What precedes the subject in an abort alarm's description. */
const SUBJECT_MARK = 'Subject: ';

/**
 * An abort alarm's description: a sentence for people, then its subject as JSON. CloudWatch
 * sends the description in every state change event (`detail.configuration.description`,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html),
 * so the alarm path knows the canary without a lookup or parsing a (possibly hashed) name.
 */
export function abortAlarmDescription(subject: AbortAlarmSubject): string {
  const { releaseId, region, service } = subject;
  return `Switchyard: rolls release ${releaseId} back when ${service}'s canary in ${region} passes its abort limits. Made and deleted by Switchyard. ${SUBJECT_MARK}${JSON.stringify({ releaseId, region, service })}`;
}

/**
 * The subject an alarm's description claims, only when the alarm's name is the one Switchyard
 * gives that subject's abort alarm: any other alarm (a user's, or one whose description lies
 * about its name) names no canary. Whether the release watches the alarm is the caller's check.
 */
export function abortAlarmSubject(
  alarmName: string,
  description: string | undefined,
): AbortAlarmSubject | undefined {
  const at = description?.lastIndexOf(SUBJECT_MARK) ?? -1;
  if (description === undefined || at < 0) return undefined;
  let claimed: unknown;
  try {
    claimed = JSON.parse(description.slice(at + SUBJECT_MARK.length));
  } catch {
    return undefined;
  }
  if (typeof claimed !== 'object' || claimed === null) return undefined;
  const { releaseId, region, service } = claimed as Record<string, unknown>;
  if (typeof releaseId !== 'string' || typeof region !== 'string' || typeof service !== 'string')
    return undefined;
  return abortAlarmName(releaseId, region, service) === alarmName
    ? { releaseId, region, service }
    : undefined;
}
