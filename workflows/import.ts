/**
 * The import state machine (issue 12): parse and validate once, write the version's chunks in parallel,
 * switch the pointer last. Started with {job: {id, prefix, by, communityId?, year?}} by the API's
 * `import-from-upload` (which answers at once with the import's id; no S3 event is wired); every step passes
 * keys and numbers only — the files and items stay in S3.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { type CycleFunctions, ERROR_PATH, lambdaStep } from './common.js';

/** Chunks written at once: each puts at concurrency 4, and blob keys are spread over 256 partitions. */
export const IMPORT_CHUNK_CONCURRENCY = 8;

export function importDefinition(scope: Construct, fns: CycleFunctions): sfn.IChainable {
  const failed = lambdaStep(scope, 'RecordImportFailure', fns.RecordImportFailure).next(
    new sfn.Fail(scope, 'ImportFailed', {
      error: 'ImportFailed',
      cause: 'a step failed; see the import record',
    }),
  );
  const guard = <T extends sfn.TaskStateBase | sfn.Map>(state: T): T => {
    // Any failure (user errors were already recorded as a refusal by PrepareImport) ends on the failure path.
    state.addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
    return state;
  };
  const prepare = guard(lambdaStep(scope, 'PrepareImport', fns.PrepareImport, '$.prepared'));
  const writeChunks = guard(
    new sfn.Map(scope, 'WriteImportChunks', {
      itemsPath: '$.prepared.chunks',
      itemSelector: {
        'job.$': '$.job',
        'prepared.$': '$.prepared',
        'chunk.$': '$$.Map.Item.Value',
      },
      maxConcurrency: IMPORT_CHUNK_CONCURRENCY,
      resultPath: sfn.JsonPath.DISCARD,
    }),
  );
  writeChunks.itemProcessor(lambdaStep(scope, 'WriteImportChunk', fns.WriteImportChunk));
  const finish = guard(lambdaStep(scope, 'FinishImport', fns.FinishImport, '$.finished'));
  return prepare.next(
    new sfn.Choice(scope, 'WasRefused')
      .when(sfn.Condition.booleanEquals('$.prepared.refused', true), new sfn.Succeed(scope, 'ImportRefused'))
      .otherwise(writeChunks.next(finish).next(new sfn.Succeed(scope, 'Imported'))),
  );
}
