/**
 * Execution names on Step Functions (shared/app/sfn-port.ts): ≤ 80 characters of [A-Za-z0-9_-], unique
 * per cycle run and stable, and an `ExecutionAlreadyExists` for a different input is an error.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EXECUTION_NAME_MAX,
  executionArn,
  executionName,
  sfnExecutionPort,
} from '../../../shared/app/sfn-port.js';

const run = (communityId: string, extra: Partial<{ period: string; revision: number }> = {}) => ({
  communityId,
  kind: 'monthly' as const,
  period: extra.period ?? '2026-01',
  revision: extra.revision ?? 1,
});
const valid = (name: string) => name.length <= EXECUTION_NAME_MAX && /^[A-Za-z0-9_-]+$/.test(name);

describe('execution names', () => {
  it('differ for Chinese ids of the same length, which a character mapping would make equal', () => {
    const a = executionName(run('兴国县医共体'));
    const b = executionName(run('瑞金市医共体'));
    expect(valid(a) && valid(b)).toBe(true);
    expect(a).not.toBe(b);
  });

  it('differ for a.b and a_b, and keep a readable prefix', () => {
    const dotted = executionName(run('a.b'));
    const underscored = executionName(run('a_b'));
    expect(dotted).not.toBe(underscored);
    expect(dotted).toMatch(/^a_b-monthly-2026-01-r1-[0-9a-f]{16}$/);
    expect(underscored).toMatch(/^a_b-monthly-2026-01-r1-[0-9a-f]{16}$/);
  });

  it('keep kind, period and revision of an id of 64 or more characters, and tell two such ids apart', () => {
    const long = 'x'.repeat(64);
    const name = executionName(run(long, { period: '2026-12', revision: 12 }), 3);
    expect(valid(name)).toBe(true);
    expect(name).toContain('-monthly-2026-12-r12-a3-');
    expect(executionName(run(`${long}a`))).not.toBe(executionName(run(`${long}b`)));
    expect(executionName(run('y'.repeat(200)))).toHaveLength(EXECUTION_NAME_MAX);
  });

  it('are stable: the same run gets the same name, another period, revision or attempt another', () => {
    expect(executionName(run('兴国'))).toBe(executionName(run('兴国')));
    const names = new Set([
      executionName(run('兴国')),
      executionName(run('兴国', { period: '2026-02' })),
      executionName(run('兴国', { revision: 2 })),
      executionName(run('兴国'), 2),
    ]);
    expect(names.size).toBe(4);
  });

  it('are valid and distinct for any two different ids (random Unicode, dots, long ones)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 120, unit: 'grapheme' }),
        fc.string({ minLength: 1, maxLength: 120, unit: 'grapheme' }),
        (a, b) => {
          fc.pre(a !== b);
          const na = executionName(run(a));
          expect(valid(na)).toBe(true);
          expect(na).not.toBe(executionName(run(b)));
        },
      ),
    );
  });
});

describe('a start whose name already exists', () => {
  const sfn = mockClient(SFNClient);
  const arns = {
    monthly: 'arn:aws-cn:states:cn-north-1:111122223333:stateMachine:Monthly',
    quarterly: 'arn:q',
    annual: 'arn:a',
  };
  const port = sfnExecutionPort(arns, new SFNClient({ region: 'cn-north-1' }));
  const input = { cycle: { ...run('兴国'), datasetVersion: 4 } };
  beforeEach(() => {
    sfn.reset();
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
  });

  it('is the same run when the existing execution has the same input (asked by its ARN)', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ input: JSON.stringify({ cycle: { ...input.cycle } }) });
    await expect(port.start('monthly', input)).resolves.toBeUndefined();
    expect(sfn).toHaveReceivedCommandWith(DescribeExecutionCommand, {
      executionArn: `arn:aws-cn:states:cn-north-1:111122223333:execution:Monthly:${executionName(input.cycle)}`,
    });
  });

  it('is an error, not a success, when the existing execution has a different input', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ input: JSON.stringify({ cycle: { ...input.cycle, datasetVersion: 3 } }) });
    await expect(port.start('monthly', input)).rejects.toMatchObject({
      name: 'ExecutionNameConflictError',
      message: expect.stringMatching(/周期未启动.*the cycle was not started/),
    });
  });

  it('passes a failed look-up on instead of reporting a start', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(port.start('monthly', input)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('derives the execution ARN from the state machine ARN', () => {
    expect(executionArn('arn:aws:states:us-east-1:1:stateMachine:M', 'n')).toBe(
      'arn:aws:states:us-east-1:1:execution:M:n',
    );
  });
});
