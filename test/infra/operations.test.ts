/**
 * Operations (issue 12): alarms on failed executions, on scheduled starts that fail, and on throttling,
 * all to one SNS topic; a dead-letter queue on the schedules' target; Powertools configured on every
 * function (tracing only where the partition has X-Ray), and a workflow function's real bundle: its own
 * handler behind the one entry, wrapped.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiFunction } from '../../infra/constructs/api-function.js';
import { HandlerFunction } from '../../infra/constructs/handler-function.js';
import { synthOffline } from './offline-synth.js';

let workflows: Template;
let api: Template;

beforeAll(() => {
  const { workflows: w, api: a } = synthOffline();
  workflows = Template.fromStack(w);
  api = Template.fromStack(a);
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

  it('can reach the topic: CloudWatch may publish to it and use its key (a customer managed one, not alias/aws/sns)', () => {
    // Walks alarm → action → topic → key in the template. With the AWS managed key, or with a topic policy
    // that only denies plain HTTP (it replaces SNS's default policy), every alarm would fail to notify:
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html (compatibility with AWS services).
    type Statement = { Effect: string; Principal?: { Service?: unknown }; Action: string | string[] };
    const byCloudWatch = (statements: Statement[], action: string) =>
      statements.some(
        (s) =>
          s.Effect === 'Allow' &&
          JSON.stringify(s.Principal?.Service ?? '').includes('cloudwatch.amazonaws.com') &&
          ([] as string[]).concat(s.Action).includes(action),
      );
    type Resource = {
      Type: string;
      Properties: {
        KmsMasterKeyId?: { 'Fn::GetAtt'?: [string, string] };
        EnableKeyRotation?: boolean;
        KeyPolicy?: { Statement: Statement[] };
        Topics?: unknown;
        PolicyDocument?: { Statement: Statement[] };
      };
    };
    const resources = workflows.toJSON().Resources as Record<string, Resource>;
    const topics = new Set(alarms().flatMap((a) => (a.AlarmActions as { Ref: string }[]).map((x) => x.Ref)));
    expect(topics.size).toBe(1);
    for (const topicId of topics) {
      const keyRef = resources[topicId]!.Properties.KmsMasterKeyId;
      const key = resources[keyRef?.['Fn::GetAtt']?.[0] ?? ''];
      expect(key?.Type, `${topicId} is encrypted with a key of this stack`).toBe('AWS::KMS::Key');
      expect(key!.Properties.EnableKeyRotation).toBe(true);
      const keyStatements = key!.Properties.KeyPolicy!.Statement;
      expect(byCloudWatch(keyStatements, 'kms:Decrypt')).toBe(true);
      expect(byCloudWatch(keyStatements, 'kms:GenerateDataKey*')).toBe(true);
      const policies = Object.values(resources).filter(
        (r) => r.Type === 'AWS::SNS::TopicPolicy' && JSON.stringify(r.Properties.Topics).includes(topicId),
      );
      expect(policies.some((p) => byCloudWatch(p.Properties.PolicyDocument!.Statement, 'sns:Publish'))).toBe(
        true,
      );
    }
  });

  it('watch every state machine for failed, timed-out or aborted executions and for throttling', () => {
    const machines = Object.keys(workflows.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(4); // three cycles and the import
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

describe("the API's jobs", () => {
  it("alarm to the operations topic when a job's event lands in the runner's failure queue", () => {
    const queues = Object.keys(api.findResources('AWS::SQS::Queue')).filter((id) =>
      id.startsWith('JobFailures'),
    );
    expect(queues).toHaveLength(1);
    const watching = Object.values(api.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties)
      .filter((p) => JSON.stringify(p.Dimensions ?? p.Metrics).includes(queues[0]!));
    expect(watching).toHaveLength(1);
    expect(metricNames(watching[0]!)).toEqual(['ApproximateNumberOfMessagesVisible']);
    // The topic is the workflow stack's, imported: the action names its export, not a topic of its own.
    api.resourceCountIs('AWS::SNS::Topic', 0);
    expect(JSON.stringify(watching[0]!.AlarmActions)).toMatch(/Fn::ImportValue/);
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

describe('Powertools in every function', () => {
  type Fn = { Properties: { Environment?: { Variables?: Record<string, string> }; TracingConfig?: unknown } };
  const functionsOf = (target: 'aws' | 'aws-cn') => {
    const built = synthOffline(target);
    const all = built.app.node.findAll().filter((c) => c instanceof NodejsFunction);
    const ours = all.filter((c) => c instanceof HandlerFunction || c instanceof ApiFunction);
    // Each of our functions as its stack's template has it (CDK's own helper functions are not ours).
    const resources = ours.map((fn) => {
      const stack = Stack.of(fn);
      const id = stack.getLogicalId(fn.node.defaultChild as CfnElement);
      return Template.fromStack(stack).toJSON().Resources[id] as Fn;
    });
    return { all, ours, resources };
  };

  it.each([
    ['aws', 'true'],
    ['aws-cn', 'false'],
  ] as const)(
    '%s: every function is one of ours, with the service, namespace, log level and tracing that the partition allows',
    (target, tracing) => {
      const { all, ours, resources } = functionsOf(target);
      // A Node function made some other way would miss the entry that wraps it and this environment.
      expect(ours.length).toBe(all.length);
      expect(ours.length).toBeGreaterThan(20);
      for (const fn of resources) {
        expect(fn.Properties.Environment?.Variables).toMatchObject({
          POWERTOOLS_SERVICE_NAME: 'medcomm-pay',
          POWERTOOLS_METRICS_NAMESPACE: 'MedCommPay',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          POWERTOOLS_TRACE_ENABLED: tracing,
          POWERTOOLS_TRACER_CAPTURE_ERROR: 'false',
          POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        });
        expect(fn.Properties.TracingConfig).toEqual(tracing === 'true' ? { Mode: 'Active' } : undefined);
      }
    },
    120_000,
  );
});

describe('a workflow function’s bundle', () => {
  // Inside the project (cdk.out/ is ignored) so the bundle's AWS SDK imports resolve as in Lambda.
  const outdir = join(import.meta.dirname, '../../cdk.out', `test-ops-bundle-${process.pid}-${Date.now()}`);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('holds its own handler behind the one entry, wrapped with the operations, at a reasonable size', async () => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'OpsBundle', { env: { region: 'cn-north-1' } });
    new HandlerFunction(stack, { functionId: 'RecordFailure' });
    const assembly = app.synth({ validateOnSynthesis: false });
    // The function's code is the assembly's one bundled folder.
    const [asset] = readdirSync(assembly.directory).filter((name) =>
      existsSync(join(assembly.directory, name, 'index.mjs')),
    );
    const dir = join(assembly.directory, asset!);
    const bundle = join(dir, 'index.mjs');
    expect(statSync(bundle).size).toBeLessThan(1.5 * 1024 * 1024);
    const sources = (JSON.parse(readFileSync(`${bundle}.map`, 'utf8')).sources as string[]).map((s) =>
      s.replace(/^(\.\.\/)+/, ''),
    );
    expect(sources).toEqual(
      expect.arrayContaining([
        'functions/lambda-entry.ts',
        'functions/record-failure.ts',
        'shared/ops/step.ts',
        'shared/ops/powertools.ts',
      ]),
    );
    expect(sources.some((s) => s.includes('@aws-lambda-powertools/logger'))).toBe(true);
    expect(sources.filter((s) => /^functions\/[^/]+\.ts$/.test(s)).sort()).toEqual([
      'functions/lambda-entry.ts',
      'functions/record-failure.ts',
    ]);

    // Invoked as Lambda would: the wrapper names the function esbuild defined, and the handler's own
    // error (a malformed event) comes back with its name.
    const saved = { ...process.env };
    Object.assign(process.env, {
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_DISABLED: 'false',
    });
    const printed: string[] = [];
    const spies = (['log', 'info', 'error', 'warn'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(' '));
      }),
    );
    try {
      const { handler } = (await import(pathToFileURL(bundle).href)) as {
        handler: (event: unknown, context: object) => Promise<unknown>;
      };
      await expect(
        handler(
          { cycle: { communityId: 'c1', kind: 'monthly', period: 'not-a-period' } },
          { awsRequestId: 'r-1' },
        ),
      ).rejects.toMatchObject({ name: 'ZodError' });
    } finally {
      for (const spy of spies) spy.mockRestore();
      process.env = saved;
    }
    const lines = printed.map((t) => JSON.parse(t));
    expect(lines.find((l) => l.message === 'step failed')).toMatchObject({
      step: 'RecordFailure',
      community: 'c1',
      requestId: 'r-1',
      error: { name: 'ZodError' },
    });
    expect(lines.find((l) => l._aws)).toMatchObject({ step: 'RecordFailure', StepFailures: 1 });
  }, 120_000);
});
