/**
 * The import workflow's failure path: the claimed version is marked failed (never current; the next
 * import sweeps its blobs), the lease released and the import's record says why.
 */
import { failImport, importStagingFromEnv } from '../shared/app/import-workflow.js';
import { store } from '../shared/config.js';
import { ImportFailureInput } from '../shared/schemas/imports.js';

export async function handler(event: unknown): Promise<void> {
  const input = ImportFailureInput.parse(event);
  await failImport(store(), await importStagingFromEnv(), input);
}
