/**
 * First step of the import workflow: reads the uploaded files, validates them (a refusal is recorded on
 * the import with every issue and ends the run), takes the year's lease, claims a version and stages its
 * items in chunks for the Map — so no step holds more than the parse, and none has a 29 s limit.
 */
import { importStagingFromEnv, type PreparedImport, prepareImport } from '../shared/app/import-workflow.js';
import { store } from '../shared/config.js';
import { ImportExecutionInput } from '../shared/schemas/imports.js';

export async function handler(event: unknown): Promise<PreparedImport> {
  const { job } = ImportExecutionInput.parse(event);
  return prepareImport(store(), await importStagingFromEnv(), job);
}
