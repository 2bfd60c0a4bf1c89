/**
 * The set-up the §9.1 workflow tests share (secondary.test.ts, secondary-timeout.test.ts,
 * secondary-parked-before-refs.test.ts): a local runtime on a fresh table of the run's DynamoDB Local,
 * retrying at once, holding the tiny dataset in manual mode with C01's and C02's departments
 * (TWO_INSTITUTIONS_DEPARTMENTS) as the office imported it; and the start of its manual month.
 */
import { join } from 'node:path';
import { type ExecutionPort, startCycle } from '../../../shared/app/cycle-service.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';
import { inManualMode, readDatasetFiles, TWO_INSTITUTIONS_DEPARTMENTS } from './dataset-files.js';

const TINY = join(import.meta.dirname, '../../fixtures/tiny/dataset');

/** The tiny dataset's community and the month the tests run. */
export const MANUAL_MONTH = { community: 'county7', period: '2026-01' } as const;

/** The runtime, its table named after the test (`name-…`), with the manual-mode dataset imported. */
export async function openManualMonth(name: string): Promise<LocalRuntime> {
  const files = inManualMode(await readDatasetFiles(TINY), TWO_INSTITUTIONS_DEPARTMENTS);
  const rt = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `${name}-${Date.now().toString(36)}`,
    workflows: { retryIntervalMs: 0 },
  });
  try {
    await importDataset(rt.repos, { files }, 'office1');
  } catch (error) {
    await rt.close();
    throw error;
  }
  return rt;
}

/** The office starts the manual month, on the runtime's workflows or on `port`. */
export function startManualMonth(rt: LocalRuntime, port: ExecutionPort = rt.workflows) {
  const { community, period } = MANUAL_MONTH;
  return startCycle(rt.repos, port, { communityId: community, kind: 'monthly', period, by: 'office1' });
}
