/**
 * Fault injection for the local workflows, so tests (and drills) can prove what DOMAIN.md §7 promises:
 * transient faults are retried, a fault beyond the retries fails the cycle cleanly, and a crash followed
 * by recovery pays no one twice.
 *
 * Plug `wrapHandler` into LocalWorkflows (openLocalRuntime({workflows: {wrapHandler}})) and, for faults
 * inside the store, `attachStore(repos.table.doc)`. Faults are armed and cleared while the runtime stays
 * open. Three kinds:
 * - a handler fault: a named function fails on chosen calls with an error whose `name` is what Step
 *   Functions' Retry/Catch match on (Lambda.TooManyRequestsException, a DynamoDB throttling error, a plain
 *   Error), either before the handler runs (the invocation never started) or after it ran (its writes are
 *   stored, the response is lost);
 * - a store fault: the Nth DynamoDB call made inside a function's invocations fails, as when throttling
 *   outlasts the SDK's own retries;
 * - a crash: the process dies after N handler calls, or after N DynamoDB calls made by handlers (in the
 *   middle of one). Every later call fails with ProcessCrashed — the failure recorder included — so
 *   nothing more is written and the cycle is left where the crash caught it, as when a machine dies.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { FunctionId } from '../../functions/registry.js';
import type { TaskHandler } from './asl/engine.js';

/** What a dead process "throws": no retry or catch policy of the workflows expects it. */
export class ProcessCrashed extends Error {
  override readonly name = 'ProcessCrashed' as const;
}

/** Errors as the workflows see them; each is a factory so every failing call gets its own instance. */
export const faultErrors = {
  /** Lambda throttled the invocation (reserved or account concurrency exhausted). */
  lambdaTooManyRequests: () => named('Lambda.TooManyRequestsException', 'Rate Exceeded.'),
  /** Lambda's own transient failure. */
  lambdaService: () =>
    named('Lambda.ServiceException', 'Lambda is unable to process the request (injected).'),
  /** DynamoDB throttling that outlasted the SDK's retries — the SDK's own exception class. */
  dynamoThrottled: () =>
    new ProvisionedThroughputExceededException({
      message: 'The level of configured provisioned throughput for the table was exceeded (injected).',
      $metadata: { httpStatusCode: 400, attempts: 6 },
    }),
  /** A bug or an unexpected state: no retry policy matches it. */
  generic: (message = 'injected failure') => new Error(message),
} as const;

export type ErrorFactory = () => Error;

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** 1-based calls (counted from when the fault was armed), or every call from then on. */
export type CallSelector = number | readonly number[] | 'every';

export interface HandlerFault {
  functionId: FunctionId;
  on: CallSelector;
  error: ErrorFactory;
  /**
   * 'before' (default): the call fails without running the handler — throttled, never started.
   * 'after': the handler ran and stored its work, then the invocation fails (a timeout after the write).
   */
  timing?: 'before' | 'after';
}

export interface StoreFault {
  /** Only DynamoDB calls made inside this function's invocations; omitted: inside any handler. */
  functionId?: FunctionId;
  /** Only calls whose command input passes (e.g. `(input) => 'UpdateExpression' in input`); omitted: all. */
  match?: (input: Record<string, unknown>) => boolean;
  /** Counted over the matching DynamoDB calls since the fault was armed. */
  on: CallSelector;
  error: ErrorFactory;
}

export interface CrashPlan {
  /** The process dies once this many handler calls have started; later calls never run. */
  afterHandlerCalls?: number;
  /** The process dies once handlers have made this many DynamoDB calls: in the middle of a handler. */
  afterStoreCalls?: number;
  /**
   * The process dies right after handlers' Nth write is stored, before the handler hears back: the
   * write is durable, the rest of the run is lost. Writes are puts, updates, batch writes, transactions.
   */
  afterStoreWrites?: number;
}

export interface CallRecord {
  functionId: FunctionId;
  /** This function's call number since the last reset. */
  call: number;
  outcome: 'ok' | 'fault' | 'crashed' | 'error';
  error?: string;
}

interface Armed<T> {
  fault: T;
  seen: number;
}

interface Context {
  functionId: FunctionId;
}

/** Puts, updates, transactions and batch writes (a batch get's RequestItems hold `{Keys}`, not arrays). */
function isWrite(input: object | undefined): boolean {
  if (input === undefined) return false;
  if ('RequestItems' in input)
    return Object.values(input.RequestItems as Record<string, unknown>).some(Array.isArray);
  return ['Item', 'UpdateExpression', 'TransactItems'].some((key) => key in input);
}

const matches = (on: CallSelector, n: number) =>
  on === 'every' || (typeof on === 'number' ? on === n : on.includes(n));

/** Minimal shape of an AWS SDK v3 client's middleware stack (DynamoDBClient or DynamoDBDocumentClient). */
interface MiddlewareClient {
  middlewareStack: {
    add(middleware: unknown, options: { step: 'initialize'; name: string; override?: boolean }): void;
  };
}

export class FaultInjector {
  private readonly context = new AsyncLocalStorage<Context>();
  private handlerFaults: Armed<HandlerFault>[] = [];
  private storeFaults: Armed<StoreFault>[] = [];
  private crashPlan: CrashPlan | undefined;
  private handlerCallsSinceCrashArmed = 0;
  private storeCallsSinceCrashArmed = 0;
  private storeWritesSinceCrashArmed = 0;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly counts = new Map<FunctionId, number>();
  /** Set once the simulated process has died; cleared by reset(). */
  crashed = false;
  /** Every handler call since the last reset, in the order they started. */
  readonly log: CallRecord[] = [];

  /** For LocalWorkflows' `wrapHandler`; bound, so it can be passed as is. */
  readonly wrapHandler = (functionId: FunctionId, handler: TaskHandler): TaskHandler => {
    return (event) => {
      const call = (this.counts.get(functionId) ?? 0) + 1;
      this.counts.set(functionId, call);
      const record: CallRecord = { functionId, call, outcome: 'ok' };
      this.log.push(record);
      const running = this.context.run({ functionId }, () => this.invoke(functionId, handler, event, record));
      this.inFlight.add(running);
      const forget = () => this.inFlight.delete(running);
      running.then(forget, forget);
      return running;
    };
  };

  private async invoke(
    functionId: FunctionId,
    handler: TaskHandler,
    event: Parameters<TaskHandler>[0],
    record: CallRecord,
  ): Promise<unknown> {
    if (this.crashPlan?.afterHandlerCalls !== undefined && !this.crashed) {
      this.handlerCallsSinceCrashArmed++;
      if (this.handlerCallsSinceCrashArmed > this.crashPlan.afterHandlerCalls) this.crashed = true;
    }
    if (this.crashed) {
      record.outcome = 'crashed';
      throw new ProcessCrashed(`the process died before ${functionId} call ${record.call} (injected)`);
    }
    const fault = this.nextHandlerFault(functionId);
    if (fault && (fault.timing ?? 'before') === 'before') {
      const error = fault.error();
      Object.assign(record, { outcome: 'fault', error: error.name });
      throw error;
    }
    let result: unknown;
    try {
      result = await handler(event);
    } catch (error) {
      record.outcome = error instanceof ProcessCrashed || this.crashed ? 'crashed' : 'error';
      record.error = error instanceof Error ? error.name : String(error);
      throw error;
    }
    if (fault) {
      const error = fault.error();
      Object.assign(record, { outcome: 'fault', error: error.name });
      throw error;
    }
    return result;
  }

  private nextHandlerFault(functionId: FunctionId): HandlerFault | undefined {
    let hit: HandlerFault | undefined;
    for (const armed of this.handlerFaults) {
      if (armed.fault.functionId !== functionId) continue;
      armed.seen++;
      if (!hit && matches(armed.fault.on, armed.seen)) hit = armed.fault;
    }
    return hit;
  }

  /** Makes `functionId` fail on the selected calls. */
  failHandler(fault: HandlerFault): this {
    this.handlerFaults.push({ fault, seen: 0 });
    return this;
  }

  /** Makes the selected DynamoDB calls made inside handlers fail (needs attachStore). */
  failStore(fault: StoreFault): this {
    this.storeFaults.push({ fault, seen: 0 });
    return this;
  }

  /** Arms a crash; counting starts now. */
  crash(plan: CrashPlan): this {
    this.crashPlan = plan;
    this.handlerCallsSinceCrashArmed = 0;
    this.storeCallsSinceCrashArmed = 0;
    this.storeWritesSinceCrashArmed = 0;
    return this;
  }

  /**
   * Puts a middleware on the client (the store's DynamoDBDocumentClient shares its client's stack) that
   * applies store faults and store crashes to calls made inside handlers. It sits at the initialize
   * step, above the SDK's retry middleware: an injected throttling error reaches the handler as if the
   * SDK had already used up its retries. Calls made outside handlers (the test, the CLI) pass untouched.
   */
  attachStore(client: MiddlewareClient): this {
    client.middlewareStack.add(
      (next: (args: { input?: object }) => Promise<unknown>) => async (args: { input?: object }) => {
        const ctx = this.context.getStore();
        if (!ctx) return next(args);
        this.beforeStoreCall(ctx, (args.input ?? {}) as Record<string, unknown>);
        const output = await next(args);
        if (this.crashPlan?.afterStoreWrites !== undefined && !this.crashed && isWrite(args.input)) {
          this.storeWritesSinceCrashArmed++;
          if (this.storeWritesSinceCrashArmed >= this.crashPlan.afterStoreWrites) {
            this.crashed = true;
            throw new ProcessCrashed(`the process died right after a write by ${ctx.functionId} (injected)`);
          }
        }
        return output;
      },
      { step: 'initialize', name: 'medcommFaultInjector', override: true },
    );
    return this;
  }

  private beforeStoreCall(ctx: Context, input: Record<string, unknown>): void {
    if (this.crashPlan?.afterStoreCalls !== undefined && !this.crashed) {
      this.storeCallsSinceCrashArmed++;
      if (this.storeCallsSinceCrashArmed > this.crashPlan.afterStoreCalls) this.crashed = true;
    }
    if (this.crashed) throw new ProcessCrashed(`the process died during ${ctx.functionId} (injected)`);
    let hit: StoreFault | undefined;
    for (const armed of this.storeFaults) {
      if (armed.fault.functionId !== undefined && armed.fault.functionId !== ctx.functionId) continue;
      if (armed.fault.match && !armed.fault.match(input)) continue;
      armed.seen++;
      if (!hit && matches(armed.fault.on, armed.seen)) hit = armed.fault;
    }
    if (hit) throw hit.error();
  }

  /** Calls of one function (or of all) since the last reset. */
  calls(functionId?: FunctionId): number {
    return functionId ? (this.counts.get(functionId) ?? 0) : this.log.length;
  }

  /** Resolves once no handler call is running (a crashed run may leave parallel Map iterations going). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Clears faults, the crash and the counters: the next run is a healthy process. */
  reset(): this {
    this.handlerFaults = [];
    this.storeFaults = [];
    this.crashPlan = undefined;
    this.crashed = false;
    this.handlerCallsSinceCrashArmed = 0;
    this.storeCallsSinceCrashArmed = 0;
    this.storeWritesSinceCrashArmed = 0;
    this.counts.clear();
    this.log.length = 0;
    return this;
  }
}
