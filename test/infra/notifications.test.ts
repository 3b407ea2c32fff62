/**
 * Notifications and the GitHub deploy roles, turned on through the app's context: what is created,
 * what each rule matches, what each message reads like once EventBridge has transformed a real
 * event, and who may publish, decrypt and assume what.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { addSwitchyardStacks, settingsFromContext } from '../../lib/app';
import { NOTIFIED_EVENTS, type NotifiedEvent, UNREPORTED_ENDINGS_RULE } from '../../lib/notifications';
import { Switchyard } from '../../lib/switchyard';
import {
  executionStatusChange,
  type InputTransformer,
  renderTransformer,
  switchyardEvent,
} from './notifications-support';
import {
  ACCOUNT,
  arnText,
  asList,
  HOME,
  ofType,
  type Resource,
  type Statement,
  type Synth,
  statementsOfFunction,
} from './switchyard-support';

const RELEASE_MACHINE = `arn:aws:states:${HOME}:${ACCOUNT}:stateMachine:switchyard-release`;
const ROLLBACK_MACHINE = `arn:aws:states:${HOME}:${ACCOUNT}:stateMachine:switchyard-rollback`;
const API_URL = `https://api0123.execute-api.${HOME}.amazonaws.com/v1/`;

/** A sample of each event as its handler publishes it (lambdas/handlers/*). */
const SAMPLE_DETAILS: Record<NotifiedEvent, Record<string, unknown>> = {
  'Release Started': { waves: 2, releaseId: 'platform-2026-11-22' },
  'Release Monitoring': {
    endsAt: '2026-11-22T21:44:45.000Z',
    regions: { 'us-east-1': '2026-11-22T21:44:45.000Z' },
    releaseId: 'platform-2026-11-22',
  },
  'Release Succeeded': { releaseId: 'platform-2026-11-22' },
  'Release Failed': {
    reason: 'rollback incomplete, needs a person: checkout in us-west-2 still reads "4.2.0"\n(2 of 3 pods)',
    releaseId: 'platform-2026-11-22',
  },
  'Release Rolled Back': { releaseId: 'platform-2026-11-22' },
  'Release Refused': {
    reason: 'target group "checkout-canary" does not exist in us-east-1',
    problems: 1,
    releaseId: 'platform-2026-11-22',
  },
  'Approval Needed': {
    approval: 'us-east-1/checkout/step-1',
    region: 'us-east-1',
    service: 'checkout',
    stepIndex: 1,
    reason: 'approval',
    releaseId: 'platform-2026-11-22',
  },
};

let synth: Synth;
let template: Template;
const rule = (id: string) => ruleOf(synth, id);

beforeAll(() => {
  process.env.CDK_DEFAULT_ACCOUNT = ACCOUNT;
  const app = new App({
    context: {
      'aws:cdk:bundling-stacks': [],
      'switchyard:homeRegion': HOME,
      'switchyard:notifications': 'true',
      'switchyard:githubRepository': 'acme/platform',
      'switchyard:githubPreflightOnPullRequests': true,
    },
    builtinCloudFormationValidation: false,
  });
  const stacks = addSwitchyardStacks(app, settingsFromContext(app));
  // Throws when cdk-nag reports a finding nobody acknowledged.
  template = Template.fromStack(stacks.home);
  synth = { stacks, resources: template.toJSON().Resources as Record<string, Resource> };
});

function ruleOf(from: Synth, id: string): Resource {
  const notifications = from.stacks.home.switchyard.notifications!;
  const created = notifications.rules[id as NotifiedEvent];
  return from.resources[from.stacks.home.getLogicalId(created.node.defaultChild as never)]!;
}

/** The one target's message for an event, rendered as EventBridge would, with the API's URL resolved. */
function messageFor(ruleResource: Resource, event: Record<string, unknown>) {
  const [target] = ruleResource.Properties.Targets as Array<{ InputTransformer: InputTransformer }>;
  return renderTransformer(target!.InputTransformer, event, (ref) => {
    if (ref.startsWith('SwitchyardApiDeploymentStage')) return 'v1';
    if (ref.startsWith('SwitchyardApi')) return 'api0123';
    throw new Error(`unexpected Ref ${ref} in a message`);
  }) as {
    version: string;
    source: string;
    content: { textType: string; title: string; description: string; nextSteps?: string[] };
    metadata: { threadId: string; eventType: string };
  };
}

describe('notifications', () => {
  it('creates an SNS topic encrypted with a rotating key of its own, publishable over TLS only', () => {
    const [[, topic]] = ofType('AWS::SNS::Topic', synth.resources) as [[string, Resource]];
    const [[keyId, key]] = ofType('AWS::KMS::Key', synth.resources) as [[string, Resource]];
    expect(topic.Properties).toMatchObject({
      TopicName: 'switchyard-notifications',
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const forEvents = (key.Properties.KeyPolicy as { Statement: Statement[] }).Statement.filter((statement) =>
      JSON.stringify(statement).includes('events.amazonaws.com'),
    );
    // EventBridge may use the key only for this topic.
    expect(forEvents).toHaveLength(1);
    expect(asList(forEvents[0]!.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(
      arnText(
        (forEvents[0]!.Condition as { StringEquals: Record<string, unknown> }).StringEquals[
          'kms:EncryptionContext:aws:sns:topicArn'
        ],
      ),
    ).toBe(`arn:aws:sns:${HOME}:${ACCOUNT}:switchyard-notifications`);
  });

  it("routes each of Switchyard's release events from its own bus, one rule each", () => {
    const busId = synth.stacks.home.getLogicalId(
      synth.stacks.home.switchyard.eventBus.node.defaultChild as never,
    );
    for (const detailType of Object.keys(NOTIFIED_EVENTS)) {
      expect(rule(detailType).Properties).toMatchObject({
        EventBusName: { Ref: busId },
        EventPattern: { source: ['switchyard'], 'detail-type': [detailType] },
      });
    }
  });

  it('routes from the default bus only the release and rollback endings that no handler reports', () => {
    const unreported = rule(UNREPORTED_ENDINGS_RULE);
    // No EventBusName: the default bus, where Step Functions publishes.
    expect(unreported.Properties.EventBusName).toBeUndefined();
    const pattern = unreported.Properties.EventPattern as {
      source: string[];
      'detail-type': string[];
      detail: { $or: Array<Record<string, unknown[]>> };
    };
    expect(pattern.source).toEqual(['aws.states']);
    expect(pattern['detail-type']).toEqual(['Step Functions Execution Status Change']);
    const branches = pattern.detail.$or.map((branch) => ({
      ...branch,
      stateMachineArn: branch.stateMachineArn!.map(arnText),
    }));
    expect(branches).toEqual([
      { stateMachineArn: [RELEASE_MACHINE], status: ['TIMED_OUT'] },
      { stateMachineArn: [ROLLBACK_MACHINE], status: ['ABORTED', 'TIMED_OUT'] },
      {
        stateMachineArn: [ROLLBACK_MACHINE],
        status: ['FAILED'],
        error: [{ 'anything-but': ['RollbackIncompleteError'] }],
      },
    ]);
  });

  it('lets events.amazonaws.com publish to the topic only from these rules', () => {
    const [[, policy]] = ofType('AWS::SNS::TopicPolicy', synth.resources) as [[string, Resource]];
    const allows = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.filter(
      (statement) => statement.Effect === 'Allow',
    );
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Action: 'sns:Publish',
      Principal: { Service: 'events.amazonaws.com' },
    });
    const sources = (allows[0]!.Condition as { ArnEquals: { 'aws:SourceArn': unknown[] } }).ArnEquals[
      'aws:SourceArn'
    ];
    const ruleIds = [...Object.keys(NOTIFIED_EVENTS), UNREPORTED_ENDINGS_RULE].map((id) => {
      const created = synth.stacks.home.switchyard.notifications!.rules[id as NotifiedEvent];
      return { 'Fn::GetAtt': [synth.stacks.home.getLogicalId(created.node.defaultChild as never), 'Arn'] };
    });
    expect(sources).toEqual(ruleIds);
  });

  it('writes every message in the custom notification format of Amazon Q Developer in chat applications', () => {
    for (const [detailType, detail] of Object.entries(SAMPLE_DETAILS)) {
      const message = messageFor(rule(detailType), switchyardEvent(detailType, detail));
      expect(message, detailType).toMatchObject({
        version: '1.0',
        source: 'custom',
        content: { textType: 'client-markdown' },
        metadata: { threadId: 'platform-2026-11-22', eventType: detailType },
      });
      expect(message.content.title, detailType).toContain('Release platform-2026-11-22');
      expect(message.content.description.length, detailType).toBeGreaterThan(0);
    }
  });

  it("tells a person the command that approves, with the deployed API's URL", () => {
    const event = switchyardEvent('Approval Needed', SAMPLE_DETAILS['Approval Needed']);
    const { content } = messageFor(rule('Approval Needed'), event);
    const approve = `switchyard approve platform-2026-11-22 --approval us-east-1/checkout/step-1 --api ${API_URL}`;
    expect(content.title).toBe(':raised_hand: Release platform-2026-11-22 waits for an approval');
    expect(content.description).toBe(
      `checkout in us-east-1 waits at step 1 (approval). Approve it with \`${approve}\`; if nobody does before the step's timeout, it rolls back.`,
    );
    expect(content.nextSteps).toEqual([approve, `switchyard abort platform-2026-11-22 --api ${API_URL}`]);
  });

  it('carries a reason with quotes and line breaks through unharmed, as the description', () => {
    for (const detailType of ['Release Failed', 'Release Refused'] as const) {
      const detail = SAMPLE_DETAILS[detailType];
      const { content } = messageFor(rule(detailType), switchyardEvent(detailType, detail));
      expect(content.description).toBe(detail.reason);
      expect(content.nextSteps).toContain(`switchyard status platform-2026-11-22 --api ${API_URL}`);
    }
  });

  it('names the execution and its ending when no handler reported it', () => {
    const event = executionStatusChange(ROLLBACK_MACHINE, 'platform-2026-11-22-rollback', 'ABORTED', null);
    const message = messageFor(rule(UNREPORTED_ENDINGS_RULE), event);
    expect(message.content.title).toBe(
      ':rotating_light: Switchyard execution platform-2026-11-22-rollback ended ABORTED',
    );
    expect(message.content.nextSteps).toEqual([
      `aws stepfunctions describe-execution --execution-arn ${event.detail.executionArn}`,
    ]);
    expect(message.metadata).toEqual({
      threadId: 'platform-2026-11-22-rollback',
      eventType: 'Step Functions Execution Status Change',
    });
  });

  it('lets the approval handler put events on the Switchyard bus alone', () => {
    const puts = statementsOfFunction('requestApproval', synth).filter((statement) =>
      asList(statement.Action).includes('events:PutEvents'),
    );
    expect(puts.flatMap((statement) => asList(statement.Resource))).toEqual([
      {
        'Fn::GetAtt': [
          synth.stacks.home.getLogicalId(synth.stacks.home.switchyard.eventBus.node.defaultChild as never),
          'Arn',
        ],
      },
    ]);
  });

  it('uses a topic it is given, extending its policy, and creates no key', () => {
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    });
    const stack = new Stack(app, 'Given', { env: { account: ACCOUNT, region: HOME } });
    const topic = new Topic(stack, 'TeamTopic', { masterKey: new Key(stack, 'TeamKey'), enforceSSL: true });
    const switchyard = new Switchyard(stack, 'Switchyard', {
      workloadRegions: [HOME],
      notifications: { topic },
    });
    const given = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
    expect(switchyard.notifications!.topic).toBe(topic);
    expect(ofType('AWS::SNS::Topic', given)).toHaveLength(1);
    expect(ofType('AWS::KMS::Key', given)).toHaveLength(1);
    const [[, policy]] = ofType('AWS::SNS::TopicPolicy', given) as [[string, Resource]];
    expect(JSON.stringify(policy.Properties)).toContain('SwitchyardNotificationRulesPublish');
    expect(switchyard.githubDeployRole).toBeUndefined();
  });
});

describe('the GitHub deploy roles', () => {
  const roleResource = (which: 'deployRole' | 'preflightRole') => {
    const role = synth.stacks.home.switchyard.githubDeployRole![which]!;
    return synth.resources[synth.stacks.home.getLogicalId(role.node.defaultChild as never)]!;
  };
  const invokeArns = (which: 'deployRole' | 'preflightRole') => {
    const role = synth.stacks.home.switchyard.githubDeployRole![which]!;
    const roleId = synth.stacks.home.getLogicalId(role.node.defaultChild as never);
    const statements = ofType('AWS::IAM::Policy', synth.resources)
      .filter(([, policy]) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(statements.flatMap((statement) => asList(statement.Action))).toEqual(['execute-api:Invoke']);
    const apiId = synth.stacks.home.getLogicalId(
      synth.stacks.home.switchyard.api.restApi.node.defaultChild as never,
    );
    return statements.flatMap((statement) =>
      asList(statement.Resource).map((resource) =>
        arnText(JSON.parse(JSON.stringify(resource).replace(`{"Ref":"${apiId}"}`, '"API"'))),
      ),
    );
  };

  it('trusts only pushes to main of the repository, through GitHub OIDC for STS', () => {
    const trust = (
      roleResource('deployRole').Properties.AssumeRolePolicyDocument as { Statement: Statement[] }
    ).Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': 'repo:acme/platform:ref:refs/heads/main',
        },
      },
    });
    expect(arnText((trust[0] as unknown as { Principal: { Federated: unknown } }).Principal.Federated)).toBe(
      `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
    );
  });

  it('may only submit and read releases; the pull requests may only preflight', () => {
    expect(invokeArns('deployRole')).toEqual([
      `arn:aws:execute-api:${HOME}:${ACCOUNT}:API/v1/POST/releases`,
      `arn:aws:execute-api:${HOME}:${ACCOUNT}:API/v1/GET/releases/*`,
    ]);
    expect(invokeArns('preflightRole')).toEqual([
      `arn:aws:execute-api:${HOME}:${ACCOUNT}:API/v1/POST/plans/preflight`,
    ]);
    const trust = JSON.stringify(roleResource('preflightRole').Properties.AssumeRolePolicyDocument);
    expect(trust).toContain('"token.actions.githubusercontent.com:sub":"repo:acme/platform:pull_request"');
  });

  it('refuses a repository that is not OWNER/REPO and a branch with a wildcard', () => {
    const stack = new Stack(new App(), 'Bad', { env: { account: ACCOUNT, region: HOME } });
    expect(
      () =>
        new Switchyard(stack, 'Switchyard', {
          workloadRegions: [HOME],
          githubDeployRole: { repository: 'platform', branch: 'release/*' },
        }),
    ).toThrow(
      'Switchyard: githubDeployRole.repository: "platform" is not OWNER/REPO; githubDeployRole.branch: "release/*" is not a branch name',
    );
  });
});
