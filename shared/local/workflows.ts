/**
 * The cycles on one machine: takes the three state machines exactly as CDK synthesizes them for AWS
 * (cached by a hash of their sources, shared/local/definitions.ts) and runs them in the local ASL
 * interpreter with every Task resolved to the same handler modules. A finance review pauses the run; `resume` re-enters the same definition at the
 * review state (from the input stored with the cycle), so a pause survives the process exiting.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS, type FunctionId, loadHandler } from '../../functions/registry.js';
import { SECONDARY_WAIT, SECONDARY_WAIT_MAP } from '../../workflows/secondary-states.js';
import type { ExecutionPort } from '../app/cycle-service.js';
import { ONE_PROCESS_SPREAD, useBatchSpread } from '../app/institution-batches.js';
import type { Decision } from '../store/cycles.js';
import type { CycleKind } from '../store/keys.js';
import type { SecondaryWindow } from '../store/secondary.js';
import {
  type CallbackHandler,
  createLocalEngine,
  failCallback,
  type LocalEngine,
  succeedCallback,
  type TaskHandler,
  type ValidatedCache,
} from './asl/engine.js';
import { ExecutionAbortedError } from './asl/errors.js';
import { type ExtractedTemplate, extractStateMachines, findStateMachine } from './asl/extract.js';
import type { JsonValue } from './asl/types.js';
import { type DefinitionsOptions, defaultCacheDir, PROJECT_ROOT, workflowTemplate } from './definitions.js';

export type RunOutcome = 'completed' | 'paused' | 'failed' | 'rejected';

export interface ExecutionReport {
  kind: CycleKind;
  outcome: RunOutcome;
  stateEntries: number;
  lambdaInvocations: number;
  largestPayloadBytes: number;
  error?: string;
}

const MACHINE_PATHS: Record<CycleKind, string> = {
  monthly: 'MonthlyCycle/StateMachine',
  quarterly: 'QuarterlyCycle/StateMachine',
  annual: 'AnnualCycle/StateMachine',
};

let synthesized: Promise<ExtractedTemplate> | undefined;

/** Answers a review callback at once with a decision already recorded on the cycle. */
const decisionCallback = (decision: Decision): CallbackHandler =>
  decision.approved
    ? succeedCallback({ approvedBy: decision.by })
    : failCallback('ReviewRejected', decision.reason ?? '');

/**
 * The workflow stack's state machines, once per process: from the definitions cache when the CDK sources
 * are unchanged (no CDK loaded), else synthesized in-process without bundling (handlers run in-process).
 */
export function synthesizeWorkflows(options: DefinitionsOptions = {}): Promise<ExtractedTemplate> {
  if (options.fresh || options.cacheDir)
    return workflowTemplate(options).then((t) => extractStateMachines(t.template));
  synthesized ??= workflowTemplate().then((t) => extractStateMachines(t.template));
  // A failed synthesis is not kept: the next call tries again.
  synthesized.catch(() => {
    synthesized = undefined;
  });
  return synthesized;
}

/**
 * Where the install records the definitions it validated (beside the definitions cache), salted with the
 * interpreter's and its validator's versions; none when those cannot be read (validated every process).
 */
function validatedCache(): ValidatedCache | undefined {
  try {
    const versions = ['aws-local-stepfunctions', 'asl-validator'].map(
      (name) =>
        (
          JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
            version: string;
          }
        ).version,
    );
    return { dir: join(defaultCacheDir(), 'validated'), salt: versions.join(' ') };
  } catch {
    return undefined;
  }
}

export interface LocalWorkflowOptions {
  /** Milliseconds between retries (tests use 0 so retries do not slow them down). */
  retryIntervalMs?: number;
  /** Wraps each handler, e.g. to count invocations or inject faults. */
  wrapHandler?: (functionId: FunctionId, handler: TaskHandler) => TaskHandler;
  /** Called after every execution with its statistics. */
  onExecution?: (report: ExecutionReport) => void;
  /**
   * Batches a cycle's institutions are cut into at least (shared/app/institution-batches.ts; process-wide
   * from this engine's creation on). Default ONE_PROCESS_SPREAD: this process runs every iteration.
   */
  batchSpread?: number;
}

export class LocalWorkflows implements ExecutionPort {
  private readonly engines = new Map<CycleKind, LocalEngine>();
  lastOutcome: RunOutcome | undefined;

  /**
   * §9.1 a wait that finds the secondary-distribution window already closed (a run resumed after the close)
   * is answered at once; otherwise it stays parked and the run pauses, as on AWS.
   */
  private secondaryCallback: Record<string, CallbackHandler> = {};

  private constructor(private readonly options: LocalWorkflowOptions) {}

  static async create(options: LocalWorkflowOptions = {}): Promise<LocalWorkflows> {
    const workflows = new LocalWorkflows(options);
    // Every Map iteration runs in this process: fewer, larger batches.
    useBatchSpread(options.batchSpread ?? ONE_PROCESS_SPREAD);
    const extracted = await synthesizeWorkflows();
    const handlers: Record<string, TaskHandler> = {};
    for (const [logicalId, fn] of Object.entries(extracted.functions)) {
      const id = fn.constructPath as FunctionId | undefined;
      if (!id || !(id in FUNCTIONS)) continue;
      const handler = (await loadHandler(id)) as TaskHandler;
      handlers[logicalId] = options.wrapHandler ? options.wrapHandler(id, handler) : handler;
    }
    const requestSecondary = await loadHandler('RequestSecondary');
    workflows.secondaryCallback = {
      [SECONDARY_WAIT]: async (payload, context) => {
        const answer = (await requestSecondary(payload)) as { closed?: boolean };
        if (answer.closed) context.sendTaskSuccess({ closed: true });
      },
    };
    const validated = validatedCache();
    for (const kind of Object.keys(MACHINE_PATHS) as CycleKind[]) {
      const machine = findStateMachine(extracted, MACHINE_PATHS[kind]);
      workflows.engines.set(
        kind,
        createLocalEngine({
          definition: machine,
          ...(validated ? { validatedCache: validated } : {}),
          taskHandlers: handlers,
          name: kind,
          ...(options.retryIntervalMs === undefined
            ? {}
            : { retryIntervalOverride: options.retryIntervalMs }),
        }),
      );
    }
    return workflows;
  }

  definition(kind: CycleKind) {
    return this.engine(kind).definition;
  }

  private engine(kind: CycleKind): LocalEngine {
    const engine = this.engines.get(kind);
    if (!engine) throw new Error(`no local state machine for ${kind}`);
    return engine;
  }

  async start(kind: CycleKind, input: { cycle: unknown }): Promise<void> {
    await this.execute(kind, input as JsonValue, {});
  }

  /**
   * §9.1 the office closed the secondary-distribution window: re-enter the monthly definition at the Map of
   * waits with the input the first wait stored, every wait answered at once.
   */
  async resumeSecondary(cycle: { period: string }, window: SecondaryWindow): Promise<void> {
    if (window.resumeInput === undefined)
      throw new Error(`monthly ${cycle.period} has no paused secondary-distribution wait to resume`);
    await this.execute('monthly', window.resumeInput as JsonValue, {
      startAt: SECONDARY_WAIT_MAP,
      callbackHandlers: { [SECONDARY_WAIT]: succeedCallback({ closed: true }) },
    });
  }

  async resume(
    cycle: Parameters<ExecutionPort['resume']>[0],
    decision: Parameters<ExecutionPort['resume']>[1],
  ): Promise<void> {
    if (!cycle.review) throw new Error(`cycle ${cycle.kind} ${cycle.period} has no paused state to resume`);
    await this.execute(cycle.kind, cycle.review.stateInput as JsonValue, {
      startAt: cycle.review.stateName,
      callbackHandlers: { [cycle.review.stateName]: decisionCallback(decision) },
    });
  }

  private async execute(
    kind: CycleKind,
    input: JsonValue,
    options: { startAt?: string; callbackHandlers?: Record<string, CallbackHandler> },
  ): Promise<RunOutcome> {
    let paused = false;
    const execution = this.engine(kind).startExecution(input, {
      ...options,
      callbackHandlers: { ...this.secondaryCallback, ...options.callbackHandlers },
      onPause: () => {
        // The review step stored the token and this state's input; the run ends here and a later
        // approval re-enters the definition at this state.
        paused = true;
        execution.abort();
      },
    });
    let outcome: RunOutcome;
    let error: string | undefined;
    try {
      const output = (await execution.result) as { status?: string } | null;
      outcome = execution.stats.transitions.includes('Rejected') ? 'rejected' : 'completed';
      void output;
    } catch (e) {
      if (paused && e instanceof ExecutionAbortedError) outcome = 'paused';
      else {
        outcome = 'failed';
        error = e instanceof Error ? e.message : String(e);
      }
    }
    const stats = execution.stats;
    this.lastOutcome = outcome;
    this.options.onExecution?.({
      kind,
      outcome,
      stateEntries: stats.stateEntries,
      lambdaInvocations: Object.entries(stats.enteredByState)
        .filter(([state]) => this.engine(kind).tasks[state] !== undefined)
        .reduce((a, [, n]) => a + n, 0),
      largestPayloadBytes: Math.max(stats.largestInput.bytes, stats.largestOutput.bytes),
      ...(error ? { error } : {}),
    });
    return outcome;
  }
}
