/**
 * Operations of the workflow stack: CloudWatch alarms on what needs a person — a cycle execution that
 * failed, timed out or was aborted; a scheduled start that failed (the starter function erred, or the
 * Scheduler could not invoke it: its dead-letter queue has a message); throttling of the state machines,
 * the functions or the table — all to one SNS topic the county's operators subscribe to.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface OperationsProps {
  machines: Record<string, IStateMachine>;
  starter: IFunction;
  table: ITable;
}

const FIVE_MINUTES = Duration.minutes(5);

export class Operations extends Construct {
  readonly topic: Topic;
  /** Where EventBridge Scheduler puts a start it could not deliver (the schedules' dead-letter queue). */
  readonly scheduleDeadLetters: Queue;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    // CloudWatch publishes an alarm to an encrypted topic only with a customer managed key whose policy
    // lets it make and use data keys: the AWS managed alias/aws/sns key's policy cannot grant that, and
    // every notification would fail with KMS AccessDenied ("Enable compatibility between event sources
    // from AWS services and encrypted topics", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html;
    // https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger). The key encrypts
    // nothing but this topic's messages in flight, so it may go with the stack.
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const key = new Key(this, 'AlarmsKey', {
      description: 'MedComm Pay: encrypts the alarms topic (CloudWatch may publish to it)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Alarms', {
      displayName: 'MedComm Pay alarms',
      enforceSSL: true,
      masterKey: key,
    });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one (the account's
    // principals, CloudWatch among them, may publish): without this grant CloudWatch is "not authorized
    // to perform: SNS:Publish … because no resource-based policy allows" it. Only this account's alarms.
    const { account, region, partition } = Stack.of(this);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        effect: Effect.ALLOW,
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
          StringEquals: { 'aws:SourceAccount': account },
        },
      }),
    );
    this.scheduleDeadLetters = new Queue(this, 'ScheduleDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.scheduleDeadLetters).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the cycle schedules; its messages raise an alarm.',
    });

    const alarm = (name: string, metric: IMetric, description: string) => {
      const a = new Alarm(this, name, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(a);
      return a;
    };

    for (const [kind, machine] of Object.entries(props.machines)) {
      const failed = new MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: machine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum' }),
          timedOut: machine.metricTimedOut({ period: FIVE_MINUTES, statistic: 'Sum' }),
          aborted: machine.metricAborted({ period: FIVE_MINUTES, statistic: 'Sum' }),
        },
        period: FIVE_MINUTES,
      });
      alarm(
        `${kind}ExecutionsFailed`,
        failed,
        `A ${kind} cycle execution failed, timed out or was aborted: its cycle is recorded failed; see the execution history.`,
      );
      alarm(
        `${kind}ExecutionsThrottled`,
        machine.metric('ExecutionThrottled', { period: FIVE_MINUTES, statistic: 'Sum' }),
        `Step Functions throttled the ${kind} state machine.`,
      );
    }

    alarm(
      'ScheduledStartFailed',
      props.starter.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      'A scheduled cycle start failed in the starter function (the next daily run tries again; the cause is in its log).',
    );
    alarm(
      'ScheduledStartUndelivered',
      this.scheduleDeadLetters.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: 'Maximum',
      }),
      'EventBridge Scheduler could not invoke the starter: the start is in the schedules’ dead-letter queue.',
    );

    // Account-wide (no dimension): every function of the product, API included, shares the concurrency.
    alarm(
      'FunctionsThrottled',
      new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'Throttles',
        period: FIVE_MINUTES,
        statistic: 'Sum',
      }),
      'Lambda throttled a function (account concurrency): workflow steps retry Lambda.TooManyRequestsException, but a cycle may slow or fail.',
    );
    const dynamo = (metricName: string) =>
      new Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: props.table.tableName },
        period: FIVE_MINUTES,
        statistic: 'Sum',
      });
    alarm(
      'TableThrottled',
      new MathExpression({
        expression: 'reads + writes',
        usingMetrics: { reads: dynamo('ReadThrottleEvents'), writes: dynamo('WriteThrottleEvents') },
        period: FIVE_MINUTES,
      }),
      'DynamoDB throttled the table (a hot partition key: 1,000 WCU/s, 3,000 RCU/s per key).',
    );
  }
}
