/**
 * SDK v3 clients pointed at the test run's moto server (started by test/setup/moto.ts), and the
 * scene-setting moto needs. Test files share that server and run in parallel, so nothing here
 * resets it (`POST /moto-api/reset` would empty every other file's resources mid-test): every
 * resource a test creates gets a unique name instead (uniqueName).
 */
import { randomUUID } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { type CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { inject } from 'vitest';

export const MOTO_REGION = 'us-east-1';
/** moto accepts any credentials; fixed ones keep the machine's own out of the tests. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
/** The account moto puts every resource in when the access key is not one of its own IAM users. */
export const MOTO_ACCOUNT_ID = '123456789012';

export interface MotoClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** The run's moto server, e.g. http://127.0.0.1:40123. */
export function motoEndpoint(): string {
  return inject('motoEndpoint');
}

/**
 * A client of the given SDK v3 class for moto: `motoClient(SFNClient)`. `endpoint` names another
 * moto server (a single-threaded one). No client here talks to S3, so none needs forcePathStyle.
 */
export function motoClient<C>(
  Client: new (config: MotoClientConfig) => C,
  options: { region?: string; endpoint?: string } = {},
): C {
  return new Client({
    endpoint: options.endpoint ?? motoEndpoint(),
    region: options.region ?? MOTO_REGION,
    credentials: { ...MOTO_CREDENTIALS },
  });
}

/** `prefix-1a2b3c4d`: unique across the files that share the server. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A metric alarm on a target group's 5xx count, as the alarms plans name are made. */
export async function createMotoAlarm(cloudWatch: CloudWatchClient, name: string): Promise<void> {
  await cloudWatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
}

export interface MotoVpc {
  vpcId: string;
  /** Two subnets in different zones, as an ALB requires. */
  subnetIds: [string, string];
}

/**
 * A VPC with two subnets, for load balancers and target groups. The project has no EC2 client
 * (@aws-sdk/client-ec2 is not a dependency, and none is added for tests), so these two calls
 * are EC2 Query API requests signed with the SDK's own SigV4 signer.
 */
export async function createMotoVpc(region: string = MOTO_REGION): Promise<MotoVpc> {
  const vpc = await ec2Query(region, { Action: 'CreateVpc', CidrBlock: '10.0.0.0/16' });
  const vpcId = xmlValue(vpc, 'vpcId');
  const subnetIds: string[] = [];
  for (const [index, zone] of ['a', 'b'].entries()) {
    const subnet = await ec2Query(region, {
      Action: 'CreateSubnet',
      VpcId: vpcId,
      CidrBlock: `10.0.${index + 1}.0/24`,
      AvailabilityZone: `${region}${zone}`,
    });
    subnetIds.push(xmlValue(subnet, 'subnetId'));
  }
  return { vpcId, subnetIds: [subnetIds[0]!, subnetIds[1]!] };
}

async function ec2Query(region: string, parameters: Record<string, string>): Promise<string> {
  const url = new URL(motoEndpoint());
  const body = new URLSearchParams({ Version: '2016-11-15', ...parameters }).toString();
  const signer = new SignatureV4({ credentials: MOTO_CREDENTIALS, region, service: 'ec2', sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    }),
  );
  const response = await fetch(`${url.origin}/`, { method: 'POST', headers: signed.headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`EC2 ${parameters.Action} failed (HTTP ${response.status}): ${text}`);
  return text;
}

function xmlValue(xml: string, element: string): string {
  const value = new RegExp(`<${element}>([^<]+)</${element}>`).exec(xml)?.[1];
  if (value === undefined) throw new Error(`no <${element}> in EC2 answer: ${xml.slice(0, 500)}`);
  return value;
}
