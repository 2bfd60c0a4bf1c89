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

export interface MedcommApp {
  app: App;
  data: DataStack;
  workflows: WorkflowStack;
  api: ApiStack;
}

export const STACK_NAMES = { data: 'MedcommData', workflows: 'MedcommWorkflows', api: 'MedcommApi' } as const;

export function buildApp(props: AppProps & { nag?: boolean } = {}): MedcommApp {
  const app = new App(props);
  const env = {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? 'cn-north-1',
  };
  const data = new DataStack(app, STACK_NAMES.data, { env, description: 'MedComm Pay — data (DynamoDB)' });
  const workflows = new WorkflowStack(app, STACK_NAMES.workflows, {
    env,
    table: data.table,
    description: 'MedComm Pay — appraisal and pay cycles (Step Functions, Lambda, Scheduler)',
  });
  acknowledgeNagFindings([data, workflows]);
  const api = new ApiStack(app, STACK_NAMES.api, {
    env,
    table: data.table,
    stateMachines: workflows.stateMachines,
    machineNames: Object.values(workflows.machineNames),
    description: 'MedComm Pay — HTTP API (Cognito, API Gateway, Lambda, exports bucket)',
  });
  // cdk-nag v3 runs as a policy-validation plugin: any unacknowledged finding fails the synth.
  if (props.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, data, workflows, api };
}
