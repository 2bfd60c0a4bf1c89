/**
 * Turns a synthesized CloudFormation template into runnable ASL. The workflows exist once, as CDK state
 * graphs; this module reads what CDK synthesized (DefinitionString with Fn::Join/GetAtt/Ref/Sub pieces)
 * and resolves it offline, giving every Lambda function a placeholder ARN that names its logical id, so
 * the local engine can bind each Task state to the same handler code that runs on AWS.
 */

import { type AslDefinition, type AslState, isPlainObject, listStates, type StateScope } from './types.js';

export const LOCAL_PARTITION = 'aws';
export const LOCAL_REGION = 'local';
export const LOCAL_ACCOUNT = '000000000000';

const FUNCTION_ARN_PREFIX = `arn:${LOCAL_PARTITION}:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:`;

/** The placeholder ARN a Lambda function gets in an extracted definition. */
export function localFunctionArn(logicalId: string, qualifier?: string): string {
  return `${FUNCTION_ARN_PREFIX}${logicalId}${qualifier ? `:${qualifier}` : ''}`;
}

/** Reads a placeholder ARN back; undefined for anything else. */
export function parseLocalFunctionArn(arn: string): { logicalId: string; qualifier?: string } | undefined {
  if (!arn.startsWith(FUNCTION_ARN_PREFIX)) return undefined;
  const [logicalId, qualifier] = arn.slice(FUNCTION_ARN_PREFIX.length).split(':');
  if (!logicalId) return undefined;
  return qualifier ? { logicalId, qualifier } : { logicalId };
}

export interface ExtractedFunction {
  logicalId: string;
  /** `aws:cdk:path` metadata, e.g. `Stack/ScoreMonth/Resource` (needs `aws:cdk:enable-path-metadata`). */
  path?: string;
  /** The construct path without the stack and the trailing `/Resource`, e.g. `ScoreMonth`. */
  constructPath?: string;
  handler?: string;
  runtime?: string;
  /** `Code` as synthesized: `{ZipFile}` for inline code, `{S3Bucket, S3Key}` for assets. */
  code?: unknown;
  /** `Environment.Variables` as synthesized (values may still hold Ref/GetAtt objects). */
  environment: Record<string, unknown>;
  timeoutSeconds?: number;
  /** `aws:asset:path` metadata of bundled code, when present. */
  assetPath?: string;
  properties: Record<string, unknown>;
}

/**
 * How a Task state reaches its work:
 * - `lambda`: the Resource is the function ARN (CDK `payloadResponseOnly: true`); the result is the raw
 *   return value of the function.
 * - `lambda:invoke`: `arn:aws:states:::lambda:invoke`; the result is the Invoke envelope `{Payload, …}`.
 * - `lambda:invoke.waitForTaskToken`: a callback; the result is what `SendTaskSuccess` sends.
 * - `other`: any other service integration, or a FunctionName chosen at run time.
 */
export type TaskIntegration = 'lambda' | 'lambda:invoke' | 'lambda:invoke.waitForTaskToken' | 'other';

export interface ExtractedTask {
  stateName: string;
  scope: StateScope;
  integration: TaskIntegration;
  resource: string;
  /** Logical id of the Lambda function the state invokes, when it is known before the run. */
  functionLogicalId?: string;
  qualifier?: string;
}

export interface ExtractedStateMachine {
  logicalId: string;
  /** Readable name: the construct path (`MonthlyCycle`), else `StateMachineName`, a `Name` tag, the id. */
  name: string;
  path?: string;
  stateMachineName?: string;
  /** The resolved ASL, exactly as synthesized apart from the placeholder ARNs. */
  definition: AslDefinition;
  /** Every Task state (top level, Map and Parallel included), by state name. */
  tasks: Record<string, ExtractedTask>;
  /** State name → function logical id, for the Task states that invoke a known Lambda function. */
  taskFunctions: Record<string, string>;
}

export interface ExtractedTemplate {
  stateMachines: ExtractedStateMachine[];
  /** Every `AWS::Lambda::Function` of the template, by logical id. */
  functions: Record<string, ExtractedFunction>;
}

export interface ExtractOptions {
  /** Value for `AWS::StackName` references; defaults to the first segment of the resources' cdk paths. */
  stackName?: string;
}

type Resources = Record<
  string,
  { Type?: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
>;

/** Extracts every state machine of a synthesized template, with its Task → function bindings. */
export function extractStateMachines(template: unknown, options: ExtractOptions = {}): ExtractedTemplate {
  if (!isPlainObject(template) || !isPlainObject(template.Resources)) {
    throw new Error('Expected a synthesized CloudFormation template (an object with "Resources").');
  }
  const resources = template.Resources as Resources;
  const parameters = isPlainObject(template.Parameters)
    ? (template.Parameters as Record<string, unknown>)
    : {};
  const stackName = options.stackName ?? guessStackName(resources) ?? 'LocalStack';
  const resolver = new IntrinsicResolver(resources, parameters, stackName);

  const functions: Record<string, ExtractedFunction> = {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::Lambda::Function')
      functions[logicalId] = describeFunction(logicalId, resource);
  }

  const stateMachines: ExtractedStateMachine[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const props = resource.Properties ?? {};
    const definition = resolveDefinition(logicalId, props, resolver);
    const path = metadataString(resource, 'aws:cdk:path');
    const stateMachineName = typeof props.StateMachineName === 'string' ? props.StateMachineName : undefined;
    const nameTag = Array.isArray(props.Tags)
      ? (props.Tags as Array<{ Key?: unknown; Value?: unknown }>).find((t) => t.Key === 'Name')?.Value
      : undefined;
    const name =
      (path && constructPathOf(path)) ??
      stateMachineName ??
      (typeof nameTag === 'string' ? nameTag : undefined) ??
      logicalId;
    const tasks = bindTasks(logicalId, definition, functions);
    const taskFunctions: Record<string, string> = {};
    for (const task of Object.values(tasks)) {
      if (task.functionLogicalId) taskFunctions[task.stateName] = task.functionLogicalId;
    }
    stateMachines.push({
      logicalId,
      name,
      ...(path ? { path } : {}),
      ...(stateMachineName ? { stateMachineName } : {}),
      definition,
      tasks,
      taskFunctions,
    });
  }
  return { stateMachines, functions };
}

/** Picks one state machine by readable name, `StateMachineName`, logical id or cdk path. */
export function findStateMachine(extracted: ExtractedTemplate, key: string): ExtractedStateMachine {
  const found = extracted.stateMachines.filter(
    (sm) => sm.name === key || sm.logicalId === key || sm.stateMachineName === key || sm.path === key,
  );
  if (found.length === 1) return found[0]!;
  const known = extracted.stateMachines.map((sm) => sm.name).join(', ') || '(none)';
  if (found.length === 0)
    throw new Error(`No state machine named "${key}" in the template; found: ${known}.`);
  throw new Error(`"${key}" matches ${found.length} state machines (${known}); use the logical id.`);
}

function resolveDefinition(logicalId: string, props: Record<string, unknown>, resolver: IntrinsicResolver) {
  let text: string;
  if (props.DefinitionString !== undefined) {
    const resolved = resolver.resolve(props.DefinitionString);
    if (typeof resolved !== 'string') {
      throw new Error(`State machine ${logicalId}: DefinitionString did not resolve to a string.`);
    }
    text = resolved;
  } else if (props.Definition !== undefined) {
    text = JSON.stringify(resolver.resolve(props.Definition));
  } else {
    throw new Error(
      `State machine ${logicalId} has no DefinitionString or Definition (DefinitionS3Location is not supported locally).`,
    );
  }
  if (isPlainObject(props.DefinitionSubstitutions)) {
    // CloudFormation substitutes ${key} after resolving the definition's own intrinsics.
    for (const [key, raw] of Object.entries(props.DefinitionSubstitutions)) {
      const value = resolver.resolve(raw);
      text = text.split(`\${${key}}`).join(typeof value === 'string' ? value : JSON.stringify(value));
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `State machine ${logicalId}: the resolved definition is not JSON (${(error as Error).message}).`,
    );
  }
  if (!isPlainObject(parsed) || typeof parsed.StartAt !== 'string' || !isPlainObject(parsed.States)) {
    throw new Error(`State machine ${logicalId}: the resolved definition has no StartAt/States.`);
  }
  return parsed as unknown as AslDefinition;
}

const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke(\.waitForTaskToken)?$/;

/**
 * Every Task state of a definition with the function it invokes, read from the placeholder ARNs. The
 * engine uses this when it is given bare ASL instead of an ExtractedStateMachine.
 */
export function describeTasks(definition: AslDefinition): Record<string, ExtractedTask> {
  const tasks: Record<string, ExtractedTask> = {};
  for (const { name, state, scope } of listStates(definition)) {
    if (state.Type === 'Task') tasks[name] = classifyTask(name, scope, state, String(state.Resource ?? ''));
  }
  return tasks;
}

function bindTasks(
  stateMachineId: string,
  definition: AslDefinition,
  functions: Record<string, ExtractedFunction>,
): Record<string, ExtractedTask> {
  const tasks = describeTasks(definition);
  for (const task of Object.values(tasks)) {
    if (task.functionLogicalId && !functions[task.functionLogicalId]) {
      throw new Error(
        `State machine ${stateMachineId}, state "${task.stateName}": function ${task.functionLogicalId} is not an ` +
          'AWS::Lambda::Function of this template.',
      );
    }
  }
  return tasks;
}

function classifyTask(name: string, scope: StateScope, state: AslState, resource: string): ExtractedTask {
  const direct = parseLocalFunctionArn(resource);
  if (direct) {
    return { stateName: name, scope, integration: 'lambda', resource, ...bindingOf(direct) };
  }
  const invoke = LAMBDA_INVOKE.exec(resource);
  if (invoke) {
    const integration = invoke[1] ? 'lambda:invoke.waitForTaskToken' : 'lambda:invoke';
    const params = isPlainObject(state.Parameters) ? state.Parameters : {};
    const fn =
      typeof params.FunctionName === 'string' ? parseLocalFunctionArn(params.FunctionName) : undefined;
    return { stateName: name, scope, integration, resource, ...(fn ? bindingOf(fn) : {}) };
  }
  return { stateName: name, scope, integration: 'other', resource };
}

function bindingOf(fn: { logicalId: string; qualifier?: string }) {
  return { functionLogicalId: fn.logicalId, ...(fn.qualifier ? { qualifier: fn.qualifier } : {}) };
}

function describeFunction(logicalId: string, resource: Resources[string]): ExtractedFunction {
  const props = resource.Properties ?? {};
  const path = metadataString(resource, 'aws:cdk:path');
  const assetPath = metadataString(resource, 'aws:asset:path');
  const env = isPlainObject(props.Environment) && isPlainObject(props.Environment.Variables);
  const constructPath = path ? constructPathOf(path) : undefined;
  return {
    logicalId,
    ...(path ? { path } : {}),
    ...(constructPath ? { constructPath } : {}),
    ...(typeof props.Handler === 'string' ? { handler: props.Handler } : {}),
    ...(typeof props.Runtime === 'string' ? { runtime: props.Runtime } : {}),
    ...(props.Code !== undefined ? { code: props.Code } : {}),
    environment: env
      ? { ...((props.Environment as { Variables: Record<string, unknown> }).Variables ?? {}) }
      : {},
    ...(typeof props.Timeout === 'number' ? { timeoutSeconds: props.Timeout } : {}),
    ...(assetPath ? { assetPath } : {}),
    properties: props,
  };
}

function metadataString(resource: Resources[string], key: string): string | undefined {
  const value = resource.Metadata?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** `Stack/Workflows/Monthly/Resource` → `Workflows/Monthly`. */
function constructPathOf(path: string): string | undefined {
  const parts = path.split('/');
  parts.shift();
  if (parts.at(-1) === 'Resource') parts.pop();
  return parts.length > 0 ? parts.join('/') : undefined;
}

function guessStackName(resources: Resources): string | undefined {
  for (const resource of Object.values(resources)) {
    const path = metadataString(resource, 'aws:cdk:path');
    if (path) return path.split('/')[0];
  }
  return undefined;
}

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': LOCAL_PARTITION,
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * Resolves the intrinsic functions CDK emits in definitions, offline. References to Lambda functions
 * (Function, Version, Alias) become placeholder ARNs; other resources become readable placeholders
 * that a local handler can recognise but that no AWS call could use.
 */
class IntrinsicResolver {
  constructor(
    private readonly resources: Resources,
    private readonly parameters: Record<string, unknown>,
    private readonly stackName: string,
  ) {}

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (!isPlainObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const fn = keys[0]!;
      const arg = value[fn];
      switch (fn) {
        case 'Ref':
          return this.ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
          return this.getAtt(String(id), String(attr));
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown];
          const resolvedParts = this.resolve(parts);
          if (!Array.isArray(resolvedParts)) throw new Error('Fn::Join needs a list.');
          return resolvedParts.map((p) => this.asString(p, 'Fn::Join')).join(sep);
        }
        case 'Fn::Sub':
          return this.sub(arg);
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          const items = this.resolve(list);
          if (!Array.isArray(items)) throw new Error('Fn::Select needs a list.');
          return items[Number(this.resolve(index))];
        }
        case 'Fn::Split': {
          const [sep, text] = arg as [string, unknown];
          return this.asString(this.resolve(text), 'Fn::Split').split(sep);
        }
        case 'Fn::ImportValue':
        case 'Fn::If':
        case 'Fn::FindInMap':
        case 'Fn::GetAZs':
        case 'Fn::Base64':
        case 'Fn::Cidr':
          throw new Error(
            `${fn} in a state machine definition cannot be resolved locally; keep it out of workflows.`,
          );
        default:
          break;
      }
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
  }

  private asString(value: unknown, where: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new Error(`${where} resolved a piece to ${JSON.stringify(value)}, expected a string.`);
  }

  private ref(id: string): unknown {
    if (PSEUDO_PARAMETERS[id] !== undefined) return PSEUDO_PARAMETERS[id];
    if (id === 'AWS::StackName') return this.stackName;
    if (id === 'AWS::StackId') {
      return `arn:${LOCAL_PARTITION}:cloudformation:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stack/${this.stackName}/local`;
    }
    if (id in this.parameters) {
      const parameter = this.parameters[id];
      if (isPlainObject(parameter) && parameter.Default !== undefined) return parameter.Default;
      throw new Error(`Parameter ${id} has no Default, so the definition cannot be resolved locally.`);
    }
    const resource = this.resources[id];
    if (!resource) throw new Error(`Ref to unknown logical id ${id}.`);
    switch (resource.Type) {
      case 'AWS::Lambda::Function':
        return localFunctionArn(id);
      case 'AWS::Lambda::Version':
        return localFunctionArn(this.functionOf(id), id);
      case 'AWS::Lambda::Alias':
        return localFunctionArn(this.functionOf(id), String(resource.Properties?.Name ?? id));
      default:
        return id;
    }
  }

  private getAtt(id: string, attribute: string): unknown {
    const resource = this.resources[id];
    if (!resource) throw new Error(`Fn::GetAtt on unknown logical id ${id}.`);
    if (resource.Type === 'AWS::Lambda::Function' && attribute === 'Arn') return localFunctionArn(id);
    if (attribute === 'Arn') {
      const service = (resource.Type ?? 'AWS::Unknown::Resource').split('::')[1]?.toLowerCase() ?? 'unknown';
      return `arn:${LOCAL_PARTITION}:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:local/${id}`;
    }
    return `${id}.${attribute}`;
  }

  /** The function a Version or Alias points at (its FunctionName is a Ref or an ARN of the function). */
  private functionOf(id: string): string {
    const target = this.resources[id]?.Properties?.FunctionName;
    if (isPlainObject(target) && typeof target.Ref === 'string') return target.Ref;
    const resolved = this.resolve(target);
    const parsed = typeof resolved === 'string' ? parseLocalFunctionArn(resolved) : undefined;
    if (parsed) return parsed.logicalId;
    throw new Error(`Cannot tell which function ${id} refers to.`);
  }

  private sub(arg: unknown): string {
    const [template, vars]: [unknown, Record<string, unknown>] = Array.isArray(arg)
      ? [arg[0], isPlainObject(arg[1]) ? arg[1] : {}]
      : [arg, {}];
    if (typeof template !== 'string') throw new Error('Fn::Sub needs a string template.');
    return template.replace(/\$\{(!?)([^}]*)\}/g, (_match, bang: string, name: string) => {
      if (bang) return `\${${name}}`;
      if (name in vars) return this.asString(this.resolve(vars[name]), 'Fn::Sub');
      if (name.includes('.') && !name.startsWith('AWS::')) {
        const [id, attr] = name.split(/\.(.*)/s);
        return this.asString(this.getAtt(id!, attr!), 'Fn::Sub');
      }
      return this.asString(this.ref(name), 'Fn::Sub');
    });
  }
}
