/**
 * Links into the AWS console for what the API reports. An execution ARN names its partition and
 * region (`arn:aws:states:us-east-1:123456789012:execution:machine:name`), so the link needs no
 * configuration; ARNs of the local engine (region `local`) have no console and get no link.
 */

const CONSOLE_HOST_BY_PARTITION: Readonly<Record<string, (region: string) => string>> = {
  aws: (region) => `${region}.console.aws.amazon.com`,
  'aws-cn': (region) => `${region}.console.amazonaws.cn`,
  'aws-us-gov': () => 'console.amazonaws-us-gov.com',
};

const EXECUTION_ARN = /^arn:([a-z-]+):states:([a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:execution:[^:]+:[^:]+$/;

/** The Step Functions console page of an execution, or undefined when it has none. */
export function executionConsoleUrl(executionArn: string): string | undefined {
  const match = EXECUTION_ARN.exec(executionArn);
  if (!match) return undefined;
  const [, partition, region] = match as unknown as [string, string, string];
  const host = CONSOLE_HOST_BY_PARTITION[partition];
  if (!host) return undefined;
  return `https://${host(region)}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}
