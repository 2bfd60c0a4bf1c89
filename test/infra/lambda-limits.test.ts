/**
 * Lambda, API Gateway and Step Functions limits every synthesized function and state machine must respect, in
 * both partitions (the local engine enforces none of them):
 * - Lambda (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html): a timeout of at most
 *   900 s, 128–10,240 MB of memory, and at most 4 KB of environment variables in aggregate;
 * - API Gateway HTTP API (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html):
 *   an integration answers within 30 s, so a route's function must time out before API Gateway gives up;
 * - CloudFormation: 500 resources a stack, a template of at most 1 MB;
 * - Step Functions Standard (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html): an
 *   execution runs at most one year, and a `.waitForTaskToken` task without a timeout would park it that long
 *   if its token were lost.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_NAMES } from '../../infra/app.js';
import { type AslMachine, definitionOf } from '../../infra/history-events.js';
import { synthOffline } from './offline-synth.js';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Resources = Record<string, Resource>;

const LAMBDA_TIMEOUT_MAX = 900;
const ENVIRONMENT_MAX_BYTES = 4 * 1024;
const HTTP_API_INTEGRATION_TIMEOUT_MS = 30_000;
const STANDARD_EXECUTION_MAX_SECONDS = 365 * 24 * 3600;
/** What a deploy-time value (an ARN, a name, an import) can be at most: an ARN is up to 2,048 characters in IAM, but the ones here are far shorter; 256 is generous for a table, bucket, secret or state machine ARN. */
const TOKEN_BYTES = 256;

const templates: Record<string, Resources> = {};

beforeAll(() => {
  for (const target of ['aws', 'aws-cn'] as const) {
    const { assembly } = synthOffline(target);
    for (const stack of Object.values(STACK_NAMES))
      templates[`${target}/${stack}`] = (
        assembly.getStackByName(stack).template as { Resources: Resources }
      ).Resources;
  }
}, 120_000);

const each = (type: string) =>
  Object.entries(templates).flatMap(([stack, resources]) =>
    Object.entries(resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => ({ stack, id, resources, properties: r.Properties })),
  );

/** The environment's size as Lambda counts it (names and values), every deploy-time value at its longest. */
const environmentBytes = (variables: Record<string, unknown>) =>
  Object.entries(variables).reduce(
    (n, [name, value]) =>
      n + Buffer.byteLength(name) + (typeof value === 'string' ? Buffer.byteLength(value) : TOKEN_BYTES),
    0,
  );

describe('every Lambda function of both partitions', () => {
  it('has a timeout of at most 15 minutes and 128–10,240 MB of memory', () => {
    const functions = each('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(30);
    for (const { stack, id, properties } of functions) {
      expect(properties.Timeout as number, `${stack} ${id}`).toBeLessThanOrEqual(LAMBDA_TIMEOUT_MAX);
      expect(properties.MemorySize as number, `${stack} ${id}`).toBeGreaterThanOrEqual(128);
      expect(properties.MemorySize as number, `${stack} ${id}`).toBeLessThanOrEqual(10_240);
    }
  });

  it('keeps its environment under 4 KB even with every deploy-time value 256 bytes long', () => {
    let largest = 0;
    for (const { stack, id, properties } of each('AWS::Lambda::Function')) {
      const variables = (properties.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      const size = environmentBytes(variables ?? {});
      expect(size, `${stack} ${id}`).toBeLessThan(ENVIRONMENT_MAX_BYTES);
      largest = Math.max(largest, size);
    }
    // The check counts what it should: the function with the most state machines and buckets is well over 1 KB.
    expect(largest).toBeGreaterThan(1_024);
  });
});

describe('the HTTP API', () => {
  it("times every route's function out before API Gateway's 30 s integration timeout", () => {
    const integrations = each('AWS::ApiGatewayV2::Integration');
    expect(integrations.length).toBeGreaterThan(0);
    for (const { stack, id, resources, properties } of integrations) {
      const [fnId] = (properties.IntegrationUri as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      const timeoutMs = (properties.TimeoutInMillis as number | undefined) ?? HTTP_API_INTEGRATION_TIMEOUT_MS;
      expect(timeoutMs).toBeLessThanOrEqual(HTTP_API_INTEGRATION_TIMEOUT_MS);
      const fnTimeout = resources[fnId]!.Properties.Timeout as number;
      expect(fnTimeout * 1000, `${stack} ${id} → ${fnId}`).toBeLessThan(timeoutMs);
    }
  });
});

describe('every stack', () => {
  it("stays under CloudFormation's 500 resources and 1 MB of template, with room to grow (each API route is two resources)", () => {
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
    for (const [stack, resources] of Object.entries(templates)) {
      expect(Object.keys(resources).length, stack).toBeLessThan(400);
      expect(Buffer.byteLength(JSON.stringify(resources)), stack).toBeLessThan(1024 * 1024);
    }
  });
});

describe('every state machine', () => {
  const machines = () =>
    each('AWS::StepFunctions::StateMachine').map(({ stack, id, properties }) => ({
      name: `${stack} ${id}`,
      asl: definitionOf({ Properties: properties as { DefinitionString: unknown } }) as AslMachine & {
        TimeoutSeconds?: number;
      },
    }));

  it('ends within a Standard execution’s year, its definition well under the 1 MB a definition may have', () => {
    for (const { name, asl } of machines()) {
      expect(Buffer.byteLength(JSON.stringify(asl)), name).toBeLessThan(256 * 1024);
      expect(asl.TimeoutSeconds, name).toBeDefined();
      expect(asl.TimeoutSeconds!, name).toBeLessThan(STANDARD_EXECUTION_MAX_SECONDS);
    }
  });

  it('gives every task-token wait a timeout shorter than its execution’s', () => {
    let waits = 0;
    const visit = (machine: AslMachine, limit: number, name: string) => {
      for (const [stateName, state] of Object.entries(machine.States) as [
        string,
        AslMachine['States'][string] & { TimeoutSeconds?: number },
      ][]) {
        if (String(state.Resource ?? '').includes('waitForTaskToken')) {
          waits++;
          expect(state.TimeoutSeconds, `${name} ${stateName}`).toBeDefined();
          expect(state.TimeoutSeconds!, `${name} ${stateName}`).toBeLessThan(limit);
        }
        const inner = state.ItemProcessor ?? state.Iterator;
        if (inner) visit(inner, limit, name);
        for (const branch of state.Branches ?? []) visit(branch, limit, name);
      }
    };
    for (const { name, asl } of machines()) visit(asl, asl.TimeoutSeconds!, name);
    // Both partitions: the quarterly and annual finance reviews and the monthly §9.1 wait, each.
    expect(waits).toBe(6);
  });
});
