/**
 * The one Lambda construct: fixes runtime, architecture, tracing, log retention and esbuild bundling
 * (local esbuild, never Docker) for every handler, and grants table access through `bindTable`.
 */

import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ALL_FUNCTIONS, type EdgeFunctionId, type FunctionId } from '../../functions/registry.js';

const functionsDir = fileURLToPath(new URL('../../functions/', import.meta.url));

/**
 * The DynamoDB actions the workflow steps issue (transactions need Put/Update per item). No step deletes
 * or batch-writes — only an import does, and it does not run in the workflows — so the audit trail, locks
 * and pay results stay append-only for them.
 */
const TABLE_ACTIONS = ['GetItem', 'PutItem', 'UpdateItem', 'Query', 'BatchGetItem'];

/**
 * What every Lambda of the product shares (workflow steps here, API routes in api-function.ts): Node 22
 * on ARM, X-Ray, ESM bundled by the local esbuild (never Docker).
 */
export const FUNCTION_DEFAULTS = {
  handler: 'handler',
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  tracing: Tracing.ACTIVE,
  environment: { NODE_OPTIONS: '--enable-source-maps' },
  bundling: {
    format: OutputFormat.ESM,
    target: 'node22',
    minify: true,
    sourceMap: true,
    forceDockerBundling: false,
    // ESM bundles need a require shim for CommonJS dependencies (fraction.js, the AWS SDK internals).
    banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  },
} satisfies Partial<NodejsFunctionProps>;

/** In the China regions Lambda has no X-Ray integration (infra/china-availability.ts): no active tracing there. */
export function tracingFor(scope: Construct): Tracing {
  const region = Stack.of(scope).region;
  return !Token.isUnresolved(region) && region.startsWith('cn-') ? Tracing.DISABLED : Tracing.ACTIVE;
}

export interface HandlerFunctionProps {
  functionId: FunctionId | EdgeFunctionId;
  environment?: Record<string, string>;
}

export class HandlerFunction extends NodejsFunction {
  constructor(scope: Construct, props: HandlerFunctionProps) {
    const spec = ALL_FUNCTIONS[props.functionId];
    const logGroup = new LogGroup(scope, `${props.functionId}Logs`, {
      retention: RetentionDays.SIX_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, props.functionId, {
      entry: `${functionsDir}${spec.entry}`,
      ...FUNCTION_DEFAULTS,
      tracing: tracingFor(scope),
      description: spec.description,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      logGroup,
      environment: { ...FUNCTION_DEFAULTS.environment, ...props.environment },
    });
  }

  /**
   * Item-level access to the table — exactly the actions the workflow steps use, on the table only (the
   * store reads no index yet) — and its name in the environment.
   */
  bindTable(table: ITable): this {
    this.addToRolePolicy(
      new PolicyStatement({
        actions: TABLE_ACTIONS.map((a) => `dynamodb:${a}`),
        resources: [table.tableArn],
      }),
    );
    this.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }
}
