/**
 * PrepareImport's staging reads a large workload.csv into memory the parse worker shares (issue 12: a
 * province's 150 MB, copied into a message for the worker, was held up to three times at once), from a
 * folder as from S3; the other files are read as they are.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chunkPieces, decodeChunk } from '../../../shared/app/import-workflow.js';
import { s3ImportStaging } from '../../../shared/aws/import-staging.js';
import { SHARED_FILE_BYTES } from '../../../shared/dataset/decode.js';
import { folderImportStaging } from '../../../shared/local/import-staging.js';

/** A workload.csv just over the size read into shared memory, its bytes varied so a misplaced piece shows. */
const large = (): Uint8Array => {
  const line = new TextEncoder().encode('p0001,2026-01,1,2\n');
  const bytes = new Uint8Array(SHARED_FILE_BYTES + 3 * line.length);
  for (let at = 0; at < bytes.length; at++) bytes[at] = line[at % line.length]! ^ ((at >> 12) & 1);
  return bytes;
};
const small = new TextEncoder().encode('staffId,name\np0001,甲\n');

describe('the import staging', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'import-staging-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads a folder: a large workload.csv into shared memory with its bytes, other files as they are', async () => {
    const workload = large();
    await writeFile(join(root, 'workload.csv'), workload);
    await writeFile(join(root, 'staff.csv'), small);
    const files = await folderImportStaging(join(root, 'chunks')).read(root);
    expect(files['workload.csv']!.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(files['workload.csv']!).equals(Buffer.from(workload))).toBe(true);
    expect(files['staff.csv']!.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(files['staff.csv']!).equals(Buffer.from(small))).toBe(true);
  });

  describe('from S3', () => {
    const s3 = mockClient(S3Client);
    const prefix = 'uploads/xingguo/office1/job1/';
    /** An SDK body as the staging reads it: pieces of the stream, or the whole array. */
    const body = (bytes: Uint8Array, piece = 65_536) => ({
      async *[Symbol.asyncIterator]() {
        for (let at = 0; at < bytes.length; at += piece) yield bytes.subarray(at, at + piece);
      },
      transformToByteArray: async () => bytes.slice(),
    });
    const upload = (objects: Record<string, { bytes: Uint8Array; length?: number }>) => {
      s3.on(ListObjectsV2Command).resolves({
        Contents: Object.entries(objects).map(([name, { bytes }]) => ({
          Key: `${prefix}${name}`,
          Size: bytes.length,
        })),
        IsTruncated: false,
      });
      for (const [name, { bytes, length }] of Object.entries(objects))
        s3.on(GetObjectCommand, { Key: `${prefix}${name}` }).resolves({
          Body: body(bytes),
          ContentLength: length ?? bytes.length,
        } as never);
    };
    beforeEach(() => s3.reset());

    it('streams a large workload.csv into shared memory and reads the other files whole', async () => {
      const workload = large();
      upload({ 'workload.csv': { bytes: workload }, 'staff.csv': { bytes: small } });
      const files = await s3ImportStaging('medcomm-imports', new S3Client({})).read(prefix);
      expect(files['workload.csv']!.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Buffer.from(files['workload.csv']!).equals(Buffer.from(workload))).toBe(true);
      expect(files['staff.csv']!.buffer).not.toBeInstanceOf(SharedArrayBuffer);
      expect(Buffer.from(files['staff.csv']!).equals(Buffer.from(small))).toBe(true);
    });

    it('refuses a body that is not as long as S3 said, rather than parse a cut or padded file', async () => {
      const workload = large();
      const staging = s3ImportStaging('medcomm-imports', new S3Client({}));
      upload({ 'workload.csv': { bytes: workload, length: workload.length + 10 } });
      await expect(staging.read(prefix)).rejects.toThrow(/ended after/);
      upload({ 'workload.csv': { bytes: workload, length: workload.length - 10 } });
      await expect(staging.read(prefix)).rejects.toThrow(/longer than/);
    });
  });
});

describe("PrepareImport's chunks", () => {
  const items = [
    {
      pk: 'DSBLOB#兴国#ab',
      sk: 'ab12#0',
      type: 'DatasetBlob',
      writtenBy: 3,
      data: '{"workload":[{"n":"张三 \\"x\\""}]}',
    },
    { pk: 'DS#兴国#000003', sk: 'NOTE', type: 'DatasetPart', data: 'two\nlines' },
    { pk: 'DS#兴国#000003', sk: 'SCHEME', type: 'DatasetPart', data: 42 },
    { pk: 'DS#兴国#000003', sk: 'EMPTY', type: 'DatasetPart', data: '' },
    { pk: 'DS#兴国#000003', sk: 'BARE', type: 'DatasetIndex', layout: 2 },
  ];

  it('read back item for item, page texts unquoted and anything else as JSON', () => {
    const body = Buffer.concat(items.flatMap(chunkPieces)).toString('utf8');
    expect(decodeChunk(body)).toEqual(items);
    // The page's own text is in the chunk as it is, not quoted again.
    expect(body).toContain(`\n${items[0]!.data}\n`);
  });

  it('reads a chunk staged before as one JSON array', () => {
    expect(decodeChunk(JSON.stringify(items))).toEqual(items);
  });
});
