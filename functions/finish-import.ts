/**
 * Last step of the import workflow: makes the version current — the pointer switch, its audit entry and
 * the lease check in one transaction — after every chunk was written; then sweeps what failed imports left.
 */
import { finishImport, importStagingFromEnv } from '../shared/app/import-workflow.js';
import { store } from '../shared/config.js';
import { ImportFinishInput } from '../shared/schemas/imports.js';

export async function handler(event: unknown): Promise<{ version: number }> {
  const input = ImportFinishInput.parse(event);
  return finishImport(store(), await importStagingFromEnv(), input);
}
