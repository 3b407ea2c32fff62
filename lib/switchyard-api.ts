/**
 * The HTTP API: an API Gateway REST API in front of one Lambda function (proxy integration).
 * Every method needs SigV4 (AWS_IAM); a release submitted with POST /releases is validated
 * against the plan's JSON Schema before it reaches the function. The function starts the
 * STANDARD release state machine itself (API Gateway's StepFunctionsIntegration only starts
 * EXPRESS machines).
 */

import { Stack } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Model,
  RequestValidator,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ROUTE_PATTERNS } from '../lambdas/api/router';
import { acknowledge } from './nag';
import { releasePlanDraft4Schema, toCdkJsonSchema } from './plan-model';

export interface SwitchyardApiProps {
  readonly handler: IFunction;
  readonly namePrefix: string;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly logRetention: RetentionDays;
  /** Create the account-level role API Gateway logs through (AWS::ApiGateway::Account). */
  readonly cloudWatchRole: boolean;
  /** A WAFv2 web ACL (regional) to associate with the stage. */
  readonly webAclArn?: string;
}

/** The router's routes, as API Gateway resources spell them. POST /releases alone carries a validated plan. */
export const API_ROUTES: ReadonlyArray<readonly [method: string, path: string]> = ROUTE_PATTERNS.map(
  ([method, pattern]) => [method, pattern.replace(/:(\w+)/g, '{$1}')] as const,
);

export const API_STAGE = 'v1';

export class SwitchyardApi extends Construct {
  readonly restApi: RestApi;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: SwitchyardApiProps) {
    super(scope, id);
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.restApi = new RestApi(this, 'Api', {
      restApiName: `${props.namePrefix}-api`,
      description: 'Switchyard: submit, follow, approve, abort and roll back releases; fail regions over',
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: props.cloudWatchRole,
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      deployOptions: {
        stageName: API_STAGE,
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
      },
    });

    const planModel = new Model(this, 'ReleasePlanModel', {
      restApi: this.restApi,
      contentType: 'application/json',
      modelName: 'ReleasePlan',
      description: 'A Switchyard release plan (JSON Schema draft 4, generated from the plan language)',
      schema: toCdkJsonSchema(releasePlanDraft4Schema()),
    });
    const bodyValidator = new RequestValidator(this, 'BodyValidator', {
      restApi: this.restApi,
      requestValidatorName: 'release-plan',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    // Tell the caller what failed validation, not only that it did.
    this.restApi.addGatewayResponse('InvalidBody', {
      type: ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      templates: {
        'application/json':
          '{"error":"PlanInvalid","message":"$context.error.message","problems":"$context.error.validationErrorString"}',
      },
    });

    const integration = new LambdaIntegration(props.handler, { allowTestInvoke: false });
    for (const [method, path] of API_ROUTES) {
      const resource = this.restApi.root.resourceForPath(path);
      const validated = method === 'POST' && path === '/releases';
      const created = resource.addMethod(
        method,
        integration,
        validated
          ? { requestValidator: bodyValidator, requestModels: { 'application/json': planModel } }
          : {},
      );
      acknowledge(
        created,
        'AwsSolutions-COG4',
        'Callers are AWS principals: every method requires SigV4 (AWS_IAM authorization), not a Cognito user pool.',
      );
    }

    if (props.webAclArn !== undefined) {
      new CfnWebACLAssociation(this, 'WebAcl', {
        resourceArn: this.restApi.deploymentStage.stageArn,
        webAclArn: props.webAclArn,
      });
    } else {
      acknowledge(
        this.restApi.deploymentStage,
        'AwsSolutions-APIG3',
        'Every method requires SigV4-signed requests from IAM principals and the stage is throttled; set the webAclArn prop to associate a WAFv2 web ACL.',
      );
    }
    const cloudWatchRole = this.restApi.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      acknowledge(
        cloudWatchRole,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        "API Gateway's account-level logging role: AWS's managed policy is the documented one for it, and only API Gateway can assume the role.",
      );
    }
  }

  /** The stage's base URL. */
  get url(): string {
    return this.restApi.url;
  }

  /** execute-api ARN of the stage's methods: what a caller's IAM policy grants execute-api:Invoke on. */
  get invokeArn(): string {
    return Stack.of(this).formatArn({
      service: 'execute-api',
      resource: this.restApi.restApiId,
      resourceName: `${API_STAGE}/*/*`,
    });
  }
}
