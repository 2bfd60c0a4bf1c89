/**
 * Imports run as a workflow (issue 12): one record per import, so the caller who started it — the API's
 * `import-from-upload`, or an S3 event — can follow it (parsing, writing, imported, refused with every
 * issue, failed) after its request has long returned.
 */
import type { ImportIssue } from '../dataset/errors.js';
import { keys } from './keys.js';
import type { Table } from './store.js';

export type ImportJobStatus = 'parsing' | 'writing' | 'imported' | 'refused' | 'failed';

export interface ImportJob {
  id: string;
  by: string;
  /** Where the uploaded files are (an S3 prefix, or a folder locally). */
  prefix: string;
  status: ImportJobStatus;
  startedAt: string;
  updatedAt: string;
  communityId?: string;
  year?: number;
  version?: number;
  /** A refusal's issues (the first ISSUES_KEPT; `issueCount` has them all). */
  issues?: ImportIssue[];
  issueCount?: number;
  /** Why a failed import failed (not the user's data: a fault, or a lease lost). */
  error?: string;
  /** Per file: rows read (as the synchronous import answers). */
  summary?: { file: string; rows: number }[];
  /** Bank accounts the version changed: bank files for them wait for HR's confirmation. */
  accountChanges?: number;
}

/** A refusal's issues kept on the record: ~300 bytes each stays far below DynamoDB's 400 KB item. */
export const ISSUES_KEPT = 500;

export class ImportJobRepository {
  constructor(private readonly table: Table) {}

  async create(
    job: Pick<ImportJob, 'id' | 'by' | 'prefix'> & Partial<Pick<ImportJob, 'communityId' | 'year'>>,
  ): Promise<ImportJob> {
    const now = new Date().toISOString();
    const record: ImportJob = { ...job, status: 'parsing', startedAt: now, updatedAt: now };
    await this.table.put(
      { ...keys.importJob(job.id), type: 'ImportJob', ...record },
      { ConditionExpression: 'attribute_not_exists(pk)' },
    );
    return record;
  }

  get(id: string): Promise<ImportJob | undefined> {
    return this.table.get<ImportJob>(keys.importJob(id));
  }

  /** Records a step's outcome; a finished import (imported, refused, failed) is never changed again. */
  async update(
    id: string,
    change: Partial<Omit<ImportJob, 'id' | 'by' | 'prefix' | 'startedAt'>>,
  ): Promise<void> {
    const fields = Object.entries({ ...change, updatedAt: new Date().toISOString() }).filter(
      ([, value]) => value !== undefined,
    );
    await this.table.update({
      Key: keys.importJob(id),
      UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk) AND NOT (#status IN (:imported, :refused, :failed))',
      ExpressionAttributeNames: {
        '#status': 'status',
        ...Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
      },
      ExpressionAttributeValues: {
        ':imported': 'imported',
        ':refused': 'refused',
        ':failed': 'failed',
        ...Object.fromEntries(fields.map(([, value], i) => [`:v${i}`, value])),
      },
    });
  }
}
