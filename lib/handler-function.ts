/**
 * One Switchyard handler as a Lambda function: bundled locally by esbuild from its entry,
 * arm64 on the newest Node.js runtime, X-Ray tracing, JSON logs to its own log group, and a
 * role of its own holding the port grants it is given and nothing else of the application's.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Policy, type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './nag';

/** The newest Node.js runtime aws-cdk-lib offers (a test keeps this true on upgrades). */
export const HANDLER_RUNTIME = Runtime.NODEJS_24_X;

/** Node builtins are required by some CommonJS dependencies; an ESM bundle needs `require`. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __switchyardCreateRequire } from 'node:module'; const require = __switchyardCreateRequire(import.meta.url);";

/**
 * esbuild settings shared by every function. `keepNames` is not optional: errors take their
 * `name` from their class (`new.target.name`), and that name is what the state machines' Retry
 * and Catch match, so minification must not rename classes. No source maps: Node's
 * `--enable-source-maps` slows every cold start, and errors are reported by name and message.
 */
export const HANDLER_BUNDLING = {
  minify: true,
  keepNames: true,
  sourceMap: false,
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  target: 'node24',
} as const satisfies BundlingOptions;

export interface HandlerFunctionProps {
  /** The handler's name, used in the description. */
  readonly handlerName: string;
  /** Absolute path of the entry file esbuild starts from. */
  readonly entry: string;
  /** The project root: package.json, package-lock.json and tsconfig.json live there. */
  readonly projectRoot: string;
  readonly environment: Readonly<Record<string, string>>;
  /** The grants of the handler's ports; attached as one policy named PortAccess. */
  readonly portStatements: readonly PolicyStatement[];
  readonly timeout: Duration;
  readonly memorySize: number;
  /** Concurrent executions reserved for (and the most allowed to) the function; none when undefined. */
  readonly reservedConcurrentExecutions?: number | undefined;
  readonly logRetention: RetentionDays;
  /** Bundle the AWS SDK (the versions the tests ran) rather than use the runtime's copy. */
  readonly bundleAwsSdk: boolean;
}

export class HandlerFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** The policy holding the port grants; undefined for a handler that uses no AWS port. */
  readonly portAccess: Policy | undefined;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of its own, not the AWSLambdaBasicExecutionRole managed policy: it may write to
    // its own log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Switchyard ${props.handlerName} handler`,
    });
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      runtime: HANDLER_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.reservedConcurrentExecutions !== undefined && {
        reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      }),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup: this.logGroup,
      role: this.role,
      description: `Switchyard ${props.handlerName}`,
      environment: { ...props.environment },
      bundling: {
        ...HANDLER_BUNDLING,
        bundleAwsSDK: props.bundleAwsSdk,
        externalModules: props.bundleAwsSdk ? [] : ['@aws-sdk/*'],
        tsconfig: `${props.projectRoot}/tsconfig.json`,
      },
    });
    this.logGroup.grantWrite(this.role);
    this.portAccess =
      props.portStatements.length > 0
        ? new Policy(this, 'PortAccess', { roles: [this.role], statements: [...props.portStatements] })
        : undefined;

    const defaultPolicy = this.role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy) {
      acknowledge(
        defaultPolicy,
        'AwsSolutions-IAM5[Resource::*]',
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.',
      );
    }
  }
}

/** Default timeout: below the 60-second TimeoutSeconds of the state machines' Lambda Tasks. */
export const HANDLER_TIMEOUT = Duration.seconds(50);
