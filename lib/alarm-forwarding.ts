/**
 * Alarm forwarding: CloudWatch alarm events land on the default event bus of the region the
 * alarm lives in. For each region Switchyard watches, a rule sends the "ALARM" state changes of
 * alarms with the configured name prefix to Switchyard's bus in the home region, where one rule
 * hands them to the alarm handler. The same construct, in the home region itself, forwards
 * from the default bus to Switchyard's bus.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, type EventPattern, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ABORT_ALARM_PREFIX, CANARY_ALARM_SUFFIX } from '../lambdas/core/naming';
import { acknowledge } from './nag';

/**
 * The events that may roll a release back: alarms of the prefix, each canary's own error alarm
 * (`<service>-<region>-canary-errors`), and the abort alarms Switchyard makes
 * (`switchyard-abort-…`), going into ALARM. Only alarms a running release
 * watches act; others are dropped by the handler.
 */
export function alarmEventPattern(alarmNamePrefix: string): EventPattern {
  return {
    source: ['aws.cloudwatch'],
    detailType: ['CloudWatch Alarm State Change'],
    detail: {
      alarmName: [
        { prefix: alarmNamePrefix },
        { suffix: CANARY_ALARM_SUFFIX },
        { prefix: ABORT_ALARM_PREFIX },
      ],
      state: { value: ['ALARM'] },
    },
  };
}

/** How long an undeliverable event is kept for a person to look at. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/** A dead-letter queue: encrypted, TLS only, kept 14 days. */
export function deadLetterQueue(scope: Construct, id: string, purpose: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: DEAD_LETTER_RETENTION,
  });
  acknowledge(queue, 'AwsSolutions-SQS3', `This queue is itself the dead-letter queue of ${purpose}.`);
  return queue;
}

export interface AlarmForwardingProps {
  /** ARN of Switchyard's event bus in the home region. */
  readonly targetEventBusArn: string;
  readonly alarmNamePrefix: string;
  /** Names this region's DLQ alarm: `<namePrefix>-orchestrator-…`. */
  readonly namePrefix: string;
}

export class AlarmForwarding extends Construct {
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: AlarmForwardingProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters', 'the alarm-forwarding rule');
    this.rule = new Rule(this, 'Rule', {
      description: `Forwards ALARM state changes of alarms named ${props.alarmNamePrefix}* to Switchyard`,
      eventPattern: alarmEventPattern(props.alarmNamePrefix),
      targets: [
        new EventBusTarget(EventBus.fromEventBusArn(this, 'SwitchyardBus', props.targetEventBusArn), {
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
    this.deadLetterAlarm = new Alarm(this, 'DeadLettersAlarm', {
      alarmName: `${props.namePrefix}-orchestrator-alarm-forwarding-dlq-${region}`,
      alarmDescription: `Alarm events from ${region} could not be forwarded to Switchyard: a rollback may not have started. Inspect the queue.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}

export interface AlarmForwardingStackProps extends StackProps {
  readonly homeRegion: string;
  /** The name of Switchyard's event bus in the home region. */
  readonly eventBusName: string;
  readonly alarmNamePrefix: string;
  readonly namePrefix: string;
}

/** A workload region's alarm forwarding, as a stack of its own deployed to that region. */
export class AlarmForwardingStack extends Stack {
  readonly forwarding: AlarmForwarding;

  constructor(scope: Construct, id: string, props: AlarmForwardingStackProps) {
    super(scope, id, props);
    const targetEventBusArn = this.formatArn({
      service: 'events',
      region: props.homeRegion,
      resource: 'event-bus',
      resourceName: props.eventBusName,
    });
    this.forwarding = new AlarmForwarding(this, 'AlarmForwarding', {
      targetEventBusArn,
      alarmNamePrefix: props.alarmNamePrefix,
      namePrefix: props.namePrefix,
    });
  }
}
