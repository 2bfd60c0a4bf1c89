/**
 * The audit chain's key and anchor on AWS: the HMAC key from Secrets Manager (never in the table or the
 * function's environment), the anchors in an S3 bucket with Object Lock, one object per head that nobody
 * can overwrite or delete while it is retained — so the newest anchor is the true end of the chain.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { instrumentAwsClient } from '../ops/invocation.js';
import type { AnchorStore, AuditHead, AuditSecrets } from '../store/audit.js';

/** Keys sort newest first: the sequence is stored as its distance to 10^12, zero-padded. */
const TOP = 1e12;
const anchorKey = (communityId: string, sequence: number) =>
  `audit-anchors/${encodeURIComponent(communityId)}/${String(TOP - sequence).padStart(12, '0')}.json`;

export class S3AnchorStore implements AnchorStore {
  constructor(
    private readonly bucket: string,
    private readonly s3 = instrumentAwsClient(new S3Client({})),
  ) {}

  get where(): string {
    return `s3://${this.bucket}/audit-anchors/`;
  }

  async read(communityId: string): Promise<AuditHead | undefined> {
    const listed = await this.s3.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: `audit-anchors/${encodeURIComponent(communityId)}/`,
        MaxKeys: 1,
      }),
    );
    const newest = listed.Contents?.[0]?.Key;
    if (!newest) return undefined;
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: newest }));
    const head = JSON.parse(await object.Body!.transformToString()) as AuditHead;
    return { sequence: head.sequence, hash: head.hash };
  }

  async write(communityId: string, head: AuditHead): Promise<void> {
    // A new object per head: the bucket's Object Lock keeps every one, so none can be moved back.
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: anchorKey(communityId, head.sequence),
        Body: JSON.stringify(head),
        ContentType: 'application/json',
        ChecksumAlgorithm: 'SHA256',
      }),
    );
  }
}

/** The secrets a Lambda reads at its first audit append (configured from its environment). */
export async function awsAuditSecrets(env: {
  AUDIT_KEY_SECRET_ARN?: string;
  AUDIT_ANCHOR_BUCKET?: string;
}): Promise<AuditSecrets> {
  let key: Buffer | undefined;
  if (env.AUDIT_KEY_SECRET_ARN) {
    const secret = await instrumentAwsClient(new SecretsManagerClient({})).send(
      new GetSecretValueCommand({ SecretId: env.AUDIT_KEY_SECRET_ARN }),
    );
    if (!secret.SecretString) throw new Error(`secret ${env.AUDIT_KEY_SECRET_ARN} has no value`);
    key = Buffer.from(secret.SecretString, 'utf8');
  }
  return {
    ...(key ? { key } : {}),
    ...(env.AUDIT_ANCHOR_BUCKET ? { anchor: new S3AnchorStore(env.AUDIT_ANCHOR_BUCKET) } : {}),
  };
}
