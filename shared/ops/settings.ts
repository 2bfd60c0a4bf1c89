/**
 * Whether logs, metrics and traces are on, from Powertools' own environment variables. On AWS
 * (AWS_LAMBDA_FUNCTION_NAME is set) they are, as the stacks configure them (infra/constructs/
 * handler-function.ts: powertoolsEnvironment). Locally — the CLI, the demo and the local API server run
 * the same handlers in-process — all three are off unless asked for: the CLI's stdout stays the user's
 * and no EMF line is printed. `POWERTOOLS_LOG_LEVEL=INFO` (logs) and `POWERTOOLS_METRICS_DISABLED=false`
 * (metrics) turn them on locally; tracing needs X-Ray, so only on AWS.
 */

export const SERVICE_NAME = 'medcomm-pay';
export const METRICS_NAMESPACE = 'MedCommPay';

export interface OperationsSettings {
  serviceName: string;
  namespace: string;
  /** A Powertools log level; SILENT writes nothing. */
  logLevel: string;
  metrics: boolean;
  tracing: boolean;
}

type Env = Record<string, string | undefined>;

// Powertools reads booleans the same way (commons getBooleanFromEnv).
const TRUE = new Set(['1', 'true', 'yes', 'on', 'y']);
const flag = (value: string | undefined): boolean | undefined =>
  value === undefined || value.trim() === '' ? undefined : TRUE.has(value.trim().toLowerCase());

export function operationsSettings(env: Env = process.env): OperationsSettings {
  const inLambda = (env.AWS_LAMBDA_FUNCTION_NAME ?? '') !== '';
  const disabled = flag(env.POWERTOOLS_METRICS_DISABLED);
  return {
    serviceName: env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME,
    namespace: env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
    logLevel: (env.POWERTOOLS_LOG_LEVEL || (inLambda ? 'INFO' : 'SILENT')).toUpperCase(),
    metrics: disabled === undefined ? inLambda : !disabled,
    tracing: inLambda && flag(env.POWERTOOLS_TRACE_ENABLED) !== false,
  };
}

/** Whether anything is on: when not, the wrappers do nothing and Powertools is never loaded. */
export const operationsActive = (s: OperationsSettings): boolean =>
  s.logLevel !== 'SILENT' || s.metrics || s.tracing;
