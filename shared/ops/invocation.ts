/**
 * What operations need from every invocation without loading Powertools (the local CLI never loads it
 * unless asked): the invocation's scope — kept in an AsyncLocalStorage, so handlers running side by side
 * in one process (the local engine's Map, the local API server) keep their own counts — the throttles
 * the AWS SDK clients met inside it, and the keys that name its cycle and institutions in logs.
 *
 * Keys only: community, cycle kind, period, revision and institution ids. Nothing from a person (names,
 * id numbers, accounts, amounts) is ever taken from an event.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface InvocationScope {
  /** Requests AWS throttled in this invocation and that were tried again (by the SDK or the store). */
  throttlesRetried: number;
  /**
   * The institutions of a batch the event named by reference only (a Map iteration: issue 12), once the
   * handler read them (shared/app/institution-batches.ts batchIds): its end line names them.
   */
  institutions?: string[];
}

const scopes = new AsyncLocalStorage<InvocationScope>();

export const newScope = (): InvocationScope => ({ throttlesRetried: 0 });

/** Runs `fn` with `scope` as the current invocation's. */
export const runInScope = <T>(scope: InvocationScope, fn: () => T): T => scopes.run(scope, fn);

/**
 * Makes `scope` the current invocation's for the rest of this asynchronous flow (a middy `before`
 * cannot wrap the handler; what it starts after this point sees the scope).
 */
export const enterScope = (scope: InvocationScope): void => scopes.enterWith(scope);

export const currentScope = (): InvocationScope | undefined => scopes.getStore();

/** Records, in the current invocation's scope, the institutions a batch reference resolved to. */
export const noteInstitutions = (ids: readonly string[]): void => {
  const scope = currentScope();
  if (scope) scope.institutions = [...ids];
};

/** The error names AWS services throttle with (DynamoDB, Step Functions, S3, Lambda, Secrets Manager). */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
]);

export const isThrottling = (error: unknown): boolean =>
  THROTTLING.has((error as { name?: string } | undefined)?.name ?? '');

/** A cancelled transaction whose reasons include throttling (the store tries it again). */
const throttledTransaction = (error: unknown): boolean =>
  (error as { name?: string }).name === 'TransactionCanceledException' &&
  ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).some(
    (r) => r.Code === 'ThrottlingError' || r.Code === 'ProvisionedThroughputExceeded',
  );

const nonEmpty = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && Object.keys(value).length > 0;

type Next = (args: unknown) => Promise<{ output?: Record<string, unknown> }>;
type Middleware = (next: Next, context: unknown) => Next;
interface MiddlewareOptions {
  step: 'initialize' | 'finalizeRequest';
  name: string;
  priority: 'high' | 'normal';
}
/** The part of an AWS SDK v3 client this module touches (every client has it; typed loosely for all). */
export interface AwsClient {
  middlewareStack: { add: (...args: never[]) => unknown };
}
const add = (client: AwsClient, middleware: Middleware, options: MiddlewareOptions) =>
  (client.middlewareStack.add as (m: Middleware, o: MiddlewareOptions) => unknown).call(
    client.middlewareStack,
    middleware,
    options,
  );

const count = () => {
  const scope = currentScope();
  if (scope) scope.throttlesRetried++;
};

/**
 * Counts throttling in the current invocation's scope, at the two places it shows:
 * - an attempt that failed with a throttling error (inside the SDK's retry loop, which tries it again:
 *   placed after the retry middleware, before the local AWS-limits model's throttle);
 * - a batch that handed back unprocessed items or keys, or a transaction cancelled by throttling (the
 *   store tries those again itself: counted once per request, outside everything).
 */
export function watchThrottles(client: AwsClient): void {
  add(
    client,
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (isThrottling(error)) count();
        throw error;
      }
    },
    { step: 'finalizeRequest', name: 'medcommThrottledAttempts', priority: 'normal' },
  );
  add(
    client,
    (next) => async (args) => {
      try {
        const out = await next(args);
        if (nonEmpty(out.output?.UnprocessedItems) || nonEmpty(out.output?.UnprocessedKeys)) count();
        return out;
      } catch (error) {
        if (throttledTransaction(error)) count();
        throw error;
      }
    },
    { step: 'initialize', name: 'medcommThrottledLeftovers', priority: 'high' },
  );
}

let tracing: (<C extends AwsClient>(client: C) => C) | undefined;

/** Set by shared/ops/powertools.ts where tracing is on (on AWS, in a partition with X-Ray). */
export function traceAwsClientsWith(capture: <C extends AwsClient>(client: C) => C): void {
  tracing = capture;
}

/** Every AWS SDK client the product makes goes through here: throttles counted, traced on AWS. */
export function instrumentAwsClient<C extends AwsClient>(client: C): C {
  watchThrottles(client);
  return tracing ? tracing(client) : client;
}

export interface StepKeys {
  community?: string;
  cycleKind?: string;
  period?: string;
  revision?: number;
  /** A step of one institution. */
  institution?: string;
  /** A step over a batch of institutions (a Map iteration's batch). */
  institutions?: string[];
  /** A Map iteration's reference to its batch, `list#index` (PrepareCycle stored the ids: issue 12). */
  batch?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The cycle and institution keys of a workflow event (whatever else it carries is not read). */
export function stepKeys(event: unknown): StepKeys {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const cycle = (typeof e.cycle === 'object' && e.cycle !== null ? e.cycle : {}) as Record<string, unknown>;
  const keys: StepKeys = {};
  const community = str(cycle.communityId) ?? str(e.communityId);
  if (community) keys.community = community;
  const kind = str(cycle.kind) ?? str(e.kind);
  if (kind) keys.cycleKind = kind;
  const period = str(cycle.period);
  if (period) keys.period = period;
  if (typeof cycle.revision === 'number') keys.revision = cycle.revision;
  const institution = str(e.institutionId);
  if (institution) keys.institution = institution;
  if (Array.isArray(e.institutionIds) && e.institutionIds.every((i) => typeof i === 'string'))
    keys.institutions = e.institutionIds as string[];
  const batch = (typeof e.batch === 'object' && e.batch !== null ? e.batch : {}) as Record<string, unknown>;
  if (Array.isArray(e.batch) && e.batch.every((i) => typeof i === 'string')) keys.institutions = e.batch;
  else if (str(batch.list) && typeof batch.index === 'number') keys.batch = `${batch.list}#${batch.index}`;
  return keys;
}

/** How many institutions a step's event hands it (undefined: a step of the whole cycle). */
export function institutionsOf(keys: StepKeys): number | undefined {
  if (keys.institutions) return keys.institutions.length;
  return keys.institution ? 1 : undefined;
}
