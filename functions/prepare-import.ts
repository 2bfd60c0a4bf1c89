/**
 * First step of the import workflow: the CLI's streamed import of the uploaded files (a refusal is
 * recorded on the import with every issue and ends the run), the version's items staged in chunks for
 * the Map as workload.csv is read instead of written — so no step holds more than the parse's own state
 * and a few chunks, and none has a 29 s limit.
 */
import { importStagingFromEnv, type PreparedImport, prepareImport } from '../shared/app/import-workflow.js';
import { store } from '../shared/config.js';
import { ImportExecutionInput } from '../shared/schemas/imports.js';

export async function handler(event: unknown): Promise<PreparedImport> {
  const { job } = ImportExecutionInput.parse(event);
  return prepareImport(store(), await importStagingFromEnv(), job);
}
