/**
 * What each Lambda may do to the table — exactly the DynamoDB actions its handler calls, and write access
 * only to the partitions (key prefixes) it writes, enforced by `dynamodb:LeadingKeys`. Written out for a
 * reviewer to read; test/infra/least-privilege.test.ts derives the same from the code
 * (infra/derive-table-access.ts) and fails on any difference, so a handler that starts calling something
 * new needs its line here changed with it.
 */
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { EdgeFunctionId, FunctionId } from '../functions/registry.js';
import type { RouteGroup } from '../shared/api/roles.js';

export type ReadAction = 'GetItem' | 'Query' | 'BatchGetItem';
export type WriteAction = 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem' | 'ConditionCheckItem';

export interface TableAccess {
  read: ReadAction[];
  /** Each write action with the partition-key prefixes it may touch (`RESULT#` → `RESULT#*`). */
  write: Partial<Record<WriteAction, string[]>>;
}

export type AccessId = FunctionId | EdgeFunctionId | `api:${RouteGroup}`;

export const TABLE_ACCESS: Record<AccessId, TableAccess> = {
  // PrepareCycle stores the revision's batches of institution ids (BATCHES#); the Maps carry references.
  // It also settles the revision's result layout (RESULT#…, LAYOUT) before the Maps write.
  PrepareCycle: { read: ['GetItem', 'Query'], write: { PutItem: ['BATCHES#', 'RESULT#'] } },
  ComputeMonthlyPay: {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: { BatchWriteItem: ['RESULT#'], PutItem: ['RESULT#'] },
  },
  BuildMonthlyReport: { read: ['BatchGetItem', 'GetItem', 'Query'], write: { PutItem: ['RESULT#'] } },
  ScoreQuarter: {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: { BatchWriteItem: ['RESULT#'], PutItem: ['RESULT#'] },
  },
  BuildBulletin: { read: ['BatchGetItem', 'GetItem', 'Query'], write: { PutItem: ['RESULT#'] } },
  RequestReview: {
    read: ['GetItem', 'Query'],
    write: { PutItem: ['AUDIT#', 'COMMUNITY#'], UpdateItem: ['COMMUNITY#'] },
  },
  AllocatePool: {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: { BatchWriteItem: ['RESULT#'], PutItem: ['RESULT#'] },
  },
  ScoreAnnual: {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: { BatchWriteItem: ['RESULT#'], PutItem: ['RESULT#'] },
  },
  SettleAnnual: { read: ['BatchGetItem', 'GetItem', 'Query'], write: { PutItem: ['RESULT#'] } },
  // A province month's lock maps go to pages (LOCKPAGES#) before the completing transaction.
  CompleteCycle: {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: { PutItem: ['AUDIT#', 'COMMUNITY#', 'LOCKPAGES#', 'RESULT#'], UpdateItem: ['COMMUNITY#'] },
  },
  OpenSecondary: {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: { PutItem: ['SECONDARY#'], UpdateItem: ['SECONDARY#'] },
  },
  RequestSecondary: {
    read: ['GetItem', 'Query'],
    write: { PutItem: ['SECONDARY#'], UpdateItem: ['SECONDARY#'] },
  },
  CloseSecondary: {
    read: ['GetItem', 'Query'],
    write: { PutItem: ['AUDIT#', 'SECONDARY#'], UpdateItem: ['SECONDARY#'] },
  },
  RecordRejection: {
    read: ['GetItem', 'Query'],
    write: { PutItem: ['AUDIT#', 'COMMUNITY#'], UpdateItem: ['COMMUNITY#'] },
  },
  RecordFailure: {
    read: ['GetItem', 'Query'],
    write: { PutItem: ['AUDIT#', 'COMMUNITY#'], UpdateItem: ['COMMUNITY#'] },
  },
  // The CLI's streamed import with its items staged (shared/app/import-workflow.ts): a refused one deletes
  // its blob log and manifest, a dead lease taken over is audited.
  PrepareImport: {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: {
      BatchWriteItem: ['DEDUCTIONS#', 'DS#', 'DSBLOB#'],
      ConditionCheckItem: ['COMMUNITY#'],
      DeleteItem: ['COMMUNITY#', 'DEDUCTIONS#', 'DS#', 'DSBLOB#'],
      PutItem: ['AUDIT#', 'COMMUNITY#', 'DEDUCTIONS#', 'DS#', 'DSBLOB#', 'IMPORTJOB#'],
      UpdateItem: ['COMMUNITY#', 'DEDUCTIONS#', 'DS#', 'DSBLOB#', 'IMPORTJOB#'],
    },
  },
  WriteImportChunk: { read: [], write: { BatchWriteItem: ['DS#', 'DSBLOB#'], UpdateItem: ['COMMUNITY#'] } },
  FinishImport: {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: {
      ConditionCheckItem: ['COMMUNITY#'],
      DeleteItem: ['COMMUNITY#', 'DSBLOB#'],
      PutItem: ['AUDIT#', 'COMMUNITY#', 'DSBLOB#'],
      UpdateItem: ['COMMUNITY#', 'DSBLOB#', 'IMPORTJOB#'],
    },
  },
  RecordImportFailure: {
    read: [],
    write: { DeleteItem: ['COMMUNITY#'], UpdateItem: ['COMMUNITY#', 'IMPORTJOB#'] },
  },
  // The API's job runner (functions/run-api-job.ts): exports append their audit entry; the job its outcome.
  // Corrections and an appeal's acceptance are its jobs too (issue 12): a correction writes a dataset
  // version (as an import does, under the year's lease), recomputes the period's results (RESULT#) and
  // its differences; an approval switches the year's data and pages a province month's reserve (LOCKPAGES#).
  RunApiJob: {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: {
      BatchWriteItem: ['DEDUCTIONS#', 'DS#', 'DSBLOB#', 'RESULT#'],
      ConditionCheckItem: ['COMMUNITY#'],
      DeleteItem: ['COMMUNITY#', 'DEDUCTIONS#', 'DS#', 'DSBLOB#'],
      PutItem: ['AUDIT#', 'COMMUNITY#', 'DEDUCTIONS#', 'DS#', 'DSBLOB#', 'LOCKPAGES#', 'RESULT#'],
      UpdateItem: ['APIJOB#', 'COMMUNITY#', 'DEDUCTIONS#', 'DS#', 'DSBLOB#'],
    },
  },
  // A start with a province's acknowledged missing institutions puts them in pages (CYCLEPAGES#).
  StartScheduledCycle: {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: {
      ConditionCheckItem: ['COMMUNITY#'],
      DeleteItem: ['COMMUNITY#'],
      PutItem: ['AUDIT#', 'COMMUNITY#', 'CYCLEPAGES#'],
      UpdateItem: ['COMMUNITY#'],
    },
  },
  // Names the caller's communities from the registry and each one's current scheme.
  'api:me': { read: ['GetItem', 'Query'], write: {} },
  'api:commission': { read: ['GetItem', 'Query'], write: {} },
  // The streamed import (shared/app/import-service.ts): a refused one deletes the blobs, blob log and
  // manifest it wrote (DeleteItem on its own DS# partition).
  'api:datasets': {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: {
      BatchWriteItem: ['DEDUCTIONS#', 'DS#', 'DSBLOB#'],
      ConditionCheckItem: ['COMMUNITY#'],
      DeleteItem: ['COMMUNITY#', 'DEDUCTIONS#', 'DS#', 'DSBLOB#'],
      PutItem: ['AUDIT#', 'COMMUNITY#', 'DEDUCTIONS#', 'DS#', 'DSBLOB#', 'IMPORTJOB#'],
      UpdateItem: ['COMMUNITY#', 'DEDUCTIONS#', 'DS#', 'DSBLOB#'],
    },
  },
  // A correction is a job (issue 12): the route records it (APIJOB#); RunApiJob writes its version and results.
  'api:cycles': {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: {
      ConditionCheckItem: ['COMMUNITY#'],
      DeleteItem: ['COMMUNITY#'],
      PutItem: ['APIJOB#', 'AUDIT#', 'COMMUNITY#', 'CYCLEPAGES#'],
      UpdateItem: ['APIJOB#', 'COMMUNITY#'],
    },
  },
  // A correction's approval is a job (RunApiJob); its rejection one conditional write with its audit entry.
  // The queue reads a correction's per-institution summaries and the pages of the lines it answers by key.
  'api:reviews': {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: {
      ConditionCheckItem: ['COMMUNITY#'],
      DeleteItem: ['COMMUNITY#'],
      PutItem: ['APIJOB#', 'AUDIT#', 'COMMUNITY#'],
      UpdateItem: ['APIJOB#', 'COMMUNITY#'],
    },
  },
  'api:reports': { read: ['BatchGetItem', 'GetItem', 'Query'], write: { PutItem: ['AUDIT#'] } },
  // Issue 12: a whole sheet, a bank file and audit verify are jobs (shared/api/jobs.ts): the route records
  // the job (APIJOB#, failed there if its runner cannot be started); the runner exports and audits.
  'api:sheets': {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: { PutItem: ['APIJOB#'], UpdateItem: ['APIJOB#'] },
  },
  // The bank format setting is written with its audit entry (shared/app/bank-export.ts setBankFormat).
  'api:bank': {
    read: ['GetItem', 'Query'],
    write: { PutItem: ['APIJOB#', 'AUDIT#', 'COMMUNITY#'], UpdateItem: ['APIJOB#'] },
  },
  'api:audit': { read: ['GetItem', 'Query'], write: { PutItem: ['APIJOB#'], UpdateItem: ['APIJOB#'] } },
  // A job's state, for its asker; a job whose runner died is recorded failed by the read that sees it.
  'api:jobs': { read: ['GetItem'], write: { UpdateItem: ['APIJOB#'] } },
  'api:explain': { read: ['BatchGetItem', 'GetItem', 'Query'], write: {} },
  'api:publications': {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: { PutItem: ['AUDIT#', 'COMMUNITY#'] },
  },
  'api:secondary': {
    read: ['GetItem', 'Query'],
    write: {
      // COMMUNITY#: closing the window continues the month under the cycle's run lease.
      ConditionCheckItem: ['COMMUNITY#', 'SECONDARY#'],
      DeleteItem: ['COMMUNITY#'],
      PutItem: ['AUDIT#', 'COMMUNITY#', 'SECONDARY#'],
      UpdateItem: ['COMMUNITY#', 'SECONDARY#'],
    },
  },
  // An appeal's acceptance opens a correction: a job (APIJOB#), run by RunApiJob.
  'api:appeals': {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: { PutItem: ['APIJOB#', 'AUDIT#', 'COMMUNITY#'], UpdateItem: ['APIJOB#'] },
  },
  'api:schemes': {
    read: ['BatchGetItem', 'GetItem', 'Query'],
    write: {
      BatchWriteItem: ['DEDUCTIONS#', 'DS#', 'DSBLOB#'],
      ConditionCheckItem: ['COMMUNITY#'],
      DeleteItem: ['COMMUNITY#', 'DEDUCTIONS#', 'DS#', 'DSBLOB#'],
      // A simulation is a job (issue 12): recorded here (APIJOB#), run by RunApiJob.
      PutItem: ['APIJOB#', 'AUDIT#', 'COMMUNITY#', 'DEDUCTIONS#', 'DS#', 'DSBLOB#'],
      UpdateItem: ['APIJOB#', 'COMMUNITY#', 'DEDUCTIONS#', 'DS#', 'DSBLOB#'],
    },
  },
};

/** The statements for one function: reads on the table; writes on the table within its partitions only. */
export function tableStatements(table: ITable, access: TableAccess): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  if (access.read.length)
    statements.push(
      new PolicyStatement({ actions: access.read.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }),
    );
  // One statement per set of partitions: an action is allowed only on the partitions it writes.
  const byPartitions = new Map<string, string[]>();
  for (const [action, prefixes] of Object.entries(access.write)) {
    const key = [...prefixes].sort().join(',');
    byPartitions.set(key, [...(byPartitions.get(key) ?? []), action]);
  }
  for (const [key, actions] of byPartitions)
    statements.push(
      new PolicyStatement({
        actions: actions.sort().map((a) => `dynamodb:${a}`),
        resources: [table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': key.split(',').map((p) => `${p}*`) },
        },
      }),
    );
  return statements;
}

export const usesTable = (access: TableAccess) => access.read.length + Object.keys(access.write).length > 0;
