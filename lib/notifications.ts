/**
 * Notifications: Switchyard's own release events, as messages a person reads, on one SNS topic.
 *
 * The events come from two places:
 *
 * - Switchyard's bus: the handlers publish `Release Started`, `Release Monitoring`, `Release Succeeded`, `Release Failed`,
 *   `Release Rolled Back`, `Release Refused` and `Approval Needed` (see lambdas/ports/events.ts).
 *   They carry what Step Functions cannot tell apart: a release execution ends FAILED whether it
 *   was rolled back, refused or left for a person.
 * - The default bus, where Step Functions publishes "Step Functions Execution Status Change"
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html): only the
 *   endings no handler reports, so that a crashed or stopped rollback is not silent.
 *
 * Each rule's input transformer writes the custom notification format of Amazon Q Developer in
 * chat applications (formerly AWS Chatbot): `version` "1.0", `source` "custom", `content` with
 * `textType` "client-markdown", `title`, `description` and `nextSteps`
 * (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html), so a Slack or Teams
 * channel subscribed to the topic renders them; an email subscriber gets the same JSON.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  EventField,
  type EventPattern,
  type IEventBus,
  type IRuleTarget,
  Rule,
  RuleTargetInput,
} from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../lambdas/adapters/aws/eventbridge-events';
import type { EventDetailType } from '../lambdas/ports';

export interface SwitchyardNotificationsProps {
  /** Where the messages go; without it, a KMS-encrypted topic is created. */
  readonly topic?: ITopic;
  readonly namePrefix: string;
  /** Switchyard's own bus (source `switchyard`). */
  readonly eventBus: IEventBus;
  readonly releaseStateMachineArn: string;
  readonly rollbackStateMachineArn: string;
  /** The API's base URL: the commands in the messages name it with `--api`. */
  readonly apiUrl: string;
}

/** Switchyard's events that notify, and the rule each gets (a rule's targets all get one message). */
export const NOTIFIED_EVENTS = {
  'Release Started': 'ReleaseStarted',
  'Release Monitoring': 'ReleaseMonitoring',
  'Release Succeeded': 'ReleaseSucceeded',
  'Release Failed': 'ReleaseFailed',
  'Release Rolled Back': 'ReleaseRolledBack',
  'Release Refused': 'ReleaseRefused',
  'Approval Needed': 'ApprovalNeeded',
} as const satisfies Partial<Record<EventDetailType, string>>;
export type NotifiedEvent = keyof typeof NOTIFIED_EVENTS;

/** The rule of execution endings that no handler reports. */
export const UNREPORTED_ENDINGS_RULE = 'UnreportedExecutionEndings';

interface Message {
  title: string;
  /** Markdown. A field alone (a reason) is placed as the event's JSON value, never inside a string. */
  description: string;
  nextSteps?: string[];
}

export class SwitchyardNotifications extends Construct {
  readonly topic: ITopic;
  /** The key of the topic this construct created; none for a given topic. */
  readonly key?: Key;
  readonly rules: Readonly<Record<NotifiedEvent | typeof UNREPORTED_ENDINGS_RULE, Rule>>;

  constructor(scope: Construct, id: string, props: SwitchyardNotificationsProps) {
    super(scope, id);
    const events = new ServicePrincipal('events.amazonaws.com');
    if (props.topic) {
      this.topic = props.topic;
    } else {
      // Named, so that the key policy can name the topic without referring to it (the topic
      // refers to the key: a reference back would be a cycle).
      const topicName = `${props.namePrefix}-notifications`;
      const topicArn = Stack.of(this).formatArn({ service: 'sns', resource: topicName });
      this.key = new Key(this, 'Key', {
        description: `Encrypts the ${topicName} SNS topic`,
        enableKeyRotation: true,
        // The topic keeps no messages once delivered: nothing is lost with the key.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // An AWS service that publishes to an encrypted topic needs the key itself; AWS managed
      // keys cannot grant that
      // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
      this.key.addToResourcePolicy(
        new PolicyStatement({
          sid: 'EventBridgePublishesToTheNotificationTopic',
          principals: [events],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } },
        }),
      );
      this.topic = new Topic(this, 'Topic', {
        topicName,
        displayName: 'Switchyard releases',
        masterKey: this.key,
        enforceSSL: true,
      });
    }

    const target = (message: Message, threadId: string): IRuleTarget => ({
      // EventBridge publishes to SNS through the topic's resource policy, not a role
      // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html).
      bind: () => ({ arn: this.topic.topicArn, input: chatMessage(message, threadId) }),
    });
    const rules: Partial<Record<NotifiedEvent | typeof UNREPORTED_ENDINGS_RULE, Rule>> = {};
    for (const [detailType, ruleId] of Object.entries(NOTIFIED_EVENTS) as Array<[NotifiedEvent, string]>) {
      rules[detailType] = new Rule(this, ruleId, {
        eventBus: props.eventBus,
        description: `Switchyard's ${detailType} events to the notification topic`,
        eventPattern: { source: [EVENT_SOURCE], detailType: [detailType] },
        targets: [target(releaseMessage(detailType, props.apiUrl), detail('releaseId'))],
      });
    }
    rules[UNREPORTED_ENDINGS_RULE] = new Rule(this, UNREPORTED_ENDINGS_RULE, {
      description:
        'Release and rollback executions that ended with no handler to report it, to the notification topic',
      eventPattern: unreportedEndingsPattern(props),
      // Threaded by execution name: a rollback's is not its release's id.
      targets: [target(unreportedEndingMessage(), EventField.fromPath('$.detail.name'))],
    });
    this.rules = rules as Record<NotifiedEvent | typeof UNREPORTED_ENDINGS_RULE, Rule>;

    // Only these rules may publish (a topic that is imported keeps the policy its owner gave it).
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'SwitchyardNotificationRulesPublish',
        principals: [events],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': Object.values(rules).map((rule) => rule.ruleArn) } },
      }),
    );
  }
}

/**
 * The execution endings no handler reports. The release machine catches every failure into a
 * handler that publishes (rolled back, refused, failed); StopExecution runs no Catch, and the
 * release is stopped on purpose by an alarm or an abort, which the rollback then reports. What is
 * left: a release that timed out, and a rollback that was stopped, timed out, or failed other than
 * through "Rollback Incomplete" (whose handler published `Release Failed`).
 */
export function unreportedEndingsPattern(
  props: Pick<SwitchyardNotificationsProps, 'releaseStateMachineArn' | 'rollbackStateMachineArn'>,
): EventPattern {
  return {
    source: ['aws.states'],
    detailType: ['Step Functions Execution Status Change'],
    detail: {
      $or: [
        { stateMachineArn: [props.releaseStateMachineArn], status: ['TIMED_OUT'] },
        { stateMachineArn: [props.rollbackStateMachineArn], status: ['ABORTED', 'TIMED_OUT'] },
        {
          stateMachineArn: [props.rollbackStateMachineArn],
          status: ['FAILED'],
          error: [{ 'anything-but': ['RollbackIncompleteError'] }],
        },
      ],
    },
  };
}

const detail = (name: string) => EventField.fromPath(`$.detail.${name}`);

/**
 * The message of each event. Static text has no angle brackets: EventBridge reads `<…>` as a
 * variable and they cannot be escaped. Only fields every such event carries are used (a path the event
 * lacks is left out of the output), and only fields whose text is an id or a name are placed inside
 * a string: EventBridge does not escape what it substitutes, so free text (a reason) is placed
 * alone, as the event's own JSON value
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
 */
export function releaseMessage(detailType: NotifiedEvent, apiUrl: string): Message {
  const release = detail('releaseId');
  const api = `--api ${apiUrl}`;
  const status = `switchyard status ${release} ${api}`;
  switch (detailType) {
    case 'Release Started':
      return {
        title: `:rocket: Release ${release} started`,
        description: `${detail('waves')} wave(s) to go. Follow it with \`switchyard status ${release} --watch ${api}\`.`,
        nextSteps: [`switchyard status ${release} --watch ${api}`, `switchyard abort ${release} ${api}`],
      };
    case 'Release Monitoring':
      return {
        title: `:eyes: Release ${release} is in its rollback window`,
        description: `Every wave is done. Its alarms are still watched until ${detail('endsAt')}: one entering ALARM rolls every wave back. \`switchyard promote ${release}\` closes the window early.`,
        nextSteps: [status, `switchyard promote ${release} ${api}`, `switchyard abort ${release} ${api}`],
      };
    case 'Release Succeeded':
      return {
        title: `:white_check_mark: Release ${release} succeeded`,
        description: 'Every service in every region is on its new version, with all traffic on it.',
        nextSteps: [status],
      };
    case 'Release Failed':
      return {
        title: `:x: Release ${release} failed and needs a person`,
        description: detail('reason').toString(),
        nextSteps: [status],
      };
    case 'Release Rolled Back':
      return {
        title: `:leftwards_arrow_with_hook: Release ${release} rolled back`,
        description:
          'Every service it touched is back on its snapshot, with stable traffic at 100 %. The audit says why.',
        nextSteps: [status],
      };
    case 'Release Refused':
      return {
        title: `:no_entry: Release ${release} refused by preflight: nothing changed`,
        description: detail('reason').toString(),
        nextSteps: [status, `switchyard preflight PLAN_FILE ${api}`],
      };
    case 'Approval Needed': {
      const approve = `switchyard approve ${release} --approval ${detail('approval')} ${api}`;
      return {
        title: `:raised_hand: Release ${release} waits for an approval`,
        description: `${detail('service')} in ${detail('region')} waits at step ${detail('stepIndex')} (${detail('reason')}). Approve it with \`${approve}\`; if nobody does before the step's timeout, it rolls back.`,
        nextSteps: [approve, `switchyard abort ${release} ${api}`],
      };
    }
  }
}

export function unreportedEndingMessage(): Message {
  const execution = EventField.fromPath('$.detail.name');
  return {
    title: `:rotating_light: Switchyard execution ${execution} ended ${EventField.fromPath('$.detail.status')}`,
    description: `Step Functions reports that execution ${execution} ended ${EventField.fromPath('$.detail.status')}, and no Switchyard handler reported it: the release may be left part-way. Look at the execution, then at the release: \`switchyard status RELEASE_ID\`, where a rollback execution is named RELEASE_ID-rollback.`,
    nextSteps: [
      `aws stepfunctions describe-execution --execution-arn ${EventField.fromPath('$.detail.executionArn')}`,
    ],
  };
}

/** The custom notification of Amazon Q Developer in chat applications, threaded by release. */
function chatMessage(message: Message, threadId: string): RuleTargetInput {
  return RuleTargetInput.fromObject({
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title: message.title,
      description: message.description,
      ...(message.nextSteps && { nextSteps: message.nextSteps }),
    },
    metadata: {
      threadId,
      eventType: EventField.fromPath('$.detail-type'),
    },
  });
}
