/**
 * Counts what an execution would cost and weigh on AWS from the local engine's event log:
 * state transitions (what Standard workflows bill) and the history events AWS would record,
 * event by event (a Task writes Entered, Scheduled, Started, [Submitted], Succeeded, Exited).
 */
import { type AslDefinition, eachState } from './asl-support';

interface LocalEvent {
  type: string;
  state?: { name: string; type: string };
}

const WAITS_ON_SOMETHING = /waitForTaskToken|\.sync/;

export class HistoryCounter {
  transitions = 0;
  /** Transitions per state name, retries included. */
  readonly byState = new Map<string, number>();
  /** ExecutionStarted and the closing event. */
  events = 2;
  private readonly submits = new Set<string>();

  constructor(definition: AslDefinition) {
    for (const [name, state] of eachState(definition)) {
      if (state.Type === 'Task' && WAITS_ON_SOMETHING.test(String(state.Resource))) this.submits.add(name);
    }
  }

  private count(state: string): void {
    this.byState.set(state, (this.byState.get(state) ?? 0) + 1);
  }

  record(event: LocalEvent): void {
    const stateType = event.state?.type;
    switch (event.type) {
      case 'StateEntered':
        this.transitions++;
        this.count(event.state!.name);
        if (stateType === 'Task') this.events += 3 + (this.submits.has(event.state!.name) ? 1 : 0);
        else if (stateType === 'Map' || stateType === 'Parallel') this.events += 2;
        else this.events += 1;
        break;
      case 'StateExited':
        this.events += stateType === 'Task' || stateType === 'Map' || stateType === 'Parallel' ? 2 : 1;
        break;
      case 'StateRetried':
        this.transitions++;
        this.count(event.state!.name);
        this.events += 2;
        break;
      case 'StateFailed':
      case 'StateCaught':
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
      case 'ParallelBranchStarted':
      case 'ParallelBranchSucceeded':
      case 'ParallelBranchFailed':
        this.events += 1;
        break;
    }
  }
}
