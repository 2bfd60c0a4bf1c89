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

/**
 * `uploads`: the folder the upload prefixes (`uploads/{community}/{user}/{id}/`) are relative to (or
 * `folderOf`, which also refuses a prefix outside them); `ended` runs once an import has ended, whichever
 * way (`medcomm serve` removes its files). An import already started here is not started again (as
 * StartExecution with the same name and input on AWS).
 */
export function localImportStarter(options: {
  uploads: string;
  folderOf?: (prefix: string) => string;
  ended?: (job: ImportJobRef) => Promise<void>;
}): ImportStarter & { idle(): Promise<void>; running(importId: string): boolean } {
  let workflow: Promise<LocalImportWorkflow> | undefined;
  const running = new Set<Promise<unknown>>();
  const started = new Set<string>();
  const active = new Set<string>();
  return {
    async start(job: ImportJobRef) {
      // The record keeps the prefix as the API gave it; the run reads the files from its folder here.
      const folder = options.folderOf ? options.folderOf(job.prefix) : join(options.uploads, job.prefix);
      workflow ??= LocalImportWorkflow.create();
      const engine = await workflow;
      if (started.has(job.id)) return;
      started.add(job.id);
      active.add(job.id);
      const run = engine
        .run({ ...job, prefix: folder })
        .catch(() => undefined)
        .then(() => options.ended?.(job))
        .catch(() => undefined)
        .finally(() => active.delete(job.id));
      running.add(run);
      void run.finally(() => running.delete(run));
    },
    /** Resolves once every import started so far has ended (a server stopping, a test). */
    async idle() {
      await Promise.all([...running]);
    },
    /** Whether an import started here has not ended yet (its files are not swept). */
    running: (importId: string) => active.has(importId),
  };
}
