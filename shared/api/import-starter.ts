/**
 * How `import-from-upload` starts the import state machine (issue 12): on AWS one StartExecution whose
 * name is the import's id, so a retried request starts nothing twice (on one machine:
 * shared/local/import-starter.ts runs the very same definition).
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { canonical, EXECUTION_NAME_MAX, ExecutionNameConflictError, executionArn } from '../app/sfn-port.js';
import { bilingual } from '../errors.js';
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
      const name = importExecutionName(job.id);
      const input = { job };
      try {
        await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      } catch (error) {
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
        // A retried request of the same import: started already (same input) — nothing to do.
        const existing = await client.send(
          new DescribeExecutionCommand({ executionArn: executionArn(stateMachineArn, name) }),
        );
        let same = false;
        try {
          same = canonical(JSON.parse(existing.input ?? 'null')) === canonical(input);
        } catch {
          same = false;
        }
        if (!same)
          throw new ExecutionNameConflictError(
            bilingual(
              `执行名 ${name} 已被另一输入的执行占用，导入未启动`,
              `execution name ${name} is taken by an execution with a different input; the import was not started`,
            ),
          );
      }
    },
  };
}
