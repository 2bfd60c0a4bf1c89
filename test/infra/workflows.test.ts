/**
 * CDK assertions on the data and workflow stacks, and the cdk-nag AwsSolutions pack over both: every
 * finding is fixed or acknowledged with a reason (infra/nag-suppressions.ts).
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { TABLE_ACCESS } from '../../infra/table-access.js';

const offline = { 'aws:cdk:bundling-stacks': [] };
const fast = { builtinCloudFormationValidation: false };
let data: Template;
let workflows: Template;

beforeAll(() => {
  const { app, data: d, workflows: w } = buildApp({ ...fast, nag: false, context: offline });
  app.synth({ validateOnSynthesis: false });
  data = Template.fromStack(d);
  workflows = Template.fromStack(w);
});

describe('the data stack', () => {
  it('has one on-demand table with point-in-time recovery, encryption and the shared key schema', () => {
    data.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      Replicas: [
        {
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        },
      ],
    });
  });
});

describe('the workflow stack', () => {
  it('defines four Standard state machines (three cycles, the import) with tracing and logging', () => {
    workflows.resourceCountIs('AWS::StepFunctions::StateMachine', 4);
    workflows.allResourcesProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
    });
  });

  it('retries Lambda throttling (TooManyRequests) on every task and parks quarterly and annual cycles for review', () => {
    const machines = Object.values(workflows.findResources('AWS::StepFunctions::StateMachine')).map((m) =>
      JSON.stringify(m.Properties.DefinitionString),
    );
    for (const body of machines) expect(body).toContain('Lambda.TooManyRequestsException');
    // Quarterly and annual park for finance; the monthly one for the department heads (§9.1 manual mode).
    expect(machines.filter((body) => body.includes('waitForTaskToken'))).toHaveLength(3);
    expect(machines.filter((body) => body.includes('AwaitFinanceReview'))).toHaveLength(2);
    expect(machines.filter((body) => body.includes('AwaitSecondary'))).toHaveLength(1);
  });

  it('logs every state machine to a group under /aws/vendedlogs/ (the account-wide 5,120-character log resource policy does not grow with them)', () => {
    // https://docs.aws.amazon.com/step-functions/latest/dg/bp-cwl.html
    const groups = workflows.findResources('AWS::Logs::LogGroup');
    const machines = Object.values(workflows.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(4);
    for (const machine of machines) {
      const [{ CloudWatchLogsLogGroup }] = machine.Properties.LoggingConfiguration.Destinations;
      const [groupId] = CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'];
      expect(groups[groupId]!.Properties.LogGroupName).toMatch(/^\/aws\/vendedlogs\/states\/[\w-]+$/);
    }
    const names = machines.map((m) => JSON.stringify(m.Properties.LoggingConfiguration));
    expect(new Set(names).size).toBe(machines.length);
  });

  it('bundles Node 22 ARM functions, traced by X-Ray where Lambda offers it (not in the China regions)', () => {
    workflows.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: Match.absent(),
    });
    const { app, workflows: w } = buildApp({ ...fast, nag: false, context: offline, target: 'aws' });
    app.synth({ validateOnSynthesis: false });
    Template.fromStack(w).allResourcesProperties('AWS::Lambda::Function', {
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('schedules the three cycles in Asia/Shanghai time from the 5th, the 10th after a quarter, 20 January, daily until the 28th (a period waiting for data is tried again)', () => {
    const schedules = Object.values(workflows.findResources('AWS::Scheduler::Schedule')).map(
      (s) => s.Properties,
    );
    expect(schedules.map((s) => s.ScheduleExpressionTimezone)).toEqual([
      'Asia/Shanghai',
      'Asia/Shanghai',
      'Asia/Shanghai',
    ]);
    expect(schedules.map((s) => s.ScheduleExpression).sort()).toEqual([
      'cron(0 2 10-28 1,4,7,10 ? *)',
      'cron(0 2 20-28 1 ? *)',
      'cron(0 2 5-28 * ? *)',
    ]);
  });

  it('gives each function only item-level DynamoDB actions on the table', () => {
    const policies = Object.values(workflows.findResources('AWS::IAM::Policy'));
    const dynamoActions = new Set<string>();
    for (const policy of policies) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        for (const action of [statement.Action].flat())
          if (String(action).startsWith('dynamodb:')) dynamoActions.add(action);
      }
    }
    // Exactly what infra/table-access.ts lists for the workflow functions (held to the code by
    // least-privilege.test.ts).
    const listed = new Set(
      Object.entries(TABLE_ACCESS)
        .filter(([id]) => !id.startsWith('api:'))
        .flatMap(([, a]) => [...a.read, ...Object.keys(a.write)].map((x) => `dynamodb:${x}`)),
    );
    expect([...dynamoActions].sort()).toEqual([...listed].sort());
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing that is not fixed or acknowledged with a reason', () => {
    const { app } = buildApp({ ...fast, context: offline });
    expect(() => app.synth()).not.toThrow();
  });

  it('would fail the synth on an unacknowledged finding', async () => {
    const { app, workflows: stack } = buildApp({ ...fast, context: offline });
    const { Bucket } = await import('aws-cdk-lib/aws-s3');
    new Bucket(stack, 'UnencryptedLogsLessBucket');
    expect(() => app.synth()).toThrow();
  });
});
