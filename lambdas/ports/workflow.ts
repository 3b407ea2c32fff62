/** The Workflow port: the state machines' executions and their task tokens. */

export type MachineName =
  | 'release'
  | 'regionRollout'
  | 'serviceLane'
  | 'serviceRollout'
  | 'rollback'
  | 'failover';

export interface ExecutionDescription {
  executionArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  startDate: string;
  stopDate?: string;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface Workflow {
  /** Starts `name`; an execution of that name with the same input counts as started. */
  startExecution(
    machine: MachineName,
    name: string,
    input: Record<string, unknown>,
  ): Promise<{ executionArn: string; alreadyExisted: boolean }>;
  stopExecution(executionArn: string, reason: { error: string; cause: string }): Promise<void>;
  describeExecution(executionArn: string): Promise<ExecutionDescription | undefined>;
  executionArnFor(machine: MachineName, name: string): string;
  sendTaskSuccess(token: string, output: Record<string, unknown>): Promise<void>;
  sendTaskFailure(token: string, error: string, cause: string): Promise<void>;
  sendTaskHeartbeat(token: string): Promise<void>;
}
