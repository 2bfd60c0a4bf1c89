/**
 * The API stack: a Cognito user pool (office, hr, finance, auditor groups; no self sign-up), an HTTP API
 * whose every route needs a Cognito JWT, one Lambda per route group (functions/api/) that checks the
 * caller's groups itself (shared/api/roles.ts), and the exports bucket for pay sheets, bank files and
 * large dataset uploads, each function granted only what its routes use.
 */
import {
  type CfnElement,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  DomainName,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { JOB_QUEUE_SECONDS } from '../../shared/api/job-view.js';
import {
  DEPLOYMENT_GROUPS,
  GROUP_NAMES,
  GROUPS,
  ROUTE_KEYS,
  ROUTES,
  type RouteGroup,
  routeParts,
} from '../../shared/api/roles.js';
import { PREFIX } from '../../shared/api/s3.js';
import type { CycleKind } from '../../shared/store/keys.js';
import { ApiFunction, apiUsesTable } from '../constructs/api-function.js';
import { AuditTrail } from '../constructs/audit-trail.js';
import { ConsoleHosting } from '../constructs/console-hosting.js';
import { HandlerFunction } from '../constructs/handler-function.js';
import { acknowledgeNagFindings, grantOnExecutions } from '../nag-suppressions.js';
import type { Target } from '../targets.js';

export interface ApiStackProps extends StackProps {
  table: ITable;
  /** The audit chain's key and anchors (DataStack): route groups that use the table append to the chain. */
  audit?: AuditTrail;
  stateMachines: Record<CycleKind, IStateMachine>;
  /** The state machines' fixed names (WorkflowStack.machineNames), for grants on their executions. */
  machineNames: readonly string[];
  /** The import workflow (issue 12): the datasets function presigns uploads into its bucket and starts it. */
  imports?: { machine: IStateMachine; machineName: string; bucket: IBucket };
  /** Partition, identity provider, domains (infra/targets.ts, from cdk.json). */
  target: Target;
  /** Origins of the web console that may call the API and upload from a browser (CORS): by default the hosted console's. */
  consoleOrigins?: string[];
  /** Requests per second across the API, and the burst above it. */
  throttle?: { rateLimit: number; burstLimit: number };
  /** The operations topic (WorkflowStack.operations): the job runner's failures alarm to it. */
  alarms?: ITopic;
}

interface FunctionSpec {
  description: string;
  memoryMb?: number;
  /** Step Functions actions on the three cycle state machines. */
  states?: string[];
  /** Step Functions actions on the executions of the three machines. */
  executions?: string[];
  /** S3 object actions, each on its key prefix of the exports bucket. */
  objects?: { actions: string[]; prefix: string }[];
  /** Lists the bucket under this prefix. */
  list?: string;
  /** Starts the job runner (RunApiJob) on the API's long work: an asynchronous invoke (issue 12). */
  jobs?: boolean;
}

/** Each route group's function and what it may touch — nothing more. */
const FUNCTIONS: Record<RouteGroup, FunctionSpec> = {
  me: { description: 'GET /api/me — who is signed in', memoryMb: 256 },
  datasets: {
    description: 'Dataset import (body), upload links and the import workflow started on an upload',
    memoryMb: 2048,
    // Uploads go to the import workflow's bucket (ApiStackProps.imports), not the exports bucket.
  },
  // A correction of a completed period is a job of the runner (issue 12): this function records it.
  cycles: {
    description: 'Cycles: overview, detail, start; corrections as jobs',
    jobs: true,
    states: ['states:StartExecution'],
    // A start answered ExecutionAlreadyExists compares the existing execution's input (sfn-port.ts).
    executions: ['states:DescribeExecution'],
  },
  reviews: {
    description: "Finance review: pending reviews, approve, reject; a correction's approval as a job",
    jobs: true,
    states: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
  },
  reports: {
    description: 'Cycle reports as JSON, or printable HTML via the exports bucket',
    memoryMb: 1024,
    // HTML downloads are exports: audited, and written to the bucket for a link.
    objects: [{ actions: ['s3:PutObject', 's3:GetObject'], prefix: PREFIX.exports }],
  },
  // Issue 12: whole sheets, bank files and audit verify are jobs of the runner (RunApiJob), which writes
  // the files to the exports bucket; these functions record the job and invoke it.
  sheets: {
    description:
      'Pay sheets: a page as JSON; the whole sheet as a job (CSV/XLSX/JSON via the exports bucket)',
    memoryMb: 1024,
    jobs: true,
  },
  bank: {
    description: 'Bank-transfer files for HR as jobs (via the exports bucket), bank settings',
    memoryMb: 1024,
    jobs: true,
  },
  audit: { description: 'Audit trail; its hash-chain check as a job', jobs: true },
  jobs: { description: "The API's long work: a job's state and link, for its asker", memoryMb: 256 },
  // Issue 14's routes (explanations, pay slips, publication): read, and publication appends its record.
  explain: { description: 'Why this amount: explanations and pay slips', memoryMb: 1024 },
  publications: { description: 'Publication of results to members and staff' },
  // Issue 15's routes: the scheme lifecycle writes scheme versions; a simulation computes a year in memory.
  schemes: {
    description: 'Schemes: drafts, review, publication; a simulation as a job',
    memoryMb: 2048,
    jobs: true,
  },
  // Appeals: an accepted one opens a correction, a recompute of the period: a job of the runner (issue 12).
  appeals: {
    description: 'Appeals: file, list, accept (opens a correction, as a job), reject',
    memoryMb: 1024,
    jobs: true,
  },
  // Tenancy (issue 12): the commission reads completed cycles of every community, side by side.
  commission: { description: 'Commission: communities compared (read only)', memoryMb: 1024 },
  // §9.1 manual mode: the office's close answers each waiting institution's task token.
  secondary: {
    description: 'Secondary distribution: heads submit, institutions approve, the office closes',
    states: ['states:SendTaskSuccess'],
  },
};

const pascal = (s: string) => s[0]!.toUpperCase() + s.slice(1);

export class ApiStack extends Stack {
  /** Only where Cognito exists and the target asks for it (identity.cognito). */
  userPool?: UserPool;
  userPoolClient?: UserPoolClient;
  readonly console: ConsoleHosting;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly exportsBucket: Bucket;
  readonly functions = {} as Record<RouteGroup, ApiFunction>;
  /** The runner of the API's long work (issue 12): whole sheets, bank files, audit verify. */
  readonly jobRunner!: HandlerFunction;
  /** The import bucket's ARN as this stack imports it (wireImports), for the grants on its uploads. */
  private importBucketArn?: string;
  /** Where an asynchronous job event goes that the runner failed or never took. */
  readonly jobFailures!: Queue;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);

    // ── who may sign in ─────────────────────────────────────────────────────────────────────────────
    const identity = props.target.identity;
    const claims = { GROUP_CLAIM: identity.groupClaim, USER_CLAIM: identity.userClaim };

    // ── where exports and uploads go ────────────────────────────────────────────────────────────────
    // Object ownership is left to CDK: server access logging decides between the log-delivery ACL and a bucket policy.
    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(400) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.console = new ConsoleHosting(this, 'Console', { target: props.target, accessLogs });
    const consoleOrigins = props.consoleOrigins ?? [this.console.origin];
    if (identity.cognito) this.createUserPool(this.console.origin, identity.cognitoDomainPrefix);
    this.exportsBucket = new Bucket(this, 'Exports', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'exports-bucket/',
      // Exports are copies made on demand: the records of truth are the table and the audit trail.
      lifecycleRules: [
        { id: 'expire-exports', prefix: PREFIX.exports, expiration: Duration.days(7) },
        { id: 'expire-uploads', prefix: PREFIX.uploads, expiration: Duration.days(7) },
        // Bank files hold full account numbers: gone the next day.
        { id: 'expire-bank-files', prefix: PREFIX.bank, expiration: Duration.days(1) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      ...(consoleOrigins.length
        ? {
            cors: [
              {
                allowedOrigins: consoleOrigins,
                allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
                allowedHeaders: ['*'],
                maxAge: 3600,
              },
            ],
          }
        : {}),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    if (props.audit) AuditTrail.acknowledgeAnchorPrefix(this);
    // ── one function per route group ────────────────────────────────────────────────────────────────
    const machines = Object.values(props.stateMachines);
    for (const group of Object.keys(FUNCTIONS) as RouteGroup[]) {
      const spec = FUNCTIONS[group];
      const fn = new ApiFunction(this, `Api${pascal(group)}`, {
        group,
        description: spec.description,
        memoryMb: spec.memoryMb ?? 512,
      });
      for (const [name, value] of Object.entries(claims)) fn.addEnvironment(name, value);
      fn.bindTable(props.table);
      if (apiUsesTable(group)) props.audit?.grant(fn);
      if (spec.states) {
        fn.addToRolePolicy(
          new PolicyStatement({ actions: spec.states, resources: machines.map((m) => m.stateMachineArn) }),
        );
        for (const [kind, machine] of Object.entries(props.stateMachines))
          fn.addEnvironment(`STATE_MACHINE_${kind.toUpperCase()}`, machine.stateMachineArn);
      }
      if (spec.executions) grantOnExecutions(this, fn, props.machineNames, spec.executions);
      if (spec.objects || spec.list) fn.addEnvironment('EXPORT_BUCKET', this.exportsBucket.bucketName);
      for (const grant of spec.objects ?? []) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: grant.actions,
            resources: [this.exportsBucket.arnForObjects(`${grant.prefix}*`)],
          }),
        );
      }
      if (spec.list) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['s3:ListBucket'],
            resources: [this.exportsBucket.bucketArn],
            conditions: { StringLike: { 's3:prefix': [`${spec.list}*`] } },
          }),
        );
      }
      this.functions[group] = fn;
    }
    if (props.imports) this.wireImports(this.functions.datasets, props.imports);
    (this as { jobRunner: HandlerFunction }).jobRunner = this.createJobRunner(props);

    // ── the HTTP API ────────────────────────────────────────────────────────────────────────────────
    // A JWT authorizer against any OIDC issuer: API Gateway fetches its keys from the issuer's discovery
    // document. With Cognito the issuer is the user pool and the audience its console client.
    const authorizer = new HttpJwtAuthorizer(
      'Jwt',
      this.userPool
        ? `https://cognito-idp.${this.region}.${this.urlSuffix}/${this.userPool.userPoolId}`
        : identity.issuer!,
      {
        jwtAudience: this.userPoolClient ? [this.userPoolClient.userPoolClientId] : identity.audience,
        identitySource: ['$request.header.Authorization'],
      },
    );
    const apiDomain = props.target.apiDomain
      ? new DomainName(this, 'ApiDomain', {
          domainName: props.target.apiDomain.name,
          certificate: Certificate.fromCertificateArn(
            this,
            'ApiCertificate',
            props.target.apiDomain.certificateArn,
          ),
        })
      : undefined;
    this.api = new HttpApi(this, 'Api', {
      apiName: 'medcomm-api',
      description: 'MedComm Pay HTTP API',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
      // In China non-IAM auth is served on the ICP-registered domain only: no second way in.
      disableExecuteApiEndpoint: apiDomain !== undefined,
      ...(consoleOrigins.length
        ? {
            corsPreflight: {
              allowOrigins: consoleOrigins,
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
              allowHeaders: ['authorization', 'content-type'],
              exposeHeaders: ['content-disposition'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    const accessLogGroup = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const throttle = props.throttle ?? { rateLimit: 50, burstLimit: 100 };
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      ...(apiDomain ? { domainMapping: { domainName: apiDomain } } : {}),
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            user: `$context.authorizer.claims.${/^\w+$/.test(identity.userClaim) ? identity.userClaim : 'sub'}`,
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            bytes: '$context.responseLength',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    const integrations = new Map<RouteGroup, HttpLambdaIntegration>();
    for (const key of ROUTE_KEYS) {
      const group = ROUTES[key].group;
      let integration = integrations.get(group);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(group)}Integration`, this.functions[group]);
        integrations.set(group, integration);
      }
      const { method, path } = routeParts(key);
      this.api.addRoutes({ path, methods: [HttpMethod[method]], integration });
    }

    new CfnOutput(this, 'ApiUrl', {
      value: apiDomain ? `https://${props.target.apiDomain!.name}` : this.stage.url,
      description: 'Base URL of the HTTP API (routes under /api)',
    });
    if (apiDomain)
      new CfnOutput(this, 'ApiDomainTarget', {
        value: apiDomain.regionalDomainName,
        description: 'CNAME the ICP-registered API domain to this',
      });
    new CfnOutput(this, 'ConsoleBucketName', { value: this.console.bucket.bucketName });
    new CfnOutput(this, 'ConsoleUrl', { value: this.console.origin });
    new CfnOutput(this, 'ConsoleDistributionDomain', {
      value: this.console.distribution.distributionDomainName,
      description: 'CNAME the console domain to this',
    });
    if (this.userPool && this.userPoolClient) {
      new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    }
    new CfnOutput(this, 'ExportsBucketName', { value: this.exportsBucket.bucketName });

    this.acknowledgeNagFindings();
  }

  /** A Cognito user pool as the identity provider (where Cognito exists): no self sign-up, groups per role. */
  private createUserPool(consoleOrigin: string, domainPrefix: string): void {
    const userPool = new UserPool(this, 'Users', {
      userPoolName: 'medcomm-users',
      // Accounts are created by an administrator for named county staff, never by sign-up.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // The scope of the `member` and `staff` groups (shared/api/scope.ts): set by an administrator.
      customAttributes: {
        institutionId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
        staffId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      // Threat protection: compromised-credential checks and adaptive challenges on risky sign-ins.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Tenancy: `commission` holds across the deployment and is named bare; every other group is named per
    // community (`xingguo:finance`), for the communities listed in the context `medcomm:communities` (a
    // county that joins later gets its groups by adding it there, or with `aws cognito-idp create-group`).
    const communities = (this.node.tryGetContext('medcomm:communities') as string[] | undefined) ?? [];
    for (const group of DEPLOYMENT_GROUPS)
      userPool.addGroup(`Group${pascal(group)}`, { groupName: group, description: GROUP_NAMES[group] });
    communities.forEach((community, i) => {
      for (const group of GROUPS.filter((g) => !(DEPLOYMENT_GROUPS as readonly string[]).includes(g)))
        userPool.addGroup(`Group${i}${pascal(group)}`, {
          groupName: `${community}:${group}`,
          description: `${community} · ${GROUP_NAMES[group]}`,
        });
    });
    this.userPoolClient = userPool.addClient('Console', {
      userPoolClientName: 'medcomm-console',
      authFlows: { userSrp: true },
      // The console signs in with the authorization-code flow and PKCE (console/src/auth/oidc.ts).
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.PROFILE, OAuthScope.EMAIL],
        callbackUrls: [`${consoleOrigin}/`],
        logoutUrls: [`${consoleOrigin}/`],
      },
      generateSecret: false,
      // Users read their scope but may not write it: a member who could set custom:institutionId would
      // see (and appeal for) any institution. Only an administrator sets it.
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, preferredUsername: true })
        .withCustomAttributes('institutionId', 'staffId'),
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true }),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    Validations.of(userPool).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG2',
      reason:
        'MFA is optional (TOTP offered to every user) because many township and village staff sign in from shared office PCs without an enrolled device; Plus-tier threat protection runs in full-function mode and challenges risky sign-ins, and the passwords are 12+ characters with all character classes.',
    });
    userPool.addDomain('HostedSignIn', { cognitoDomain: { domainPrefix } });
    this.userPool = userPool;
  }

  /**
   * The datasets function presigns PUTs under `uploads/` of the import bucket (a presigned URL carries its
   * signer's rights: PutObject there and nothing else) and starts the import state machine; a retried start
   * reads the existing execution's input (shared/api/import-starter.ts).
   */
  private wireImports(fn: ApiFunction, imports: NonNullable<ApiStackProps['imports']>): void {
    fn.addEnvironment('IMPORT_BUCKET', imports.bucket.bucketName);
    fn.addEnvironment('STATE_MACHINE_IMPORT', imports.machine.stateMachineArn);
    // The bucket's ARN under an export name of ours, so the grant (and its cdk-nag acknowledgement) reads the same every synth.
    const producer = Stack.of(imports.bucket);
    const arnExport = `${producer.stackName}-ImportBucketArn`;
    producer.exportValue(imports.bucket.bucketArn, { name: arnExport });
    this.importBucketArn = Fn.importValue(arnExport);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [`${this.importBucketArn}/${PREFIX.uploads}*`],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [imports.machine.stateMachineArn],
      }),
    );
    grantOnExecutions(this, fn, [imports.machineName], ['states:DescribeExecution']);
    Validations.of(this).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arnExport}/${PREFIX.uploads}*]`,
      reason: `Uploads get fresh keys (community, user and a UUID per import) at run time, so the datasets function may presign PUTs on the ${PREFIX.uploads} prefix of the import bucket only, and the job runner read a correction's files there.`,
    });
  }

  /**
   * The job runner (functions/run-api-job.ts, issue 12): 15 minutes and the import parse's memory, the
   * table access its code uses, the audit chain, and the exports bucket's `exports/` and `bank/` prefixes
   * for the files it hands out as links. The route functions that start jobs may invoke it and nothing
   * else; an event it fails (or that waits over an hour) goes to a queue, not retried — a job's record
   * then reads failed (shared/api/jobs.ts jobView) and its asker starts it again.
   */
  private createJobRunner(props: ApiStackProps): HandlerFunction {
    const runner = new HandlerFunction(this, { functionId: 'RunApiJob' }).bindTable(props.table);
    props.audit?.grant(runner);
    runner.addEnvironment('EXPORT_BUCKET', this.exportsBucket.bucketName);
    if (props.imports && this.importBucketArn) {
      // A correction's files (issue 12) are uploaded as a dataset's are: the runner reads them there.
      runner.addEnvironment('IMPORT_BUCKET', props.imports.bucket.bucketName);
      runner.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [`${this.importBucketArn}/${PREFIX.uploads}*`],
        }),
      );
      runner.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [this.importBucketArn],
          conditions: { StringLike: { 's3:prefix': [`${PREFIX.uploads}*`] } },
        }),
      );
    }
    runner.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [PREFIX.exports, PREFIX.bank].map((p) => this.exportsBucket.arnForObjects(`${p}*`)),
      }),
    );
    const failures = new Queue(this, 'JobFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(failures).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        "This queue is itself the on-failure destination of the API's job runner (its failed or expired events).",
    });
    runner.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.seconds(JOB_QUEUE_SECONDS),
      onFailure: new SqsDestination(failures),
    });
    (this as { jobFailures: Queue }).jobFailures = failures;
    if (props.alarms) {
      // A job nobody will see end (its runner failed or its event expired) needs a person, as a failed cycle.
      const alarm = new Alarm(this, 'JobFailed', {
        metric: failures.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription:
          "An API job's event failed in the runner or expired unstarted: it is in the jobs' failure queue.",
      });
      alarm.addAlarmAction(new SnsAction(props.alarms));
    }
    for (const group of Object.keys(FUNCTIONS) as RouteGroup[]) {
      if (!FUNCTIONS[group].jobs) continue;
      const fn = this.functions[group];
      fn.addEnvironment('API_JOB_FUNCTION', runner.functionName);
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [runner.functionArn] }),
      );
    }
    return runner;
  }

  /** cdk-nag findings this stack accepts, each with a reason a reviewer can check. */
  private acknowledgeNagFindings(): void {
    acknowledgeNagFindings([this]);
    const bucket = this.getLogicalId(this.exportsBucket.node.defaultChild as CfnElement);
    for (const prefix of Object.values(PREFIX)) {
      Validations.of(this).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucket}.Arn>/${prefix}*]`,
        reason: `Export and upload objects get fresh keys (a UUID each) at run time, so the grant is on the ${prefix} prefix of our own exports bucket only, for the one function that writes or reads it.`,
      });
    }
  }
}
