/** The ExecutionPort on AWS: StartExecution with a name per cycle revision, SendTaskSuccess/Failure for reviews. */
import { createHash } from 'node:crypto';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { bilingual, ReviewStateError } from '../errors.js';
import { instrumentAwsClient } from '../ops/invocation.js';
import type { CycleRef } from '../schemas/events.js';
import type { CycleKind } from '../store/keys.js';
import type { ExecutionPort } from './cycle-service.js';

/** Step Functions: ≤ 80 characters of [A-Za-z0-9_-], unique per state machine for 90 days. */
export const EXECUTION_NAME_MAX = 80;
const HASH_HEX = 16;

/**
 * The execution name of one run of a cycle revision: a readable prefix (community, kind, period,
 * revision, attempt — the community cut and its other characters replaced where it must be) plus 64 bits
 * of SHA-256 over the full identity. The prefix is for people reading the console; the hash is what makes
 * names unique, so `兴国` and `瑞金`, `a.b` and `a_b`, or two 64-character ids sharing a start never share
 * a name, and the same run always gets the same one.
 */
export function executionName(
  c: Pick<CycleRef, 'communityId' | 'kind' | 'period' | 'revision'>,
  attempt = 1,
): string {
  const identity = JSON.stringify([c.communityId, c.kind, c.period, c.revision, attempt]);
  const hash = createHash('sha256').update(identity, 'utf8').digest('hex').slice(0, HASH_HEX);
  const tail = `-${c.kind}-${c.period}-r${c.revision}${attempt > 1 ? `-a${attempt}` : ''}-${hash}`.replace(
    /[^A-Za-z0-9_-]/g,
    '_',
  );
  const community = c.communityId
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .slice(0, Math.max(0, EXECUTION_NAME_MAX - tail.length));
  return `${community}${tail}`.slice(-EXECUTION_NAME_MAX);
}

/** An execution of this name exists with a different input: a bug or a hash collision — never "started". */
export class ExecutionNameConflictError extends Error {
  override readonly name = 'ExecutionNameConflictError' as const;
}

/** `arn:…:stateMachine:M` → `arn:…:execution:M:name` (the ARN StartExecution gives the execution). */
export const executionArn = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/** Same JSON value, whatever the key order (the input we send is ours, but a console edit is not). */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * StartExecution under a name that identifies the run: Step Functions answers a same-name start with
 * ExecutionAlreadyExists once the first one closed, or when the input differs. Only the first is a retried
 * start of this very run (nothing to do); the second is refused, naming what was not started.
 */
export async function startOnce(
  client: SFNClient,
  stateMachineArn: string,
  name: string,
  input: unknown,
  notStarted: { zh: string; en: string },
): Promise<void> {
  try {
    await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
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
          `执行名 ${name} 已被另一输入的执行占用，${notStarted.zh}`,
          `execution name ${name} is taken by an execution with a different input; ${notStarted.en}`,
        ),
      );
  }
}

export function sfnExecutionPort(
  stateMachineArns: Record<CycleKind, string>,
  client = instrumentAwsClient(new SFNClient({})),
): ExecutionPort {
  return {
    async start(kind, input, options = {}) {
      // A resumed run is a new execution of the same revision: its name carries the attempt.
      const name = executionName(input.cycle, options.attempt ?? 1);
      await startOnce(client, stateMachineArns[kind], name, input, {
        zh: '周期未启动',
        en: 'the cycle was not started',
      });
    },
    // The liveness of a claimed run on AWS: the claimant only starts the attempt's execution and returns
    // (its run lease covers the claim up to StartExecution), and the execution, found by its unique name,
    // runs on. PENDING_REDRIVE is a failed execution being redriven: running again.
    async attemptRunning(kind, input, attempt) {
      try {
        const execution = await client.send(
          new DescribeExecutionCommand({
            executionArn: executionArn(stateMachineArns[kind], executionName(input.cycle, attempt)),
          }),
        );
        return execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE';
      } catch (error) {
        // Never started (the start was refused, or its starter died first): nothing runs.
        if ((error as { name?: string }).name === 'ExecutionDoesNotExist') return false;
        throw error;
      }
    },
    async resumeSecondary(_cycle, _window, tokens) {
      for (const taskToken of tokens) {
        try {
          await client.send(
            new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ closed: true }) }),
          );
        } catch (error) {
          // A wait already answered (a retried close) or timed out (it closed the window itself) is done.
          const name = (error as { name?: string }).name;
          if (name !== 'TaskDoesNotExist' && name !== 'TaskTimedOut' && name !== 'InvalidToken') throw error;
        }
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
