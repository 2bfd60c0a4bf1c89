/**
 * Runs a synthesized state machine definition in-process with aws-local-stepfunctions, binding every
 * Task state to the same handler code the Lambda functions run on AWS. One engine per definition: the
 * engine validates the definition once and reuses it for every execution.
 *
 * What it adds to the interpreter: Lambda Invoke envelopes, AWS-shaped Lambda errors, task tokens with
 * SendTaskSuccess/SendTaskFailure, resuming a definition at a paused state in a later process, the
 * 256 KiB payload limit, and execution statistics for benchmarks.
 */

import './polyfill.js';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import {
  ExecutionAbortedError as EngineAbortedError,
  ExecutionError as EngineExecutionError,
  ExecutionTimeoutError as EngineTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import {
  ExecutionAbortedError,
  ExecutionFailedError,
  ExecutionTimedOutError,
  MissingHandlerError,
  TaskDoesNotExist,
  TaskTimedOut,
} from './errors.js';
import { type ExtractedStateMachine, type ExtractedTask, LOCAL_ACCOUNT, LOCAL_REGION } from './extract.js';
import { type PreparedDefinition, prepareDefinition, TASK_TOKEN_PLACEHOLDER } from './prepare.js';
import { sanitizeDefinition } from './sanitize.js';
import { type AslDefinition, type AslState, isPlainObject, type JsonValue, listStates } from './types.js';

/** A Lambda handler as the engine calls it: the event in, the function's result out. */
export type TaskHandler = (event: JsonValue) => unknown;

export interface CallbackContext {
  token: string;
  stateName: string;
  executionId: string;
  sendTaskSuccess(output: unknown): void;
  sendTaskFailure(error: string, cause?: string): void;
}

/**
 * Receives the payload of a `.waitForTaskToken` state (the Lambda event, token included). Its return
 * value is ignored, as AWS ignores the function's result; the state ends when the token is answered.
 */
export type CallbackHandler = (payload: JsonValue, context: CallbackContext) => unknown;

export interface PausedTask {
  executionId: string;
  stateName: string;
  token: string;
  /** What the callback handler receives. */
  payload: JsonValue;
  /**
   * The raw input of the paused state, for a top-level state: persist it with the token and pass it to
   * `startExecution(stateInput, {startAt: stateName, executionInput})` to resume in another process.
   * Undefined inside a Map iteration or Parallel branch, which cannot be resumed on their own.
   */
  stateInput?: JsonValue;
  executionInput: JsonValue;
}

export interface LocalEngineOptions {
  /** The definition, either bare ASL (with placeholder ARNs) or straight from `extractStateMachines`. */
  definition: AslDefinition | ExtractedStateMachine;
  /** Definitions validated by earlier processes (see buildMachine); without it, validated once per process. */
  validatedCache?: ValidatedCache;
  /** Function logical id → handler. */
  taskHandlers: Record<string, TaskHandler>;
  /**
   * State name → handler for Task states with no known function (other service integrations, or a
   * FunctionName chosen at run time). Also overrides a function's handler for that one state. Receives
   * the effective input; its result is the raw task result (no envelope).
   */
  stateHandlers?: Record<string, TaskHandler>;
  /** State name → handler for `.waitForTaskToken` states; falls back to the function's task handler. */
  callbackHandlers?: Record<string, CallbackHandler>;
  /** Milliseconds between retries instead of IntervalSeconds/BackoffRate: one number for every state, or per state. */
  retryIntervalOverride?: number | Record<string, number | number[]>;
  /** Milliseconds a Wait state waits instead of its Seconds/Timestamp: one number for all, or per state. */
  waitOverride?: number | Record<string, number>;
  /** TimeoutSeconds for Task states without one (AWS: none; engine: 60 s). Default: the longest timer. */
  defaultTaskTimeoutSeconds?: number;
  /** Step Functions fails a state whose input or output exceeds 256 KiB; `false` turns the check off. */
  payloadLimitBytes?: number | false;
  /** Readable name, used in execution ids. */
  name?: string;
}

export interface StartExecutionOptions {
  /** Execution name (unique per engine). Default: a random one. */
  name?: string;
  /** Enter the definition at this top-level state instead of StartAt (resume after a pause). */
  startAt?: string;
  /** `$$.Execution.Input` for the run; defaults to `input`. Pass the original input when resuming. */
  executionInput?: JsonValue;
  /**
   * Called when a `.waitForTaskToken` state is parked: after its callback handler (or function) has run
   * and only if the token is still unanswered. Persist the pause here; `abort()` may be called from it.
   */
  onPause?: (paused: PausedTask) => unknown;
  /** Per-execution callback handlers, tried before the engine's. */
  callbackHandlers?: Record<string, CallbackHandler>;
  /** Keep every engine event (with payloads) in `events`. Off by default: large runs would hold them all. */
  recordEvents?: boolean;
}

export interface ExecutionStats {
  /** StateEntered events, nested states included. */
  stateEntries: number;
  /** Top-level states in the order they were entered. */
  transitions: string[];
  enteredByState: Record<string, number>;
  retries: number;
  caught: number;
  mapIterations: number;
  largestInput: { stateName: string; bytes: number };
  largestOutput: { stateName: string; bytes: number };
}

export interface LocalExecution {
  executionId: string;
  name: string;
  /** The execution output; rejects with ExecutionFailedError, ExecutionAbortedError or ExecutionTimedOutError. */
  result: Promise<JsonValue>;
  abort(): void;
  /** Filled in as the run goes; final once `result` settles. */
  stats: ExecutionStats;
  /** Engine events, when `recordEvents` was set. */
  events: unknown[];
}

export interface LocalEngine {
  readonly name: string;
  /** The definition as the engine runs it (sanitized and prepared). */
  readonly definition: AslDefinition;
  readonly tasks: Record<string, ExtractedTask>;
  /** What the sanitizer and the preparation changed, one line each. */
  readonly rewrites: readonly string[];
  startExecution(input: JsonValue, options?: StartExecutionOptions): LocalExecution;
  /** Same as `startExecution(input, options).result`. */
  run(input: JsonValue, options?: StartExecutionOptions): Promise<JsonValue>;
  sendTaskSuccess(token: string, output: unknown): void;
  sendTaskFailure(token: string, error: string, cause?: string): void;
  /** Tasks parked on a token right now. */
  pendingTasks(): Array<{ token: string; stateName: string; executionId: string; payload: JsonValue }>;
}

const DEFAULT_PAYLOAD_LIMIT = 256 * 1024;

type EngineTaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

/** A callback handler that answers at once — for resuming a paused state with a recorded decision. */
export function succeedCallback(output: unknown): CallbackHandler {
  return (_payload, context) => context.sendTaskSuccess(output);
}

/** A callback handler that fails the task at once with the given error name and cause. */
export function failCallback(error: string, cause?: string): CallbackHandler {
  return (_payload, context) => context.sendTaskFailure(error, cause);
}

/**
 * Where definitions already validated are recorded, by their text and `salt` (the validator's versions):
 * a definition validated by an earlier process is not validated again.
 */
export interface ValidatedCache {
  dir: string;
  salt: string;
}

export function createLocalEngine(options: LocalEngineOptions): LocalEngine {
  return new Engine(options);
}

/** Marks an error the engine must neither retry nor catch (the interpreter reads these two flags). */
function terminal<E extends Error>(error: E): E {
  Object.defineProperties(error, {
    isRetryable: { value: false },
    isCatchable: { value: false },
  });
  return error;
}

function namedError(name: string, message: string, cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  error.name = name;
  return error;
}

/**
 * What the Node.js Lambda runtime reports for a thrown error: errorType is `error.name`, and Step
 * Functions puts the JSON of the whole report in the Catch's Cause.
 */
function toLambdaError(thrown: unknown): Error {
  const errorType = thrown instanceof Error ? thrown.name : 'Error';
  const errorMessage = thrown instanceof Error ? thrown.message : String(thrown);
  const trace = thrown instanceof Error && thrown.stack ? thrown.stack.split('\n') : [];
  return namedError(errorType, JSON.stringify({ errorType, errorMessage, trace }), thrown);
}

/** A JSON copy, as Lambda (de)serializes events and results: undefined → null, Dates → strings. */
function jsonCopy(value: unknown): { value: JsonValue; bytes: number } {
  const text = JSON.stringify(value ?? null) ?? 'null';
  return { value: JSON.parse(text) as JsonValue, bytes: Buffer.byteLength(text) };
}

function byteSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null) ?? 'null');
}

function replaceToken(value: JsonValue, token: string): JsonValue {
  if (typeof value === 'string') return value.split(TASK_TOKEN_PLACEHOLDER).join(token);
  if (Array.isArray(value)) return value.map((v) => replaceToken(v, token));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceToken(v, token)]));
  }
  return value;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 80) || 'StateMachine';
}

interface Pending {
  token: string;
  stateName: string;
  run: Run;
  payload: JsonValue;
  resolve(value: JsonValue): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

interface Run {
  executionId: string;
  aborted: boolean;
  ended: boolean;
  tokens: Set<string>;
  executionInput: JsonValue;
  onPause?: StartExecutionOptions['onPause'];
  callbackHandlers: Record<string, CallbackHandler>;
  lastTopLevelInput: Map<string, JsonValue>;
  dataLimit?: { stateName: string; bytes: number };
  lastFailedState?: string;
}

class Engine implements LocalEngine {
  readonly name: string;
  readonly definition: AslDefinition;
  readonly tasks: Record<string, ExtractedTask>;
  readonly rewrites: readonly string[];

  private readonly prepared: PreparedDefinition;
  private readonly statesByName: Map<string, AslState>;
  private readonly machines = new Map<string, StateMachine>();
  private readonly pending = new Map<string, Pending>();
  /** Tokens whose task is over without an answer; answering them is TaskTimedOut, as on AWS. */
  private readonly expired = new Set<string>();
  private readonly stateMachineArn: string;
  private readonly payloadLimit: number | false;
  private readonly retryIntervalOverrides: Record<string, number | number[]>;
  private readonly waitTimeOverrides: Record<string, number>;
  private executionCount = 0;

  constructor(private readonly options: LocalEngineOptions) {
    const source = options.definition;
    const extracted = 'States' in source ? undefined : source;
    const asl = extracted ? extracted.definition : (source as AslDefinition);
    this.name = options.name ?? extracted?.name ?? 'StateMachine';
    const sanitized = sanitizeDefinition(asl);
    this.prepared = prepareDefinition(sanitized.definition, {
      ...(options.defaultTaskTimeoutSeconds !== undefined
        ? { defaultTaskTimeoutSeconds: options.defaultTaskTimeoutSeconds }
        : {}),
    });
    this.definition = this.prepared.definition;
    this.tasks = this.prepared.tasks;
    this.statesByName = new Map(listStates(this.definition).map(({ name, state }) => [name, state]));
    this.rewrites = [...sanitized.rewrites, ...this.prepared.rewrites];
    this.stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${safeName(this.name)}`;
    this.payloadLimit = options.payloadLimitBytes ?? DEFAULT_PAYLOAD_LIMIT;
    this.retryIntervalOverrides = expandOverride(options.retryIntervalOverride, this.prepared.retryStates);
    this.waitTimeOverrides = expandOverride(options.waitOverride, this.prepared.waitStates);
    this.checkHandlers();
    this.machines.set(this.definition.StartAt, buildMachine(this.definition, options.validatedCache));
  }

  run(input: JsonValue, options?: StartExecutionOptions): Promise<JsonValue> {
    return this.startExecution(input, options).result;
  }

  startExecution(input: JsonValue, options: StartExecutionOptions = {}): LocalExecution {
    const startAt = options.startAt ?? this.definition.StartAt;
    const machine = this.machineStartingAt(startAt);
    const callbackHandlers = { ...this.options.callbackHandlers, ...options.callbackHandlers };
    this.checkCallbackHandlers(callbackHandlers);

    this.executionCount += 1;
    const name = options.name ?? `local-${this.executionCount}-${randomUUID().slice(0, 8)}`;
    const executionId = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${safeName(this.name)}:${name}`;
    const executionInput = options.executionInput ?? input;
    const run: Run = {
      executionId,
      aborted: false,
      ended: false,
      tokens: new Set(),
      executionInput,
      ...(options.onPause ? { onPause: options.onPause } : {}),
      callbackHandlers,
      lastTopLevelInput: new Map(),
    };
    const runOptions: RunOptions = {
      overrides: {
        taskResourceLocalHandlers: this.taskHandlersFor(run),
        retryIntervalOverrides: this.retryIntervalOverrides,
        waitTimeOverrides: this.waitTimeOverrides,
      },
      context: {
        Execution: { Id: executionId, Name: name, RootInput: executionInput as never },
        StateMachine: { Id: this.stateMachineArn, Name: this.name },
      },
    };
    const engineRun = machine.run(input as never, runOptions);

    const stats: ExecutionStats = {
      stateEntries: 0,
      transitions: [],
      enteredByState: {},
      retries: 0,
      caught: 0,
      mapIterations: 0,
      largestInput: { stateName: '', bytes: 0 },
      largestOutput: { stateName: '', bytes: 0 },
    };
    const events: unknown[] = [];
    const consumed = this.consumeEvents(
      engineRun.eventLogs,
      run,
      stats,
      options.recordEvents ? events : undefined,
      () => engineRun.abort(),
    );

    const result = engineRun.result.then(
      async (output) => {
        await consumed;
        if (run.dataLimit) throw this.dataLimitFailure(run);
        return output as JsonValue;
      },
      async (error: unknown) => {
        await consumed;
        throw this.executionOutcome(error, run);
      },
    );
    const settled = result.finally(() => this.endRun(run));
    // `settled` mirrors `result`; the caller observes `result`, this branch only cleans up.
    settled.catch(() => {});

    return {
      executionId,
      name,
      result,
      stats,
      events,
      abort: () => {
        if (run.ended || run.aborted) return;
        run.aborted = true;
        // Abort the engine first, so a task failing because of the abort cannot be caught into a next state.
        engineRun.abort();
        this.releaseTokens(run, () => terminal(new ExecutionAbortedError(executionId)));
      },
    };
  }

  sendTaskSuccess(token: string, output: unknown): void {
    const pending = this.take(token);
    pending.resolve(jsonCopy(output).value);
  }

  sendTaskFailure(token: string, error: string, cause?: string): void {
    const pending = this.take(token);
    pending.reject(namedError(error, cause ?? ''));
  }

  pendingTasks() {
    return [...this.pending.values()].map((p) => ({
      token: p.token,
      stateName: p.stateName,
      executionId: p.run.executionId,
      payload: p.payload,
    }));
  }

  private take(token: string): Pending {
    const pending = this.pending.get(token);
    if (!pending) {
      throw this.expired.has(token) ? new TaskTimedOut(token) : new TaskDoesNotExist(token);
    }
    this.forget(pending);
    return pending;
  }

  private forget(pending: Pending) {
    if (pending.timer) clearTimeout(pending.timer);
    this.pending.delete(pending.token);
    pending.run.tokens.delete(pending.token);
  }

  /** Ends every task still parked for `run`, so the engine's task timers stop holding the process. */
  private releaseTokens(run: Run, reason: () => Error) {
    for (const token of [...run.tokens]) {
      const pending = this.pending.get(token);
      if (!pending) continue;
      this.forget(pending);
      this.expired.add(token);
      pending.reject(reason());
    }
  }

  private endRun(run: Run) {
    run.ended = true;
    this.releaseTokens(run, () =>
      terminal(namedError('ExecutionEnded', `Execution ${run.executionId} has ended.`)),
    );
  }

  private machineStartingAt(startAt: string): StateMachine {
    const cached = this.machines.get(startAt);
    if (cached) return cached;
    if (!this.prepared.topLevelStates.has(startAt)) {
      throw new Error(
        `Cannot start "${this.name}" at "${startAt}": not a top-level state (${[...this.prepared.topLevelStates].join(', ')}).`,
      );
    }
    // Same states, another entry point; the definition was validated when the engine was built.
    const machine = new StateMachine({ ...this.definition, StartAt: startAt } as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
    this.machines.set(startAt, machine);
    return machine;
  }

  private checkHandlers() {
    const missing: string[] = [];
    for (const task of Object.values(this.tasks)) {
      if (this.prepared.callbackStates.has(task.stateName)) continue;
      if (!this.handlerFor(task)) missing.push(task.stateName);
    }
    if (missing.length > 0) {
      throw new MissingHandlerError(
        missing,
        'give taskHandlers an entry for the function logical id, or stateHandlers one for the state name.',
      );
    }
  }

  private checkCallbackHandlers(callbackHandlers: Record<string, CallbackHandler>) {
    const missing = [...this.prepared.callbackStates].filter((stateName) => {
      const task = this.tasks[stateName]!;
      return !callbackHandlers[stateName] && !this.handlerFor(task);
    });
    if (missing.length > 0) {
      throw new MissingHandlerError(
        missing,
        'a .waitForTaskToken state needs a callbackHandlers entry or a task handler for its function.',
      );
    }
  }

  private handlerFor(task: ExtractedTask): TaskHandler | undefined {
    return (
      this.options.stateHandlers?.[task.stateName] ??
      (task.functionLogicalId ? this.options.taskHandlers[task.functionLogicalId] : undefined)
    );
  }

  private taskHandlersFor(run: Run): EngineTaskHandlers {
    const handlers: EngineTaskHandlers = {};
    for (const task of Object.values(this.tasks)) {
      handlers[task.stateName] = (input) => this.runTask(task, input as JsonValue, run) as never;
    }
    return handlers;
  }

  private async runTask(task: ExtractedTask, input: JsonValue, run: Run): Promise<JsonValue> {
    if (run.aborted || run.ended) throw terminal(new ExecutionAbortedError(run.executionId));
    if (this.prepared.callbackStates.has(task.stateName)) return this.runCallback(task, input, run);

    const override = this.options.stateHandlers?.[task.stateName];
    const handler = this.handlerFor(task)!;
    if (override || task.integration === 'lambda' || task.integration === 'other') {
      return this.invoke(handler, input, task.stateName);
    }
    // arn:aws:states:::lambda:invoke — the state result is Lambda's Invoke response.
    const event = isPlainObject(input) && 'Payload' in input ? (input.Payload as JsonValue) : null;
    const payload = await this.invoke(handler, event, task.stateName);
    return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
  }

  /** Calls a handler as Lambda would: a JSON copy in, a JSON copy out, errors reported by name. */
  private async invoke(handler: TaskHandler, event: JsonValue, stateName: string): Promise<JsonValue> {
    let result: unknown;
    try {
      result = await handler(jsonCopy(event).value);
    } catch (thrown) {
      throw toLambdaError(thrown);
    }
    const { value, bytes } = jsonCopy(result);
    if (this.payloadLimit !== false && bytes > this.payloadLimit) {
      // On AWS this fails the execution; States.ALL does not catch it.
      throw terminal(
        namedError(
          'States.DataLimitExceeded',
          `The result of state "${stateName}" is ${bytes} bytes; Step Functions allows ${this.payloadLimit}. ` +
            'Store the data and pass keys between states.',
        ),
      );
    }
    return value;
  }

  private async runCallback(task: ExtractedTask, input: JsonValue, run: Run): Promise<JsonValue> {
    const token = `local-${randomUUID()}`;
    const withToken = replaceToken(input, token);
    const payload =
      task.integration === 'lambda:invoke.waitForTaskToken' && isPlainObject(withToken)
        ? ((withToken.Payload ?? null) as JsonValue)
        : withToken;

    let resolve!: (value: JsonValue) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<JsonValue>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // The answer may come before anyone awaits `promise` (a handler answering synchronously).
    promise.catch(() => {});
    const pending: Pending = { token, stateName: task.stateName, run, payload, resolve, reject };
    const timeoutSeconds = this.timeoutSecondsOf(task.stateName, input);
    if (timeoutSeconds !== undefined) {
      // The engine raises States.Timeout itself; this only retires the token so a late answer is TaskTimedOut.
      pending.timer = setTimeout(
        () => {
          if (this.pending.get(token) !== pending) return;
          this.forget(pending);
          this.expired.add(token);
        },
        timeoutSeconds * 1000 + 10,
      );
      pending.timer.unref();
    }
    this.pending.set(token, pending);
    run.tokens.add(token);

    try {
      const context: CallbackContext = {
        token,
        stateName: task.stateName,
        executionId: run.executionId,
        sendTaskSuccess: (output) => this.sendTaskSuccess(token, output),
        sendTaskFailure: (error, cause) => this.sendTaskFailure(token, error, cause),
      };
      const callback = run.callbackHandlers[task.stateName];
      if (callback) {
        try {
          await callback(jsonCopy(payload).value, context);
        } catch (thrown) {
          throw toLambdaError(thrown);
        }
      } else {
        await this.invoke(this.handlerFor(task)!, payload, task.stateName);
      }
      // Only a task still waiting for its answer is paused; the function has run (reviewer notified).
      if (run.onPause && this.pending.get(token) === pending && !run.aborted) {
        // Let the event log catch up, so the paused state's raw input is known.
        await nextMacrotask();
        const stateInput = this.prepared.topLevelStates.has(task.stateName)
          ? run.lastTopLevelInput.get(task.stateName)
          : undefined;
        await run.onPause({
          executionId: run.executionId,
          stateName: task.stateName,
          token,
          payload: jsonCopy(payload).value,
          ...(stateInput !== undefined ? { stateInput: jsonCopy(stateInput).value } : {}),
          executionInput: run.executionInput,
        });
      }
    } catch (error) {
      if (this.pending.get(token) === pending) this.forget(pending);
      throw error;
    }
    return promise;
  }

  private timeoutSecondsOf(stateName: string, effectiveInput: JsonValue): number | undefined {
    const state = this.statesByName.get(stateName);
    if (typeof state?.TimeoutSeconds === 'number') return state.TimeoutSeconds;
    if (typeof state?.TimeoutSecondsPath === 'string') {
      const value = readSimplePath(effectiveInput, state.TimeoutSecondsPath);
      return typeof value === 'number' ? value : undefined;
    }
    return undefined;
  }

  private async consumeEvents(
    eventLogs: AsyncGenerator<unknown>,
    run: Run,
    stats: ExecutionStats,
    record: unknown[] | undefined,
    abort: () => void,
  ) {
    const limit = this.payloadLimit;
    const topLevel = this.prepared.topLevelStates;
    for await (const raw of eventLogs) {
      record?.push(raw);
      const event = raw as {
        type: string;
        index?: number;
        state?: { name: string; input?: JsonValue; output?: JsonValue };
      };
      const state = event.state;
      switch (event.type) {
        case 'StateEntered': {
          if (!state) break;
          stats.stateEntries += 1;
          stats.enteredByState[state.name] = (stats.enteredByState[state.name] ?? 0) + 1;
          if (topLevel.has(state.name) && event.index === undefined) {
            stats.transitions.push(state.name);
            run.lastTopLevelInput.set(state.name, state.input ?? null);
          }
          const bytes = byteSize(state.input);
          if (bytes > stats.largestInput.bytes) stats.largestInput = { stateName: state.name, bytes };
          if (limit !== false && bytes > limit && !run.dataLimit) {
            run.dataLimit = { stateName: state.name, bytes };
            abort();
          }
          break;
        }
        case 'StateExited': {
          if (!state) break;
          const bytes = byteSize(state.output);
          if (bytes > stats.largestOutput.bytes) stats.largestOutput = { stateName: state.name, bytes };
          if (limit !== false && bytes > limit && !run.dataLimit) {
            run.dataLimit = { stateName: state.name, bytes };
            abort();
          }
          break;
        }
        case 'StateFailed':
          if (state) run.lastFailedState = state.name;
          break;
        case 'StateRetried':
          stats.retries += 1;
          break;
        case 'StateCaught':
          stats.caught += 1;
          break;
        case 'MapIterationStarted':
          stats.mapIterations += 1;
          break;
        default:
          break;
      }
    }
  }

  private dataLimitFailure(run: Run): ExecutionFailedError {
    const { stateName, bytes } = run.dataLimit!;
    return new ExecutionFailedError(
      run.executionId,
      'States.DataLimitExceeded',
      `The input or output of state "${stateName}" is ${bytes} bytes; Step Functions allows ${this.payloadLimit}. ` +
        'Store the data and pass keys between states.',
      stateName,
    );
  }

  private executionOutcome(error: unknown, run: Run): Error {
    if (run.dataLimit) return this.dataLimitFailure(run);
    if (error instanceof EngineExecutionError) {
      const cause = error.cause as Error | undefined;
      return new ExecutionFailedError(
        run.executionId,
        cause?.name ?? 'States.Runtime',
        cause?.message ?? error.message,
        run.lastFailedState,
      );
    }
    if (error instanceof EngineAbortedError) return new ExecutionAbortedError(run.executionId);
    if (error instanceof EngineTimeoutError) return new ExecutionTimedOutError(run.executionId);
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Definitions this process has already validated. asl-validator compiles its JSON schemas on every call
 * (~80 ms idle, several hundred on a busy 2-core machine), so an identical definition is validated once —
 * and with a `ValidatedCache`, once per install: a cycle command's three machines cost ~1–1.6 s of CPU
 * to validate on a busy machine, on the critical path of every command that runs a cycle (issue 17).
 * The same text under the same validator validates the same way; a failed validation records nothing.
 */
const validatedDefinitions = new Set<string>();

function buildMachine(definition: AslDefinition, cache?: ValidatedCache): StateMachine {
  const key = JSON.stringify(definition);
  const marker = cache
    ? join(cache.dir, `${createHash('sha256').update(`${cache.salt}\0${key}`).digest('hex')}.validated`)
    : undefined;
  const recorded = marker !== undefined && existsSync(marker);
  let machine: StateMachine;
  if (validatedDefinitions.has(key) || recorded) {
    machine = new StateMachine(definition as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
  } else {
    // The validator writes QueryLanguage into every state it sees; give it a copy.
    machine = new StateMachine(structuredClone(definition) as StateMachineDefinition);
  }
  validatedDefinitions.add(key);
  if (cache && marker && !recorded) {
    try {
      mkdirSync(cache.dir, { recursive: true });
      writeFileSync(marker, '');
    } catch {
      // Not recorded (a read-only install): the next process validates it again.
    }
  }
  return machine;
}

function expandOverride<T>(
  value: T | Record<string, T> | undefined,
  stateNames: string[],
): Record<string, T> {
  if (value === undefined) return {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, T>;
  return Object.fromEntries(stateNames.map((name) => [name, value as T]));
}

/** `$.a.b` lookups, enough for TimeoutSecondsPath. */
function readSimplePath(value: JsonValue, path: string): JsonValue | undefined {
  if (!/^\$(\.[A-Za-z0-9_]+)*$/.test(path)) return undefined;
  let current: JsonValue | undefined = value;
  for (const key of path.split('.').slice(1)) {
    current = isPlainObject(current) ? (current as Record<string, JsonValue>)[key] : undefined;
  }
  return current;
}
