/** The repository layer: one object per concern over one table. */
import { ApiJobRepository } from './api-jobs.js';
import { AuditRepository } from './audit.js';
import { CycleBatchRepository } from './batches.js';
import { createDynamoClients, type DynamoClientOptions } from './client.js';
import { CommunityRepository } from './communities.js';
import { CorrectionRepository } from './corrections.js';
import { CycleRepository } from './cycles.js';
import { DatasetRepository } from './datasets.js';
import { ImportJobRepository } from './imports.js';
import { LeaseRepository } from './leases.js';
import { PublicationRepository } from './publications.js';
import { ResultRepository } from './results.js';
import { SecondaryRepository } from './secondary.js';
import { Table } from './store.js';
import { TABLE_NAME_DEFAULT } from './table.js';

export interface Repositories {
  table: Table;
  datasets: DatasetRepository;
  /** Imports run as a workflow: their state (shared/store/imports.ts). */
  imports: ImportJobRepository;
  /** The API's long work (exports, audit verify) as jobs: their state (shared/store/api-jobs.ts). */
  apiJobs: ApiJobRepository;
  cycles: CycleRepository;
  /** A cycle revision's batches of institution ids, which the Maps reference (shared/store/batches.ts). */
  batches: CycleBatchRepository;
  results: ResultRepository;
  audit: AuditRepository;
  leases: LeaseRepository;
  corrections: CorrectionRepository;
  publications: PublicationRepository;
  secondary: SecondaryRepository;
  communities: CommunityRepository;
}

/**
 * `local`: this process also runs the cycles it starts (the local runtime over DynamoDB Local), so the
 * datasets repository keeps the months a start reads for the pay step that follows.
 */
export function repositories(table: Table, options: { local?: boolean } = {}): Repositories {
  return {
    table,
    datasets: new DatasetRepository(table, { keepMonthsRead: options.local === true }),
    imports: new ImportJobRepository(table),
    apiJobs: new ApiJobRepository(table),
    cycles: new CycleRepository(table),
    batches: new CycleBatchRepository(table),
    results: new ResultRepository(table),
    audit: new AuditRepository(table),
    leases: new LeaseRepository(table),
    corrections: new CorrectionRepository(table),
    publications: new PublicationRepository(table),
    secondary: new SecondaryRepository(table),
    communities: new CommunityRepository(table),
  };
}

export function openStore(options: DynamoClientOptions & { tableName?: string }): Repositories {
  const { doc } = createDynamoClients(options);
  return repositories(new Table(doc, options.tableName ?? TABLE_NAME_DEFAULT), {
    local: options.endpoint !== undefined,
  });
}
