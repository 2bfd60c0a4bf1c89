/**
 * The one wrapper of every workflow function (functions/registry.ts): applied where a handler is loaded
 * — by the local engine (loadHandler) and by the Lambda entry on AWS (functions/lambda-entry.ts) — never
 * inside a handler's own file. It logs the step's start and end with its cycle, institutions and
 * request id, publishes its metrics (duration, institutions processed, throttles retried) and traces
 * it (shared/ops/powertools.ts). The handler's result and error pass through untouched (Step Functions
 * retries and catches on the error's name).
 *
 * When operations are off (the local default, shared/ops/settings.ts) it calls the handler as it is and
 * Powertools is never loaded.
 */
import type { Context } from 'aws-lambda';
import { institutionsOf, runInScope, stepKeys } from './invocation.js';
import { operationsActive, operationsSettings } from './settings.js';

export type StepHandler<R = unknown> = (event: unknown, context?: Context) => Promise<R>;

let loading: Promise<typeof import('./powertools.js')> | undefined;
const powertools = () => {
  loading ??= import('./powertools.js');
  return loading;
};

export function withOperations<R>(functionId: string, handler: StepHandler<R>): StepHandler<R> {
  return async (event, context) => {
    if (!operationsActive(operationsSettings())) return handler(event, context);
    const keys = stepKeys(event);
    const invocation = (await powertools())
      .operations()
      .begin({ kind: 'step', name: functionId, keys, context });
    try {
      const result = await runInScope(invocation.scope, () => handler(event, context));
      // A batch given by reference: the institutions its handler read (shared/ops/invocation.ts).
      invocation.finish({ institutions: institutionsOf(keys) ?? invocation.scope.institutions?.length });
      return result;
    } catch (error) {
      invocation.fail(error);
      throw error;
    }
  };
}
