/**
 * Handlers the rehearsal invokes outside the state machines, as AWS invokes them asynchronously:
 * EventBridge hands the alarm handler its event, and a failed invocation is retried twice, one
 * minute and then two minutes later, before the event goes to the dead-letter queue
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html; the stack
 * configures `retryAttempts: 2` and an SQS destination). Every failure is recorded, never
 * swallowed: a dead-lettered alarm never reached its release.
 */
import type { VirtualScheduler } from './engine/virtual-time';

/** Waits before Lambda's second and third attempts. */
export const ASYNC_RETRY_DELAYS_SECONDS = [60, 120] as const;

export interface RehearsalError {
  /** When it failed: virtual ISO time, and seconds since the start. */
  at: string;
  atSeconds: number;
  /** `alarmHandler`: an alarm event's invocation; `audit`: an audit entry that could not be written. */
  source: 'alarmHandler' | 'audit';
  /** The handler (or, for `audit`, the task whose entry it was). */
  operation: string;
  error: string;
  message: string;
  alarmName?: string;
  eventId?: string;
  /** Which attempt of the invocation failed, from 1. */
  attempt?: number;
  /** When Lambda tries again; absent on the last attempt. */
  retryInSeconds?: number;
  /** The last attempt failed: the event went to the dead-letter queue and never reached the release. */
  deadLettered?: boolean;
}

export class AsyncInvocations {
  readonly errors: RehearsalError[] = [];
  private inFlight = 0;

  constructor(
    private readonly scheduler: VirtualScheduler,
    private readonly epoch: Date,
    /** Told of each failure as it happens (serve prints it; a rehearsal reports them at the end). */
    private readonly onError: (error: RehearsalError) => void = () => {},
  ) {}

  /** Invocations not yet settled, their retries included: the rehearsal waits for them. */
  pending(): number {
    return this.inFlight;
  }

  record(error: Omit<RehearsalError, 'at' | 'atSeconds'>): void {
    const now = this.scheduler.now();
    const recorded = {
      at: now.toISOString(),
      atSeconds: (now.getTime() - this.epoch.getTime()) / 1000,
      ...error,
    };
    this.errors.push(recorded);
    this.onError(recorded);
  }

  /** Runs `invocation` now, and again after each failure as Lambda would, recording every failure. */
  invoke(
    invocation: () => Promise<unknown>,
    about: Pick<RehearsalError, 'source' | 'operation' | 'alarmName' | 'eventId'>,
    attempt = 1,
  ): void {
    this.inFlight++;
    const settled = invocation().then(
      () => undefined,
      (failure: unknown) => {
        const { name, message } = failure instanceof Error ? failure : new Error(String(failure));
        const retryIn = ASYNC_RETRY_DELAYS_SECONDS[attempt - 1];
        this.record({
          ...about,
          error: name,
          message,
          attempt,
          ...(retryIn === undefined ? { deadLettered: true } : { retryInSeconds: retryIn }),
        });
        if (retryIn === undefined) return;
        this.inFlight++;
        this.scheduler.setTimeout(() => {
          this.inFlight--;
          this.invoke(invocation, about, attempt + 1);
        }, retryIn * 1000);
      },
    );
    void this.scheduler.track(settled.finally(() => this.inFlight--));
  }
}
