/**
 * The CDK app: a data stack (the table) and a workflow stack (functions, state machines, schedules).
 * `buildApp` is also what the local engine synthesizes in-process to get the very same definitions.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeNagFindings } from './nag-suppressions.js';
import { ApiStack } from './stacks/api-stack.js';
import { DataStack } from './stacks/data-stack.js';
import { WorkflowStack } from './stacks/workflow-stack.js';
import { selectTarget, type Target } from './targets.js';

export interface MedcommApp {
  app: App;
  data: DataStack;
  workflows: WorkflowStack;
  api: ApiStack;
  target: Target & { name: string };
}

export const STACK_NAMES = { data: 'MedcommData', workflows: 'MedcommWorkflows', api: 'MedcommApi' } as const;

/**
 * The app for one target of cdk.json's `medcomm.targets` (`target`, else `-c medcomm.target=…`, else
 * aws-cn): its region, identity provider and domains.
 */
export function buildApp(props: AppProps & { nag?: boolean; target?: string } = {}): MedcommApp {
  const app = new App(props);
  const target = selectTarget(app, props.target);
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: target.region };
  const data = new DataStack(app, STACK_NAMES.data, { env, description: 'MedComm Pay — data (DynamoDB)' });
  const workflows = new WorkflowStack(app, STACK_NAMES.workflows, {
    env,
    table: data.table,
    audit: data.audit,
    // The console PUTs uploads to the import bucket: its own domain when the target names one.
    ...(target.console.domain ? { uploadOrigins: [`https://${target.console.domain}`] } : {}),
    description: 'MedComm Pay — appraisal and pay cycles (Step Functions, Lambda, Scheduler)',
  });
  acknowledgeNagFindings([data, workflows]);
  const api = new ApiStack(app, STACK_NAMES.api, {
    env,
    table: data.table,
    audit: data.audit,
    target,
    stateMachines: workflows.stateMachines,
    machineNames: Object.values(workflows.machineNames),
    alarms: workflows.operations.topic,
    imports: {
      machine: workflows.importMachine,
      machineName: `${workflows.stackName}-import`,
      bucket: workflows.importBucket,
    },
    description: 'MedComm Pay — HTTP API (JWT/OIDC, API Gateway, Lambda, exports bucket, console hosting)',
  });
  // cdk-nag v3 runs as a policy-validation plugin: any unacknowledged finding fails the synth.
  if (props.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, data, workflows, api, target };
}
