/**
 * The audit chain on AWS with the SDK mocked: the key comes from Secrets Manager at the first append, the
 * head is anchored as a new S3 object per append (newest first), and verify reads the newest anchor back —
 * so a trail cut short in the table fails against it.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { awsAuditSecrets, S3AnchorStore } from '../../../shared/aws/audit-secrets.js';
import {
  type AuditEntry,
  configureAuditSecrets,
  entryHash,
  verifyChain,
} from '../../../shared/store/audit.js';

const s3 = mockClient(S3Client);
const secrets = mockClient(SecretsManagerClient);

afterAll(() => {
  configureAuditSecrets({});
});

describe('the audit chain on AWS', () => {
  it('anchors each head as its own object, newest first, and reads the newest back', async () => {
    const objects = new Map<string, string>();
    s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: string }) => {
      objects.set(input.Key, input.Body);
      return {};
    });
    s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string; MaxKeys: number }) => ({
      Contents: [...objects.keys()]
        .filter((k) => k.startsWith(input.Prefix))
        .sort()
        .slice(0, input.MaxKeys)
        .map((Key) => ({ Key })),
    }));
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({
      // What the SDK's stream offers the reader.
      Body: { transformToString: async () => objects.get(input.Key)! },
    }));
    const anchors = new S3AnchorStore('anchors-bucket', new S3Client({ region: 'cn-north-1' }));
    for (const sequence of [1, 2, 10, 11]) await anchors.write('兴国', { sequence, hash: `h${sequence}` });
    expect(await anchors.read('兴国')).toEqual({ sequence: 11, hash: 'h11' });
    expect(await anchors.read('other')).toBeUndefined();
    expect([...objects.keys()].every((k) => k.startsWith('audit-anchors/%E5%85%B4%E5%9B%BD/'))).toBe(true);
  });

  it('keys the chain with the secret: a chain hashed without it does not verify', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'k'.repeat(64) });
    const { key } = await awsAuditSecrets({
      AUDIT_KEY_SECRET_ARN: 'arn:aws-cn:secretsmanager:cn-north-1:1:secret:audit',
    });
    expect(key?.toString()).toBe('k'.repeat(64));
    const body = {
      sequence: 1,
      at: '2026-12-06T00:00:00.000Z',
      actor: 'office1',
      action: 'dataset.import',
      subject: 'dataset v1',
      details: {},
      previousHash: '0'.repeat(64),
      mac: 'hmac-sha256' as const,
    };
    const keyed: AuditEntry = { ...body, hash: entryHash(body, key) };
    expect(verifyChain([keyed], { sequence: 1, hash: keyed.hash }, undefined, key).ok).toBe(true);
    const { mac: _mac, ...plain } = body;
    const forged: AuditEntry = { ...plain, hash: entryHash(plain, undefined) };
    expect(verifyChain([forged], { sequence: 1, hash: forged.hash }, undefined, key)).toMatchObject({
      ok: false,
      brokenAt: 1,
    });
  });
});
