/**
 * Builds small CDK state machines inside a test, synthesizes them in-process and hands back what the
 * extractor found — the same path the real workflows take, only with throwaway graphs. Inline code keeps
 * synthesis free of bundling; handlers are bound by construct id, as the real wiring binds by cdk path.
 */

import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { JsonValue } from '../../../shared/local/asl/types.js';

/** Same shape as the engine's TaskHandler. */
type TaskHandler = (event: JsonValue) => unknown;

import {
  type ExtractedStateMachine,
  type ExtractedTemplate,
  extractStateMachines,
  findStateMachine,
} from '../../../shared/local/asl/extract.js';

export interface Harness {
  app: App;
  stack: Stack;
  fn(id: string, environment?: Record<string, string>): lambda.Function;
  stateMachine(id: string, chain: sfn.IChainable, props?: Partial<sfn.StateMachineProps>): sfn.StateMachine;
  synth(): ExtractedTemplate;
}

export function cdkHarness(stackName = 'AslTest'): Harness {
  const app = new App({
    // Built-in CloudFormation validation costs ~1.7 s per synth; these tests assert on the ASL instead.
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true },
  });
  const stack = new Stack(app, stackName);
  return {
    app,
    stack,
    fn: (id, environment) =>
      new lambda.Function(stack, id, {
        runtime: lambda.Runtime.NODEJS_20_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => null;'),
        ...(environment ? { environment } : {}),
      }),
    stateMachine: (id, chain, props) =>
      new sfn.StateMachine(stack, id, { definitionBody: sfn.DefinitionBody.fromChainable(chain), ...props }),
    synth: () => extractStateMachines(app.synth().getStackByName(stackName).template),
  };
}

/** Synthesizes and returns the one state machine named `name`, with handlers keyed by function construct id. */
export function synthOne(
  harness: Harness,
  name: string,
  handlersById: Record<string, TaskHandler>,
): { stateMachine: ExtractedStateMachine; taskHandlers: Record<string, TaskHandler> } {
  const extracted = harness.synth();
  const taskHandlers: Record<string, TaskHandler> = {};
  for (const fn of Object.values(extracted.functions)) {
    const handler = fn.constructPath ? handlersById[fn.constructPath] : undefined;
    if (handler) taskHandlers[fn.logicalId] = handler;
  }
  return { stateMachine: findStateMachine(extracted, name), taskHandlers };
}
