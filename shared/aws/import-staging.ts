/**
 * The import workflow's staging on AWS: uploaded files are read from the uploads bucket (no 29 s API
 * limit, no 6 MB Lambda payload: the files never pass through API Gateway or a state payload), and the
 * version's item chunks wait under `import-chunks/{importId}/` between the Map's iterations.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ImportStaging } from '../app/import-workflow.js';
import { SHARED_FILE_BYTES, UPLOAD_MAX_FILE_BYTES } from '../dataset/decode.js';
import { bilingual } from '../errors.js';

export const CHUNK_PREFIX = 'import-chunks/';

export function s3ImportStaging(bucket: string, client = new S3Client({})): ImportStaging {
  const chunkKey = (jobId: string, chunk: number) => `${CHUNK_PREFIX}${jobId}/${chunk}.json`;
  return {
    async read(prefix) {
      const files: Record<string, Uint8Array> = {};
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          const name = object.Key?.slice(prefix.length);
          if (!name || name.includes('/')) continue;
          if ((object.Size ?? 0) > UPLOAD_MAX_FILE_BYTES) {
            // Not read into memory at all; a refusal the uploader can act on.
            const error = new Error(
              bilingual(
                `${name} 过大（${object.Size} 字节），上限为 ${UPLOAD_MAX_FILE_BYTES} 字节，未导入`,
                `${name} is too large (${object.Size} bytes; the limit is ${UPLOAD_MAX_FILE_BYTES}); nothing was imported`,
              ),
            );
            error.name = 'PrerequisiteError';
            throw error;
          }
          const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
          files[name] =
            name === 'workload.csv' && (got.ContentLength ?? 0) >= SHARED_FILE_BYTES
              ? await readShared(got.Body as unknown as AsyncIterable<Uint8Array>, got.ContentLength!)
              : await got.Body!.transformToByteArray();
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      if (Object.keys(files).length === 0) {
        const error = new Error(
          bilingual(`${prefix} 下没有已上传的文件`, `nothing has been uploaded under ${prefix}`),
        );
        error.name = 'PrerequisiteError';
        throw error;
      }
      return files;
    },
    async putChunk(jobId, chunk, body) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: chunkKey(jobId, chunk),
          Body: body,
          ContentType: 'text/plain; charset=utf-8',
        }),
      );
    },
    async getChunk(jobId, chunk) {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: chunkKey(jobId, chunk) }));
      return got.Body!.transformToString('utf8');
    },
    async removeChunks(jobId, count) {
      for (let start = 0; start < count; start += 1000) {
        const objects = Array.from({ length: Math.min(1000, count - start) }, (_, i) => ({
          Key: chunkKey(jobId, start + i),
        }));
        await client.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
        );
      }
    },
  };
}

/**
 * A large workload.csv streamed into memory the parse worker shares (as the CLI reads a folder, read-dir.ts):
 * the SDK's transformToByteArray holds the body's pieces and then their concatenation, and the worker then
 * got a copy through a message (a province's 150 MB three times over, ~0.45 GB at once).
 */
async function readShared(body: AsyncIterable<Uint8Array>, size: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(new SharedArrayBuffer(size));
  let at = 0;
  for await (const piece of body) {
    if (at + piece.length > size) throw new Error(`the upload's body is longer than its ${size} bytes`);
    bytes.set(piece, at);
    at += piece.length;
  }
  if (at !== size) throw new Error(`the upload's body ended after ${at} of its ${size} bytes`);
  return bytes;
}
