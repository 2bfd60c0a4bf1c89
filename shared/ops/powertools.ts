/**
 * Powertools for AWS Lambda in one place: the logger, the metrics and the tracer every handler shares,
 * and what one invocation does with them (`begin`): a log line when it starts and when it ends — each
 * with the cycle, institution and request id — the step's metrics in one EMF line, and an X-Ray
 * subsegment around it. The cycle steps use it through shared/ops/step.ts, the API through
 * shared/ops/api.ts; nothing else imports Powertools.
 *
 * No personal data: a line carries keys (community, cycle, institution ids, request id), durations and
 * counts. An error is logged by its name, code and stack frames — its message may quote a person (an
 * import issue, a changed account), so only a hash of it is kept to match it with the execution
 * history or the API's answer. Responses and events are never logged or traced.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import {
  type AwsClient,
  type InvocationScope,
  newScope,
  type StepKeys,
  traceAwsClientsWith,
} from './invocation.js';
import { type OperationsSettings, operationsSettings } from './settings.js';

export type { Logger } from '@aws-lambda-powertools/logger';

export interface InvocationStart {
  /** Metric dimension and log key: `step` (a workflow function) or `api` (a route group). */
  kind: 'step' | 'api';
  /** The function id (functions/registry.ts) or the API route group. */
  name: string;
  keys: StepKeys & { route?: string };
  /** The request id to put on every line: API Gateway's for the API, else the Lambda's (local: a new one). */
  requestId?: string;
  context?: Context;
  /** The invocation's scope, when the caller had to enter it before Powertools was loaded. */
  scope?: InvocationScope;
}

export interface Invocation {
  log: Logger;
  scope: InvocationScope;
  /** The invocation ended well (or, for the API, with an answer): its line and its metrics. */
  finish(fields?: { status?: number; institutions?: number }): void;
  /** The invocation threw: its line (no message, see above) and its metrics. */
  fail(error: unknown, fields?: { status?: number }): void;
}

export interface Operations {
  settings: OperationsSettings;
  logger: Logger;
  tracer: Tracer;
  begin(start: InvocationStart): Invocation;
}

/** Name, code and where — never the message (see the module's comment). */
export function describeError(error: unknown): Record<string, unknown> {
  const e = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown; stack?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    ...(typeof e.code === 'string' && /^[\w.-]{1,64}$/.test(e.code) ? { code: e.code } : {}),
    messageSha256: createHash('sha256').update(message).digest('hex').slice(0, 16),
    ...(typeof e.stack === 'string'
      ? {
          at: e.stack
            .split('\n')
            .filter((line) => /^\s+at /.test(line))
            .slice(0, 8)
            .map((line) => line.trim()),
        }
      : {}),
  };
}

function create(settings: OperationsSettings): Operations {
  const logger = new Logger({
    serviceName: settings.serviceName,
    logLevel: settings.logLevel as never,
  });
  const tracer = new Tracer({ serviceName: settings.serviceName, enabled: settings.tracing });
  if (tracer.isTracingEnabled())
    traceAwsClientsWith(<C extends AwsClient>(client: C) => tracer.captureAWSv3Client(client));
  let coldStart = true;

  const begin = (start: InvocationStart): Invocation => {
    const requestId = start.requestId ?? start.context?.awsRequestId ?? `local-${randomUUID()}`;
    const log = logger.createChild({
      persistentKeys: { [start.kind]: start.name, requestId, ...start.keys },
    });
    if (start.context) log.addContext(start.context);
    const scope = start.scope ?? newScope();
    const started = performance.now();
    const cold = coldStart;
    coldStart = false;

    // X-Ray: a subsegment for the invocation, annotated with the keys one searches traces by.
    const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const segment = parent?.addNewSubsegment(`## ${start.name}`);
    if (segment) {
      tracer.setSegment(segment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
      for (const key of ['community', 'cycleKind', 'period', 'revision', 'institution', 'route'] as const) {
        const value = start.keys[key];
        if (value !== undefined) tracer.putAnnotation(key, value);
      }
    }

    const publish = (failed: boolean, institutions: number | undefined, status: number | undefined) => {
      const durationMs = Math.round(performance.now() - started);
      if (settings.metrics) {
        const metrics = new Metrics({ namespace: settings.namespace, serviceName: settings.serviceName });
        if (cold) metrics.captureColdStartMetric(start.name);
        metrics.addDimension(start.kind, start.name);
        metrics.addMetadata('requestId', requestId);
        if (start.kind === 'step') {
          metrics.addMetric('StepDuration', MetricUnit.Milliseconds, durationMs);
          metrics.addMetric('StepFailures', MetricUnit.Count, failed ? 1 : 0);
          if (institutions !== undefined)
            metrics.addMetric('InstitutionsProcessed', MetricUnit.Count, failed ? 0 : institutions);
        } else {
          metrics.addMetric('RequestDuration', MetricUnit.Milliseconds, durationMs);
          metrics.addMetric('ServerErrors', MetricUnit.Count, failed ? 1 : 0);
        }
        metrics.addMetric('ThrottlesRetried', MetricUnit.Count, scope.throttlesRetried);
        metrics.publishStoredMetrics();
      }
      if (segment) {
        if (failed) segment.addErrorFlag();
        segment.close();
        if (parent) tracer.setSegment(parent);
      }
      return {
        durationMs,
        throttlesRetried: scope.throttlesRetried,
        ...(status !== undefined ? { status } : {}),
        ...(cold ? { coldStart: true } : {}),
      };
    };

    log.info(start.kind === 'step' ? 'step started' : 'request started');
    return {
      log,
      scope,
      finish(fields = {}) {
        const serverError = (fields.status ?? 0) >= 500;
        const outcome = publish(serverError, fields.institutions, fields.status);
        const line = {
          ...outcome,
          ...(fields.institutions !== undefined ? { institutionsProcessed: fields.institutions } : {}),
          // A Map iteration's batch came by reference: its end line names the ids its handler read.
          ...(scope.institutions && !start.keys.institutions ? { institutions: scope.institutions } : {}),
        };
        if (serverError) log.error('request failed', line);
        else log.info(start.kind === 'step' ? 'step finished' : 'request finished', line);
      },
      fail(error, fields = {}) {
        const outcome = publish(true, undefined, fields.status);
        log.error(start.kind === 'step' ? 'step failed' : 'request failed', {
          ...outcome,
          error: describeError(error),
        });
      },
    };
  };

  return { settings, logger, tracer, begin };
}

let current: { key: string; ops: Operations } | undefined;

/**
 * The process's Powertools, built from the environment when first needed; built again if the settings
 * changed (tests switch them).
 */
export function operations(): Operations {
  const settings = operationsSettings();
  const key = JSON.stringify([settings, process.env.POWERTOOLS_DEV ?? '']);
  if (current?.key !== key) current = { key, ops: create(settings) };
  return current.ops;
}

// In a Lambda, at cold start: the tracer is ready before any AWS client is made.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) operations();
