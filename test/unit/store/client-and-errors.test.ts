import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDynamoClients, LOCAL_CREDENTIALS } from '../../../shared/store/client.js';
import { StoreError, toStoreError } from '../../../shared/store/errors.js';

describe('createDynamoClients', () => {
  it('uses region "local" and alphanumeric credentials for a local endpoint', async () => {
    const { client } = createDynamoClients({ endpoint: 'http://127.0.0.1:8000' });

    expect(await client.config.region()).toBe('local');
    const credentials = await client.config.credentials();
    expect(credentials.accessKeyId).toBe(LOCAL_CREDENTIALS.accessKeyId);
    // DynamoDB Local rejects any other access key with UnrecognizedClientException.
    expect(credentials.accessKeyId).toMatch(/^[A-Za-z0-9]+$/);
    client.destroy();
  });

  it('lets the SDK retry throttling with more attempts than its default of 3', async () => {
    const { client } = createDynamoClients({ endpoint: 'http://127.0.0.1:8000' });
    expect(await client.config.maxAttempts()).toBeGreaterThan(3);
    client.destroy();
  });

  it('drops undefined attributes instead of failing to marshall them', () => {
    const { doc } = createDynamoClients({ endpoint: 'http://127.0.0.1:8000' });
    expect(doc.config.translateConfig?.marshallOptions?.removeUndefinedValues).toBe(true);
    doc.destroy();
  });
});

describe('StoreError', () => {
  it('has the literal name Step Functions matches on, and a typed code', () => {
    const error = new StoreError('not_found', 'no such period');
    expect(error.name).toBe('StoreError');
    expect(error.code).toBe('not_found');
    expect(error).toBeInstanceOf(Error);
  });

  it('maps a failed condition to conditional_failed, keeping the SDK error as cause', () => {
    const sdkError = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
    });
    const mapped = toStoreError(sdkError, 'put period');
    expect(mapped).toBeInstanceOf(StoreError);
    expect((mapped as StoreError).code).toBe('conditional_failed');
    expect((mapped as StoreError).message).toMatch(/^put period: condition not met/);
    expect((mapped as StoreError).cause).toBe(sdkError);
  });

  it('maps cancelled transactions with their reasons, and leaves other errors alone', () => {
    const cancelled = Object.assign(new Error('Transaction cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
    });
    expect((toStoreError(cancelled) as StoreError).details).toEqual({
      reasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
    });
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    expect(toStoreError(throttled)).toBe(throttled);
  });
});
