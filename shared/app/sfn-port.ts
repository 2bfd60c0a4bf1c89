/** The ExecutionPort on AWS: StartExecution with a name per cycle revision, SendTaskSuccess/Failure for reviews. */
import {
  ExecutionAlreadyExists,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { bilingual, ReviewStateError } from '../errors.js';
import type { CycleKind } from '../store/keys.js';
import type { ExecutionPort } from './cycle-service.js';

export function sfnExecutionPort(
  stateMachineArns: Record<CycleKind, string>,
  client = new SFNClient({}),
): ExecutionPort {
  return {
    async start(kind, input, options = {}) {
      const c = input.cycle;
      // A resumed run is a new execution of the same revision: its name carries the attempt.
      const attempt = options.attempt && options.attempt > 1 ? `-a${options.attempt}` : '';
      try {
        await client.send(
          new StartExecutionCommand({
            stateMachineArn: stateMachineArns[kind],
            // One execution name per cycle revision: a retried start cannot run the cycle twice.
            name: `${c.communityId}-${c.kind}-${c.period}-r${c.revision}${attempt}`
              .replace(/[^A-Za-z0-9_-]/g, '_')
              .slice(0, 80),
            input: JSON.stringify(input),
          }),
        );
      } catch (error) {
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
      }
    },
    async resume(cycle, decision) {
      const token = cycle.review?.token;
      if (!token)
        throw new ReviewStateError(
          bilingual('该周期没有等待中的审核任务', 'the cycle has no pending review task'),
        );
      if (decision.approved) {
        await client.send(
          new SendTaskSuccessCommand({
            taskToken: token,
            output: JSON.stringify({ approvedBy: decision.by }),
          }),
        );
      } else {
        await client.send(
          new SendTaskFailureCommand({
            taskToken: token,
            error: 'ReviewRejected',
            cause: (decision.reason ?? '').slice(0, 256),
          }),
        );
      }
    },
  };
}
