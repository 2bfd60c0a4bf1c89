/**
 * The one Lambda construct: fixes runtime, architecture, tracing, log retention and esbuild bundling
 * (local esbuild, never Docker) for every handler, and grants table access through `bindTable`. Each
 * workflow function is bundled from the one entry functions/lambda-entry.ts, which wraps the function's
 * handler with Powertools (shared/ops/step.ts); every function gets the Powertools environment.
 */

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import {
  type ICommandHooks,
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ALL_FUNCTIONS, type EdgeFunctionId, type FunctionId } from '../../functions/registry.js';
import { BUNDLED_PARSE_WORKER } from '../../shared/dataset/stream.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../shared/ops/settings.js';
import { TABLE_ACCESS, tableStatements } from '../table-access.js';

const functionsDir = fileURLToPath(new URL('../../functions/', import.meta.url));
/** Every workflow function's bundle starts here; esbuild puts the function's module behind its import. */
const stepEntry = `${functionsDir}lambda-entry.ts`;

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

/** The import's parse worker (issue 17), bundled beside a function's index.mjs where stream.ts looks for it. */
const parseWorkerEntry = fileURLToPath(new URL('../../shared/dataset/parse-worker.ts', import.meta.url));
/** The esbuild NodejsFunction bundles with (the project's own: local, never Docker). */
const esbuildBin = () =>
  join(dirname(createRequire(import.meta.url).resolve('esbuild/package.json')), 'bin', 'esbuild');
const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/**
 * PrepareImport reads workload.csv on a worker thread (shared/dataset/parse-worker.ts) as the CLI does:
 * its 3,008 MB Lambda has 2 vCPUs (Lambda gives CPU in proportion to memory, a second vCPU above
 * 1,769 MB), so the parse runs beside the encoding, hashing and staging of the chunks instead of taking
 * turns with them. WorkloadWorker.spawn starts the file named BUNDLED_PARSE_WORKER beside the bundle,
 * else parses on its own thread, so the worker is bundled into the same asset after the function: ESM
 * like index.mjs, for the same runtime, with the same require shim and source map.
 */
function parseWorkerHooks(): ICommandHooks {
  const { target, banner } = FUNCTION_DEFAULTS.bundling;
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) => [
      [
        esbuildBin(),
        parseWorkerEntry,
        '--bundle',
        '--platform=node',
        '--format=esm',
        `--target=${target}`,
        '--minify',
        '--sourcemap',
        '--log-level=warning',
        `--banner:js=${banner}`,
        `--outfile=${join(outputDir, BUNDLED_PARSE_WORKER)}`,
      ]
        .map(quote)
        .join(' '),
    ],
  };
}

/** In the China regions Lambda has no X-Ray integration (infra/china-availability.ts): no active tracing there. */
export function tracingFor(scope: Construct): Tracing {
  const region = Stack.of(scope).region;
  return !Token.isUnresolved(region) && region.startsWith('cn-') ? Tracing.DISABLED : Tracing.ACTIVE;
}

/**
 * Powertools' configuration (shared/ops/settings.ts reads it): one service name and metrics namespace for
 * the product, INFO logs, and the tracer off where the partition has no X-Ray for Lambda (tracingFor).
 */
export function powertoolsEnvironment(scope: Construct): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_TRACE_ENABLED: String(tracingFor(scope) === Tracing.ACTIVE),
    // Errors and responses can quote people: traces keep neither (shared/ops/powertools.ts).
    POWERTOOLS_TRACER_CAPTURE_ERROR: 'false',
    POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
  };
}

export interface HandlerFunctionProps {
  functionId: FunctionId | EdgeFunctionId;
  environment?: Record<string, string>;
}

export class HandlerFunction extends NodejsFunction {
  readonly functionId: FunctionId | EdgeFunctionId;

  constructor(scope: Construct, props: HandlerFunctionProps) {
    const spec = ALL_FUNCTIONS[props.functionId];
    const logGroup = new LogGroup(scope, `${props.functionId}Logs`, {
      retention: RetentionDays.SIX_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, props.functionId, {
      entry: stepEntry,
      ...FUNCTION_DEFAULTS,
      bundling: {
        ...FUNCTION_DEFAULTS.bundling,
        define: { MEDCOMM_FUNCTION_ID: JSON.stringify(props.functionId) },
        esbuildArgs: { '--alias': `medcomm-step-handler=${functionsDir}${spec.entry}` },
        ...('parseWorker' in spec && spec.parseWorker ? { commandHooks: parseWorkerHooks() } : {}),
      },
      tracing: tracingFor(scope),
      description: spec.description,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      logGroup,
      environment: {
        ...FUNCTION_DEFAULTS.environment,
        ...powertoolsEnvironment(scope),
        ...props.environment,
      },
    });
    this.functionId = props.functionId;
  }

  /**
   * Exactly the table access this handler's code uses (infra/table-access.ts: its actions, writes only to
   * its partitions) and the table's name in the environment.
   */
  bindTable(table: ITable): this {
    for (const statement of tableStatements(table, TABLE_ACCESS[this.functionId]))
      this.addToRolePolicy(statement);
    this.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }
}
