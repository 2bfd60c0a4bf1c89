/**
 * The Lambda entry of every workflow function on AWS (infra/constructs/handler-function.ts): esbuild
 * aliases `medcomm-step-handler` to the function's own module and defines MEDCOMM_FUNCTION_ID, so each
 * bundle holds one handler, wrapped with the operations (logs, metrics, traces) exactly as the local
 * engine wraps it (functions/registry.ts loadHandler) — the handler files themselves know nothing of it.
 */
import { handler as step } from 'medcomm-step-handler';
// Imported for its cold-start effect: logger, metrics and tracer exist before any AWS client is made.
import '../shared/ops/powertools.js';
import { withOperations } from '../shared/ops/step.js';

declare const MEDCOMM_FUNCTION_ID: string;

export const handler = withOperations(MEDCOMM_FUNCTION_ID, step);
