import type { Events, SwitchyardEvent } from '../lambdas/ports';
import type { VirtualScheduler } from './engine/virtual-time';

/** Records what Switchyard publishes, on virtual time. */
export class RecordedEvents implements Events {
  readonly published: Array<SwitchyardEvent & { at: Date }> = [];
  private readonly listeners: Array<(event: SwitchyardEvent, at: Date) => void> = [];
  constructor(private readonly clock: VirtualScheduler) {}
  async publish(events: readonly SwitchyardEvent[]): Promise<void> {
    for (const event of events) {
      const at = this.clock.now();
      this.published.push({ ...event, at });
      for (const listener of this.listeners) listener(event, at);
    }
  }
  /** Told of each event as it is published. */
  onPublish(listener: (event: SwitchyardEvent, at: Date) => void): void {
    this.listeners.push(listener);
  }
}
