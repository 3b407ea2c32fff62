/**
 * Switchyard's own events on EventBridge, source `switchyard`, with the release id in every
 * detail. Detail types (EventDetailType in the ports):
 *
 * - `Release Started`, `Release Monitoring` (`endsAt`, `regions`), `Release Succeeded`, `Release Failed`, `Release Rolled Back`, `Release Refused`
 * - `Release Queued` (`position`, `behind`, an emergency's `emergency` reason and `preempts`),
 *   `Release Cancelled` (`actor`), `Release Preempted` (on the preempted release: `by`, `reason`, `actor`)
 * - `Approval Needed` (a parked approval: `approval`, `region`, `service`, `stepIndex`, `reason`)
 * - `Service Rollout Step`, `Service Rollout Completed`, `Service Rollout Failed`
 * - `Rollback Started`, `Rollback Completed`
 * - `Failover Started`, `Failover Completed`, `Failover Failed`, `Failback Completed`
 *
 * A rule matches them with `{ "source": ["switchyard"], "detail-type": ["Release Failed"] }`.
 */
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { TransientAwsError } from '../../core/errors';
import type { Events, SwitchyardEvent } from '../../ports/index';
import { callAws } from './errors';

export const EVENTS_IAM_ACTIONS = ['events:PutEvents'] as const;

export const EVENT_SOURCE = 'switchyard';
/** PutEvents takes at most 10 entries per call. */
const ENTRIES_PER_CALL = 10;

export interface EventBridgeEventsOptions {
  /** The bus name or ARN. */
  eventBusName: string;
  /** Pause before the one retry of failed entries. */
  retryDelayMs?: number;
}

export class EventBridgeEvents implements Events {
  private readonly eventBusName: string;
  private readonly retryDelayMs: number;

  constructor(
    private readonly eventBridge: EventBridgeClient,
    options: EventBridgeEventsOptions,
  ) {
    this.eventBusName = options.eventBusName;
    this.retryDelayMs = options.retryDelayMs ?? 200;
  }

  async publish(events: readonly SwitchyardEvent[]): Promise<void> {
    const entries = events.map((event) => this.entryOf(event));
    for (let index = 0; index < entries.length; index += ENTRIES_PER_CALL) {
      await this.put(entries.slice(index, index + ENTRIES_PER_CALL));
    }
  }

  private entryOf(event: SwitchyardEvent): PutEventsRequestEntry {
    return {
      Source: EVENT_SOURCE,
      DetailType: event.detailType,
      // releaseId last: the event's own id wins over a stray field of the same name.
      Detail: JSON.stringify({ ...event.detail, releaseId: event.releaseId }),
      EventBusName: this.eventBusName,
    };
  }

  /** Puts one chunk; entries the service failed are put once more, then reported. */
  private async put(entries: PutEventsRequestEntry[]): Promise<void> {
    let failed = await this.putOnce(entries);
    if (failed.length === 0) return;
    if (this.retryDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
    failed = await this.putOnce(failed.map(({ entry }) => entry));
    if (failed.length === 0) return;
    const reasons = failed.map(
      ({ entry, errorCode, errorMessage }) => `${entry.DetailType}: ${errorCode} ${errorMessage}`,
    );
    throw new TransientAwsError(
      `EventBridge rejected ${failed.length} event(s) twice: ${reasons.join('; ')}`,
      failed[0]?.errorCode ?? 'PutEventsFailed',
    );
  }

  private async putOnce(
    entries: PutEventsRequestEntry[],
  ): Promise<Array<{ entry: PutEventsRequestEntry; errorCode: string; errorMessage: string }>> {
    const { FailedEntryCount, Entries } = await callAws(
      this.eventBridge.send(new PutEventsCommand({ Entries: entries })),
    );
    if (!FailedEntryCount) return [];
    // Results come back in the order of the request's entries.
    return entries.flatMap((entry, index) => {
      const result = Entries?.[index];
      return result?.ErrorCode === undefined
        ? []
        : [{ entry, errorCode: result.ErrorCode, errorMessage: result.ErrorMessage ?? '' }];
    });
  }
}
