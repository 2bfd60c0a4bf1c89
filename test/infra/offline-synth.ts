/**
 * The app as the infra tests that read templates synthesize it: offline (no stack's assets bundled),
 * without cdk-nag or CloudFormation's validation, which tests of their own run (partitions, api-stack).
 */
import { buildApp, STACK_NAMES } from '../../infra/app.js';
import { type AslMachine, definitionOf } from '../../infra/history-events.js';

/** The app of `target` (else cdk.json's default) and its cloud assembly. */
export function synthOffline(target?: 'aws' | 'aws-cn') {
  const built = buildApp({
    ...(target ? { target } : {}),
    nag: false,
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  return { ...built, assembly: built.app.synth({ validateOnSynthesis: false }) };
}

type Resources = Record<
  string,
  { Type: string; Properties: { DefinitionString: unknown; StateMachineName?: string } }
>;

/** The workflow stack's state machines, by the last part of their names (`monthly`, …, `import`). */
export function workflowMachines(): Record<string, AslMachine> {
  const template = synthOffline().assembly.getStackByName(STACK_NAMES.workflows).template as {
    Resources: Resources;
  };
  const machines: Record<string, AslMachine> = {};
  for (const r of Object.values(template.Resources))
    if (r.Type === 'AWS::StepFunctions::StateMachine')
      machines[String(r.Properties.StateMachineName).split('-').pop()!] = definitionOf(r);
  return machines;
}
