/**
 * Operations (issue 12): alarms on failed executions, on scheduled starts that fail, and on throttling,
 * all to one SNS topic; a dead-letter queue on the schedules' target.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';

let workflows: Template;

beforeAll(() => {
  const { app, workflows: w } = buildApp({
    nag: false,
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  app.synth({ validateOnSynthesis: false });
  workflows = Template.fromStack(w);
}, 120_000);

const alarms = () =>
  Object.values(workflows.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
const metricNames = (alarm: Record<string, unknown>) =>
  JSON.stringify(alarm)
    .match(/"MetricName":"(\w+)"/g)
    ?.map((m) => m.slice(14, -1)) ?? [];

describe('the alarms', () => {
  it('send every alarm to the one encrypted, TLS-only SNS topic', () => {
    workflows.resourceCountIs('AWS::SNS::Topic', 1);
    const [topicId] = Object.keys(workflows.findResources('AWS::SNS::Topic'));
    workflows.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    workflows.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    expect(alarms().length).toBeGreaterThan(0);
    for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it('watch every state machine for failed, timed-out or aborted executions and for throttling', () => {
    const machines = Object.keys(workflows.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(3);
    for (const machine of machines) {
      const watching = alarms().filter((a) => JSON.stringify(a).includes(machine));
      const names = watching.flatMap(metricNames);
      expect(names, machine).toEqual(
        expect.arrayContaining([
          'ExecutionsFailed',
          'ExecutionsTimedOut',
          'ExecutionsAborted',
          'ExecutionThrottled',
        ]),
      );
    }
  });

  it('watch the scheduled starts (starter errors, undelivered starts) and throttling of Lambda and the table', () => {
    const names = alarms().flatMap(metricNames);
    expect(names).toEqual(
      expect.arrayContaining([
        'Errors',
        'ApproximateNumberOfMessagesVisible',
        'Throttles',
        'ReadThrottleEvents',
        'WriteThrottleEvents',
      ]),
    );
  });
});

describe('the schedules', () => {
  it('retry delivery and put what they cannot deliver in an encrypted dead-letter queue', () => {
    const [queueId] = Object.keys(workflows.findResources('AWS::SQS::Queue'));
    const schedules = Object.values(workflows.findResources('AWS::Scheduler::Schedule')).map(
      (s) => s.Properties,
    );
    expect(schedules).toHaveLength(3);
    for (const schedule of schedules) {
      expect(schedule.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
      expect(schedule.Target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 3 });
    }
    workflows.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });
});
