/**
 * The import state machine on one machine (issue 12): the definition exactly as CDK synthesizes it for
 * AWS (workflows/import.ts, from the same cached synthesis as the cycles) run by the local ASL engine,
 * each Task resolved to the same handler module as on Lambda. The CLI keeps its direct import; this is
 * what tests and the bench run to hold the workflow to what it does on AWS.
 */
import { FUNCTIONS, type FunctionId, loadHandler } from '../../functions/registry.js';
import { createLocalEngine, type LocalEngine, type TaskHandler } from './asl/engine.js';
import { findStateMachine } from './asl/extract.js';
import type { JsonValue } from './asl/types.js';
import { synthesizeWorkflows } from './workflows.js';

export const IMPORT_MACHINE_PATH = 'ImportWorkflow/StateMachine';

export interface LocalImportRun {
  outcome: 'imported' | 'refused' | 'failed';
  error?: string;
  stateEntries: number;
  largestPayloadBytes: number;
}

export class LocalImportWorkflow {
  private constructor(private readonly engine: LocalEngine) {}

  static async create(
    options: {
      retryIntervalMs?: number;
      wrapHandler?: (functionId: FunctionId, handler: TaskHandler) => TaskHandler;
    } = {},
  ): Promise<LocalImportWorkflow> {
    const extracted = await synthesizeWorkflows();
    const handlers: Record<string, TaskHandler> = {};
    for (const [logicalId, fn] of Object.entries(extracted.functions)) {
      const id = fn.constructPath as FunctionId | undefined;
      if (!id || !(id in FUNCTIONS)) continue;
      const handler = (await loadHandler(id)) as TaskHandler;
      handlers[logicalId] = options.wrapHandler ? options.wrapHandler(id, handler) : handler;
    }
    return new LocalImportWorkflow(
      createLocalEngine({
        definition: findStateMachine(extracted, IMPORT_MACHINE_PATH),
        taskHandlers: handlers,
        name: 'import',
        ...(options.retryIntervalMs === undefined ? {} : { retryIntervalOverride: options.retryIntervalMs }),
      }),
    );
  }

  get definition() {
    return this.engine.definition;
  }

  /** Runs one import to its end; its record (shared/store/imports.ts) says the rest. */
  async run(job: {
    id: string;
    prefix: string;
    by: string;
    communityId?: string;
    year?: number;
  }): Promise<LocalImportRun> {
    const execution = this.engine.startExecution({ job } as unknown as JsonValue, {});
    let outcome: LocalImportRun['outcome'];
    let error: string | undefined;
    try {
      await execution.result;
      outcome = execution.stats.transitions.includes('ImportRefused') ? 'refused' : 'imported';
    } catch (e) {
      outcome = 'failed';
      error = e instanceof Error ? e.message : String(e);
    }
    const stats = execution.stats;
    return {
      outcome,
      ...(error ? { error } : {}),
      stateEntries: stats.stateEntries,
      largestPayloadBytes: Math.max(stats.largestInput.bytes, stats.largestOutput.bytes),
    };
  }
}
