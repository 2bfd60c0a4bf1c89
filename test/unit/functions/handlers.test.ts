/**
 * Handler and port tests with the AWS clients mocked (aws-sdk-client-mock): what each handler writes,
 * and how throttling and conditional-check failures surface (by name, for the state machines' retries
 * and catches).
 */
import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sfnExecutionPort } from '../../../shared/app/sfn-port.js';
import { resetStore } from '../../../shared/config.js';
import type { CycleRecord } from '../../../shared/store/cycles.js';

const docMock = mockClient(DynamoDBDocumentClient);
const cycle = {
  communityId: 'c1',
  kind: 'quarterly' as const,
  period: '2026-Q1',
  revision: 2,
  datasetVersion: 3,
};
const record: CycleRecord = {
  ...cycle,
  status: 'awaiting_review',
  startedBy: 'office1',
  startedAt: '2026-04-10T00:00:00Z',
  updatedAt: '2026-04-10T00:00:00Z',
  version: 4,
  review: {
    token: 'token-123',
    requestedAt: '2026-04-10T00:00:00Z',
    stateName: 'AwaitFinanceReview',
    stateInput: {},
  },
};

beforeEach(() => {
  docMock.reset();
  resetStore();
  process.env.TABLE_NAME = 'medcomm-test';
  delete process.env.DYNAMODB_ENDPOINT;
  process.env.AWS_REGION = 'cn-north-1';
});

afterEach(() => resetStore());

describe('request-review', () => {
  it('parks the cycle: stores the task token and the state input, status awaiting_review', async () => {
    docMock.on(GetCommand).resolves({ Item: { ...record, status: 'running', review: undefined } });
    docMock.on(UpdateCommand).resolves({ Attributes: { ...record } });
    const { handler } = await import('../../../functions/request-review.js');
    await handler({ cycle, taskToken: 'tok-1', stateName: 'AwaitFinanceReview', stateInput: { cycle } });
    expect(docMock).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: 'medcomm-test',
      Key: { pk: 'COMMUNITY#c1', sk: 'CYCLE#quarterly#2026-Q1' },
      ExpressionAttributeValues: expect.objectContaining({
        ':to': 'awaiting_review',
        ':review': expect.objectContaining({ token: 'tok-1' }),
      }),
    });
  });

  it('turns a lost race (conditional check failed) into a StoreError that names the current status', async () => {
    docMock.on(GetCommand).resolves({ Item: { ...record, status: 'completed', review: undefined } });
    docMock
      .on(UpdateCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    const { handler } = await import('../../../functions/request-review.js');
    await expect(
      handler({ cycle, taskToken: 'tok-1', stateName: 'AwaitFinanceReview', stateInput: {} }),
    ).rejects.toMatchObject({
      name: 'StoreError',
      code: 'conditional_failed',
      message: expect.stringContaining('completed'),
    });
  });
});

describe('prepare-cycle', () => {
  it("reads the dataset beside the cycle record, yet refuses a stale revision first and writes nothing (even where the prerequisites' reads fail too)", async () => {
    let sentWithRecord = 0;
    docMock.on(GetCommand).callsFake(async (input: { Key: { sk: string } }) => {
      if (!input.Key.sk.startsWith('CYCLE#')) return {}; // no scheme: its read fails (not found)
      // The record answers after a turn: the handler's other reads have gone out beside it by then.
      await new Promise((resolve) => setImmediate(resolve));
      sentWithRecord = docMock.calls().length;
      return { Item: { ...record, status: 'running', revision: cycle.revision + 1 } };
    });
    docMock.on(QueryCommand).resolves({ Items: [] });
    const { handler } = await import('../../../functions/prepare-cycle.js');
    await expect(handler({ cycle })).rejects.toMatchObject({ name: 'ReviewStateError' });
    expect(sentWithRecord).toBeGreaterThan(1);
    expect(docMock.commandCalls(PutCommand)).toHaveLength(0);
    expect(docMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('complete-cycle', () => {
  it('lets DynamoDB throttling surface by name so the state machine retries the step', async () => {
    // The cycle record reads back; the results it seals are read by Query, which is throttled.
    docMock
      .on(GetCommand)
      .callsFake((input: { Key: { sk: string } }) =>
        input.Key.sk.startsWith('CYCLE#') ? { Item: { ...record, status: 'running' } } : {},
      );
    docMock
      .on(QueryCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    docMock
      .on(UpdateCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    docMock
      .on(PutCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    docMock
      .on(TransactWriteCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    const { handler } = await import('../../../functions/complete-cycle.js');
    await expect(handler({ cycle: { ...cycle, kind: 'annual', period: '2026' } })).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
  });
});

describe('the result store', () => {
  it('accepts a retried write of the same pay page and refuses different content', async () => {
    const { ResultRepository } = await import('../../../shared/store/results.js');
    const { Table } = await import('../../../shared/store/store.js');
    const repo = new ResultRepository(
      new Table(
        DynamoDBDocumentClient.from(new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient({})),
        't',
      ),
    );
    docMock.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    docMock.on(GetCommand).resolves({ Item: { data: JSON.stringify([{ staffId: 's1', amount: 100 }]) } });
    await expect(repo.putPayLines(cycle, 'C01', [{ staffId: 's1', amount: 100 }])).resolves.toBeUndefined();
    await expect(repo.putPayLines(cycle, 'C01', [{ staffId: 's1', amount: 101 }])).rejects.toMatchObject({
      name: 'StoreError',
      message: expect.stringContaining('refusing to overwrite'),
    });
  });
});

describe('the Step Functions port', () => {
  const sfnMock = mockClient(SFNClient);
  const port = sfnExecutionPort(
    { monthly: 'arn:m', quarterly: 'arn:q', annual: 'arn:a' },
    new SFNClient({ region: 'cn-north-1' }),
  );
  beforeEach(() => sfnMock.reset());

  it('starts one execution per cycle revision, named after it', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    await port.start('quarterly', { cycle });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: 'arn:q',
      name: expect.stringMatching(/^c1-quarterly-2026-Q1-r2-[0-9a-f]{16}$/),
    });
  });

  it('treats an execution that already exists with the same input as started (a retried start runs nothing twice)', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfnMock.on(DescribeExecutionCommand).resolves({ input: JSON.stringify({ cycle }) });
    await expect(port.start('quarterly', { cycle })).resolves.toBeUndefined();
  });

  it('answers the stored task token: success on approval, ReviewRejected on rejection', async () => {
    sfnMock.on(SendTaskSuccessCommand).resolves({});
    sfnMock.on(SendTaskFailureCommand).resolves({});
    await port.resume(record, { approved: true, by: 'finance1', at: 'now' });
    await port.resume(record, { approved: false, by: 'finance1', at: 'now', reason: '数据有误' });
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'token-123' });
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: 'token-123',
      error: 'ReviewRejected',
      cause: '数据有误',
    });
  });

  it('passes SFN throttling on to the caller', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(port.start('monthly', { cycle })).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
