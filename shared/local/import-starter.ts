/**
 * The import starter on one machine (issue 12): each import runs the very definition CDK synthesizes for
 * AWS (workflows/import.ts) through the local ASL engine (./import-workflow.ts), in the background — the
 * request answers at once, as StartExecution does, and the import's record says how it ends (a failure
 * too: RecordImportFailure writes it). Not in any Lambda bundle.
 */
import { join } from 'node:path';
import type { ImportStarter } from '../api/ports.js';
import type { ImportJobRef } from '../app/import-workflow.js';
import { LocalImportWorkflow } from './import-workflow.js';

/** `uploads`: the folder the upload prefixes (`uploads/{community}/{user}/{id}/`) are relative to. */
export function localImportStarter(options: { uploads: string }): ImportStarter & { idle(): Promise<void> } {
  let workflow: Promise<LocalImportWorkflow> | undefined;
  const running = new Set<Promise<unknown>>();
  return {
    async start(job: ImportJobRef) {
      workflow ??= LocalImportWorkflow.create();
      const engine = await workflow;
      // The record keeps the prefix as the API gave it; the run reads the files from its folder here.
      const run = engine.run({ ...job, prefix: join(options.uploads, job.prefix) }).catch(() => undefined);
      running.add(run);
      void run.finally(() => running.delete(run));
    },
    /** Resolves once every import started so far has ended (a server stopping, a test). */
    async idle() {
      await Promise.all([...running]);
    },
  };
}
