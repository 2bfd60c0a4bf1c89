/**
 * How `import-from-upload` starts the import state machine (issue 12): on AWS one StartExecution whose
 * name is the import's id, so a retried request starts nothing twice (on one machine:
 * shared/local/import-starter.ts runs the very same definition).
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { EXECUTION_NAME_MAX, startOnce } from '../app/sfn-port.js';
import { instrumentAwsClient } from '../ops/invocation.js';
import type { ImportStarter } from './ports.js';

/** The execution of an import: `import-{importId}` (a UUID), unique per machine and the same on a retry. */
export const importExecutionName = (importId: string) =>
  `import-${importId.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, EXECUTION_NAME_MAX);

export function sfnImportStarter(
  stateMachineArn: string,
  client = instrumentAwsClient(new SFNClient({})),
): ImportStarter {
  return {
    async start(job) {
      // A retried request of the same import finds it started already (same input): nothing to do.
      await startOnce(
        client,
        stateMachineArn,
        importExecutionName(job.id),
        { job },
        {
          zh: '导入未启动',
          en: 'the import was not started',
        },
      );
    },
  };
}
