/** One iteration of the import's Map: puts one staged chunk of the version's items (idempotent puts). */
import { importStagingFromEnv, writeImportChunk } from '../shared/app/import-workflow.js';
import { store } from '../shared/config.js';
import { ImportChunkInput } from '../shared/schemas/imports.js';

export async function handler(event: unknown): Promise<void> {
  const input = ImportChunkInput.parse(event);
  await writeImportChunk(store(), await importStagingFromEnv(), input);
}
