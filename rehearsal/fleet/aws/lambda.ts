/**
 * Simulated AWS Lambda, answering the Invoke calls the signals adapter makes for analysis hooks
 * (checks of type `lambda`), so the rehearsal runs the adapter's own reading of a hook's answer.
 * A function a plan's hook names exists in every region of the plan and passes; any other name
 * does not exist, as Invoke reports it (ResourceNotFoundException). Hook failures are rehearsed
 * with operation faults on `signals.invokeHook`.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import type { FleetContext } from '../context';
import { SimulatedAwsError } from '../errors';
import { SIMULATED_ACCOUNT } from './elbv2';

export class SimulatedLambda {
  private readonly functions = new Set<string>();

  constructor(private readonly context: FleetContext) {
    for (const service of context.plan.services.values()) {
      for (const check of service.analysis?.checks ?? []) {
        if (check.type === 'lambda') this.functions.add(check.functionName);
      }
    }
  }

  /** A Lambda client for a region, answering from this simulation. */
  client(region: string): LambdaClient {
    return { send: (command: unknown) => this.send(region, command) } as unknown as LambdaClient;
  }

  async send(region: string, command: unknown): Promise<unknown> {
    if (!this.context.plan.regions.some((candidate) => candidate.name === region)) {
      throw new SimulatedAwsError('UnrecognizedClientException', `no simulated region ${region}`);
    }
    if (!(command instanceof InvokeCommand)) {
      const name = (command as { constructor?: { name?: string } })?.constructor?.name ?? String(command);
      throw new Error(`the simulated Lambda does not implement ${name}`);
    }
    const name = command.input.FunctionName ?? '';
    if (!this.functions.has(name)) {
      throw new SimulatedAwsError(
        'ResourceNotFoundException',
        `Function not found: arn:aws:lambda:${region}:${SIMULATED_ACCOUNT}:function:${name}`,
        404,
      );
    }
    const answer = { verdict: 'pass', detail: `${name} in ${region} passed (simulated hook)` };
    return {
      StatusCode: 200,
      ExecutedVersion: '$LATEST',
      Payload: new TextEncoder().encode(JSON.stringify(answer)) as InvokeCommandOutput['Payload'],
    } satisfies Partial<InvokeCommandOutput>;
  }
}
