/**
 * Issue 12, province scale: "the 50 MB per-file cap is lifted for uploads through S3". PrepareImport's S3
 * staging reads a listed file over the 50 MB of a folder or an HTTP body, up to UPLOAD_MAX_FILE_BYTES,
 * and refuses a larger one by its listed size before reading any of it.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3ImportStaging } from '../../../shared/aws/import-staging.js';
import { MAX_FILE_BYTES, UPLOAD_MAX_FILE_BYTES } from '../../../shared/dataset/decode.js';

const s3 = mockClient(S3Client);
const prefix = 'uploads/xingguo/office1/job1/';
const bytes = new TextEncoder().encode('staffId,name\np0001,甲\n');

/** One listed object of `size` bytes (as S3 lists it); its body is small: only the listed size is checked. */
function listed(name: string, size: number) {
  s3.on(ListObjectsV2Command).resolves({
    Contents: [{ Key: `${prefix}${name}`, Size: size }],
    IsTruncated: false,
  });
  s3.on(GetObjectCommand).resolves({
    Body: { transformToByteArray: async () => bytes.slice() },
    ContentLength: bytes.length,
  } as never);
}

describe('uploads through S3 are not held to the 50 MB of a folder or a body', () => {
  beforeEach(() => s3.reset());

  it('lifts the cap: the upload limit is above 50 MB, and a 60 MB file is read', async () => {
    expect(UPLOAD_MAX_FILE_BYTES).toBeGreaterThan(3 * MAX_FILE_BYTES); // a province's workload.csv: ~150 MB
    listed('finance.csv', 60 * 1024 * 1024);
    const files = await s3ImportStaging('medcomm-imports', new S3Client({})).read(prefix);
    expect(Object.keys(files)).toEqual(['finance.csv']);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
  });

  it('refuses a file over the upload limit by its listed size, bilingually, without reading it', async () => {
    listed('workload.csv', UPLOAD_MAX_FILE_BYTES + 1);
    const read = s3ImportStaging('medcomm-imports', new S3Client({})).read(prefix);
    await expect(read).rejects.toMatchObject({ name: 'PrerequisiteError' });
    await expect(read).rejects.toThrow(/workload\.csv 过大.*workload\.csv is too large/s);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });
});
