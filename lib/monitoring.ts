/**
 * Watching the orchestrator itself: a dashboard (releases by outcome, rollbacks, time to roll
 * back, handler errors) and alarms on its own failures. Top-level executions (release,
 * rollback, failover) are alarmed; a failed child (a canary that failed its analysis) is a
 * normal outcome that its parent handles, so children are charted but not alarmed.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  type AlarmProps,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SearchExpression,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HANDLER_METRICS } from '../lambdas/handlers/aws/handler-metrics';
import type { MachineName } from '../lambdas/ports';

export { HANDLER_METRICS };

/** Machines whose failure is the orchestrator's failure. */
export const ALARMED_MACHINES: readonly MachineName[] = ['release', 'rollback', 'failover'];

export interface MonitoringProps {
  /** Alarm names start with `<namePrefix>-orchestrator-` (never the rollback alarm prefix). */
  readonly namePrefix: string;
  readonly stateMachines: Readonly<Record<MachineName, StateMachine>>;
  readonly functions: readonly IFunction[];
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly apiName: string;
  readonly apiStage: string;
  readonly alarmTopic?: ITopic;
}

const FIVE_MINUTES = Duration.minutes(5);

export class Monitoring extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: MonitoringProps,
  ) {
    super(scope, id);
    const { stateMachines } = props;

    for (const machine of ALARMED_MACHINES) {
      const stateMachine = stateMachines[machine];
      this.alarm(`${machine}ExecutionsFailed`, {
        alarmName: `${props.namePrefix}-orchestrator-${machine}-executions-failed`,
        alarmDescription: `${machine} executions failed, timed out or were aborted. Open the execution in the Step Functions console; the release's audit is in the API.`,
        metric: new MathExpression({
          label: `${machine} failed + timed out + aborted`,
          expression: 'failed + timedOut + aborted',
          usingMetrics: {
            failed: stateMachine.metricFailed({ period: FIVE_MINUTES }),
            timedOut: stateMachine.metricTimedOut({ period: FIVE_MINUTES }),
            aborted: stateMachine.metricAborted({ period: FIVE_MINUTES }),
          },
          period: FIVE_MINUTES,
        }),
        threshold: 1,
      });
    }

    // HandlerFailed carries a `handler` dimension, and an alarm on a plain metric must name every
    // dimension (one handler per alarm). A Metrics Insights query sums it over every handler,
    // those added later included; SEARCH cannot back an alarm.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Metrics_Insights_Alarm.html
    const failedHandlers = `FROM SCHEMA("${HANDLER_METRICS.namespace}", ${HANDLER_METRICS.handlerDimension}, service) WHERE service = '${HANDLER_METRICS.service}'`;
    const handlerErrors = new MathExpression({
      expression: `SELECT SUM(${HANDLER_METRICS.failed}) ${failedHandlers}`,
      period: FIVE_MINUTES,
      label: 'Handler errors (all handlers)',
    });
    // On the dashboard (days of data), SEARCH draws one line per handler.
    const handlerErrorsByHandler = new SearchExpression({
      expression: `SEARCH('{${HANDLER_METRICS.namespace},${HANDLER_METRICS.handlerDimension},service} MetricName="${HANDLER_METRICS.failed}" service="${HANDLER_METRICS.service}"', 'Sum', ${FIVE_MINUTES.toSeconds()})`,
      period: FIVE_MINUTES,
    });
    this.alarm('HandlerErrors', {
      alarmName: `${props.namePrefix}-orchestrator-handler-errors`,
      alarmDescription:
        "Switchyard handlers threw errors. Some are retried by the state machines; the dashboard splits them by handler, and the handlers' logs (errorName) give the cause.",
      metric: handlerErrors,
      threshold: 5,
    });

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.alarm(`${name}DeadLetters`, {
        alarmName: `${props.namePrefix}-orchestrator-${name}-dlq`,
        alarmDescription: `Messages in the ${name} dead-letter queue: an alarm event was not handled, so a rollback may not have started.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
        threshold: 1,
      });
    }

    const api5xx = new Metric({
      namespace: 'AWS/ApiGateway',
      metricName: '5XXError',
      dimensionsMap: { ApiName: props.apiName, Stage: props.apiStage },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
    this.alarm('ApiServerErrors', {
      alarmName: `${props.namePrefix}-orchestrator-api-5xx`,
      alarmDescription: 'The Switchyard API answered with server errors.',
      metric: api5xx,
      threshold: 5,
    });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${props.namePrefix}-orchestrator`,
      defaultInterval: Duration.days(7),
    });
    const release = stateMachines.release;
    const rollback = stateMachines.rollback;
    const lambdaErrors = (metricName: 'Errors' | 'Throttles') => {
      const id = (index: number) => `${metricName.charAt(0).toLowerCase()}${index}`;
      return new MathExpression({
        label: `Lambda ${metricName.toLowerCase()} (all functions)`,
        expression: props.functions.map((_, index) => id(index)).join(' + '),
        usingMetrics: Object.fromEntries(
          props.functions.map((fn, index) => [
            id(index),
            fn.metric(metricName, { statistic: 'Sum', period: FIVE_MINUTES }),
          ]),
        ),
        period: FIVE_MINUTES,
      });
    };
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Switchyard orchestrator\nReleases, rollbacks and the handlers behind them. Its alarms are named \`${props.namePrefix}-orchestrator-*\`.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('Releases by outcome', [
        release.metricStarted({ label: 'started' }),
        release.metricSucceeded({ label: 'succeeded' }),
        release.metricFailed({ label: 'failed' }),
        release.metricAborted({ label: 'aborted' }),
        release.metricTimedOut({ label: 'timed out' }),
      ]),
      graph('Rollbacks', [
        rollback.metricStarted({ label: 'started' }),
        rollback.metricSucceeded({ label: 'completed' }),
        rollback.metricFailed({ label: 'failed' }),
      ]),
      graph('Time to roll back (execution time)', [
        rollback.metricTime({ statistic: 'p50', label: 'p50' }),
        rollback.metricTime({ statistic: 'p95', label: 'p95' }),
        rollback.metricTime({ statistic: 'Maximum', label: 'max' }),
      ]),
      graph('Handler errors', [handlerErrorsByHandler, lambdaErrors('Errors'), lambdaErrors('Throttles')]),
    );
    this.dashboard.addWidgets(
      graph(
        'Service rollouts',
        [
          stateMachines.serviceRollout.metricSucceeded({ label: 'succeeded' }),
          stateMachines.serviceRollout.metricFailed({ label: 'failed' }),
        ],
        12,
      ),
      new SingleValueWidget({
        title: 'Failovers',
        metrics: [
          stateMachines.failover.metricSucceeded({ label: 'succeeded', period: Duration.days(7) }),
          stateMachines.failover.metricFailed({ label: 'failed', period: Duration.days(7) }),
        ],
        width: 6,
      }),
      new SingleValueWidget({
        title: 'Dead letters',
        metrics: Object.entries(props.deadLetterQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ label: name }),
        ),
        width: 6,
      }),
    );
  }

  private alarm(id: string, props: Omit<AlarmProps, 'evaluationPeriods'>): Alarm {
    const alarm = new Alarm(this, id, {
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      ...props,
    });
    if (this.props.alarmTopic) {
      alarm.addAlarmAction(new SnsAction(this.props.alarmTopic));
      alarm.addOkAction(new SnsAction(this.props.alarmTopic));
    }
    this.alarms.push(alarm);
    return alarm;
  }
}

function graph(title: string, metrics: IMetric[], width = 6): GraphWidget {
  return new GraphWidget({ title, left: metrics, width, height: 6, period: FIVE_MINUTES });
}
