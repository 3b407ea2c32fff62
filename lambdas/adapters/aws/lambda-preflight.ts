/**
 * The API's way to preflight: it invokes the preflight function, which holds the read grants
 * and the cluster access the API function is not given. A synchronous invocation
 * (RequestResponse) answers with the function's result, or with `FunctionError` set and the
 * error in the payload (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { ReleasePlan } from '../../core/plan/schema';
import type { PreflightReport } from '../../core/preflight';
import type { Preflight } from '../../ports';
import { callAws } from './errors';
import { payloadJson } from './lambda-payload';

export const PREFLIGHT_IAM_ACTIONS = ['lambda:InvokeFunction'] as const;

export class LambdaPreflight implements Preflight {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionName: string,
  ) {}

  async check(plan: ReleasePlan): Promise<PreflightReport> {
    const answer = await callAws(
      this.lambda.send(
        new InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify({ plan })),
        }),
      ),
    );
    const text = answer.Payload ? new TextDecoder().decode(answer.Payload) : '';
    if (answer.FunctionError !== undefined) {
      const error = payloadJson(text) as { errorType?: string; errorMessage?: string } | undefined;
      throw new Error(
        `the preflight function failed (${error?.errorType ?? answer.FunctionError}): ${error?.errorMessage ?? text.slice(0, 500)}`,
      );
    }
    return JSON.parse(text) as PreflightReport;
  }
}
