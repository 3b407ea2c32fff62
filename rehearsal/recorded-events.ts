import type { Events, SwitchyardEvent } from '../lambdas/ports';
import type { VirtualScheduler } from './engine/virtual-time';

/** Records what Switchyard publishes, on virtual time. */
export class RecordedEvents implements Events {
  readonly published: Array<SwitchyardEvent & { at: Date }> = [];
  constructor(private readonly clock: VirtualScheduler) {}
  async publish(events: readonly SwitchyardEvent[]): Promise<void> {
    for (const event of events) this.published.push({ ...event, at: this.clock.now() });
  }
}
