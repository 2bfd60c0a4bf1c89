/**
 * The workflow stack: one Lambda per handler, one Standard state machine per cycle built from
 * workflows/, and EventBridge Scheduler schedules in Asia/Shanghai time that start each cycle.
 */
import {
  type CfnElement,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FUNCTION_IDS } from '../../functions/registry.js';
import type { CycleFunctions } from '../../workflows/common.js';
import { CYCLE_DEFINITIONS } from '../../workflows/cycles.js';
import { importDefinition } from '../../workflows/import.js';
import { AuditTrail } from '../constructs/audit-trail.js';
import { HandlerFunction } from '../constructs/handler-function.js';
import { Operations } from '../constructs/operations.js';
import { acknowledgeFunctionVersions, grantOnExecutions } from '../nag-suppressions.js';

export interface WorkflowStackProps extends StackProps {
  table: ITable;
  /** The audit chain's key and anchors (DataStack); every function may append to the chain. */
  audit?: AuditTrail;
  /**
   * Origins of the web console that PUT files to the import bucket's presigned URLs (CORS): the console's
   * own domain when the target names one, else its CloudFront default domain (known only to the ApiStack).
   */
  uploadOrigins?: string[];
}

export const CYCLE_KINDS = ['monthly', 'quarterly', 'annual'] as const;

/** Monthly on the 5th for the previous month, quarterly on the 10th after a quarter, annual on 20 January. */
/**
 * When each cycle falls due (Asia/Shanghai). The starter runs daily from the due day to the 28th: a period
 * whose data is not complete waits (recorded, never started with rows missing) and is tried again the next
 * day; once started, a run is a no-op. The range is context (`medcomm:retryUntilDay`), 28 by default.
 */
const SCHEDULES = {
  monthly: { day: 5, month: '*' },
  quarterly: { day: 10, month: '1,4,7,10' },
  annual: { day: 20, month: '1' },
} as const;

/**
 * A state machine's log group, named under /aws/vendedlogs/: Step Functions adds every log group it logs to
 * to the account's CloudWatch Logs resource policy, which is capped at 5,120 characters per Region, and
 * groups under this prefix are exempt (https://docs.aws.amazon.com/step-functions/latest/dg/bp-cwl.html) —
 * otherwise a deployment beside others in the account could fail to create its state machines.
 */
export const stateMachineLogs = (scope: Construct, machineName: string): LogGroup =>
  new LogGroup(scope, 'Logs', {
    logGroupName: `/aws/vendedlogs/states/${machineName}`,
    retention: RetentionDays.SIX_MONTHS,
    // A fixed name: a group kept after the stack is deleted would stop the stack being created again.
    removalPolicy: RemovalPolicy.DESTROY,
  });

export class WorkflowStack extends Stack {
  readonly functions: Record<string, HandlerFunction> = {};
  readonly stateMachines: Record<(typeof CYCLE_KINDS)[number], sfn.StateMachine>;
  /** Fixed names (stack name + kind), so the executions' ARNs are known to grants before deployment. */
  readonly machineNames: Record<(typeof CYCLE_KINDS)[number], string>;
  /**
   * The import workflow (issue 12): started by the API's import-from-upload (the issue allows an S3 event
   * or an API call; no S3 event is wired: the uploads bucket has no notification).
   */
  readonly importMachine: sfn.StateMachine;
  /** Uploaded dataset files (`uploads/`) and an import's staged chunks (`import-chunks/`). */
  readonly importBucket: Bucket;
  /** Alarms, their SNS topic, the schedules' dead-letter queue. */
  readonly operations: Operations;

  private readonly uploadOrigins: string[];

  constructor(scope: Construct, id: string, props: WorkflowStackProps) {
    super(scope, id, props);
    this.uploadOrigins = props.uploadOrigins?.length ? props.uploadOrigins : ['https://*.cloudfront.net'];
    this.machineNames = Object.fromEntries(
      CYCLE_KINDS.map((kind) => [kind, `${this.stackName}-${kind}`]),
    ) as WorkflowStack['machineNames'];
    const fns = Object.fromEntries(
      FUNCTION_IDS.map((fid) => [fid, new HandlerFunction(this, { functionId: fid }).bindTable(props.table)]),
    ) as unknown as CycleFunctions & Record<string, HandlerFunction>;
    Object.assign(this.functions, fns);
    for (const fn of Object.values(fns) as HandlerFunction[]) props.audit?.grant(fn);

    const machines = {} as Record<(typeof CYCLE_KINDS)[number], sfn.StateMachine>;
    for (const kind of CYCLE_KINDS) {
      const scopeForKind = new Construct(this, `${kind[0]!.toUpperCase()}${kind.slice(1)}Cycle`);
      const logs = stateMachineLogs(scopeForKind, this.machineNames[kind]);
      machines[kind] = new sfn.StateMachine(scopeForKind, 'StateMachine', {
        stateMachineName: this.machineNames[kind],
        stateMachineType: sfn.StateMachineType.STANDARD,
        definitionBody: sfn.DefinitionBody.fromChainable(CYCLE_DEFINITIONS[kind](scopeForKind, fns)),
        timeout: Duration.days(45),
        tracingEnabled: true,
        logs: { destination: logs, level: sfn.LogLevel.ALL, includeExecutionData: false },
        comment: `MedComm Pay ${kind} cycle`,
      });
    }
    this.stateMachines = machines;
    [this.importMachine, this.importBucket] = this.importWorkflow(fns);

    const starter = new HandlerFunction(this, { functionId: 'StartScheduledCycle' }).bindTable(props.table);
    props.audit?.grant(starter);
    if (props.audit) AuditTrail.acknowledgeAnchorPrefix(this);
    this.operations = new Operations(this, 'Operations', {
      machines: { ...machines, import: this.importMachine },
      starter,
      table: props.table,
    });
    const operations = this.operations;
    for (const kind of CYCLE_KINDS) {
      machines[kind].grantStartExecution(starter);
      starter.addEnvironment(`STATE_MACHINE_${kind.toUpperCase()}`, machines[kind].stateMachineArn);
      const when = SCHEDULES[kind];
      const until = Number(this.node.tryGetContext('medcomm:retryUntilDay') ?? 28);
      new Schedule(this, `${kind}Schedule`, {
        description: `Starts the ${kind} cycle (daily from day ${when.day} until it has started)`,
        schedule: ScheduleExpression.cron({
          minute: '0',
          hour: '2',
          day: until > when.day ? `${when.day}-${until}` : String(when.day),
          month: when.month,
          timeZone: TimeZone.ASIA_SHANGHAI,
        }),
        target: new LambdaInvoke(starter, {
          input: ScheduleTargetInput.fromObject({ kind }),
          // A start the Scheduler cannot deliver goes to a dead-letter queue, which raises an alarm.
          deadLetterQueue: operations.scheduleDeadLetters,
          retryAttempts: 3,
          maxEventAge: Duration.hours(6),
        }),
      });
    }
    // A start answered ExecutionAlreadyExists compares the existing execution's input (sfn-port.ts).
    grantOnExecutions(this, starter, Object.values(this.machineNames), ['states:DescribeExecution']);
    acknowledgeFunctionVersions(this, [...Object.values(fns), starter]);
  }

  /**
   * The import state machine and its bucket: uploads are read from `uploads/`, chunks staged under
   * `import-chunks/` (both expire: an upload is imported once; chunks live for one run). Each function
   * gets exactly the objects its step touches.
   */
  private importWorkflow(fns: CycleFunctions & Record<string, HandlerFunction>): [sfn.StateMachine, Bucket] {
    const scope = new Construct(this, 'ImportWorkflow');
    const bucket = new Bucket(scope, 'Uploads', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [
        { prefix: 'import-chunks/', expiration: Duration.days(2) },
        { prefix: 'uploads/', expiration: Duration.days(30) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // The console PUTs files to presigned URLs (the signature is the grant; CORS lets the browser send).
      cors: [
        {
          allowedOrigins: this.uploadOrigins,
          allowedMethods: [HttpMethods.PUT],
          allowedHeaders: ['*'],
          maxAge: 3600,
        },
      ],
    });
    const objects = (prefix: string, actions: string[]) =>
      new PolicyStatement({ actions, resources: [bucket.arnForObjects(`${prefix}*`)] });
    const chunks = 'import-chunks/';
    const steps = {
      // A refusal found after chunks were staged (a frozen row, another import's lease) removes them.
      PrepareImport: [
        objects('uploads/', ['s3:GetObject']),
        objects(chunks, ['s3:PutObject', 's3:DeleteObject']),
      ],
      WriteImportChunk: [objects(chunks, ['s3:GetObject'])],
      // It reads the list of blob pages to remove (months a file gave twice) staged beside the chunks.
      FinishImport: [objects(chunks, ['s3:GetObject', 's3:DeleteObject'])],
      RecordImportFailure: [objects(chunks, ['s3:DeleteObject'])],
    } as const;
    for (const [id, statements] of Object.entries(steps)) {
      const fn = fns[id] as HandlerFunction;
      for (const statement of statements) fn.addToRolePolicy(statement);
      fn.addEnvironment('IMPORT_BUCKET', bucket.bucketName);
    }
    (fns.PrepareImport as HandlerFunction).addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': ['uploads/*'] } },
      }),
    );
    const logs = stateMachineLogs(scope, `${this.stackName}-import`);
    const machine = new sfn.StateMachine(scope, 'StateMachine', {
      stateMachineName: `${this.stackName}-import`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(importDefinition(scope, fns)),
      timeout: Duration.hours(2),
      tracingEnabled: true,
      logs: { destination: logs, level: sfn.LogLevel.ALL, includeExecutionData: false },
      comment: 'MedComm Pay dataset import',
    });
    const bucketId = this.getLogicalId(bucket.node.defaultChild as CfnElement);
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-S1',
        reason:
          'The import bucket holds uploads for one import and its staged chunks for one run (both expire); every import is recorded in the audit chain with who ran it, so access logs would add no record that matters.',
      },
      ...['uploads/', chunks].map((prefix) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        reason: `Uploaded files and staged chunks get fresh keys per import (a UUID each), so the grant is on the ${prefix} prefix of the import bucket only, for the steps that read or write it.`,
      })),
    );
    return [machine, bucket];
  }
}
