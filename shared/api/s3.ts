/**
 * The ports on AWS: exports written to the exports bucket and handed out as 5-minute presigned links;
 * dataset uploads as presigned PUTs into the import bucket under `uploads/{community}/{user}/{importId}/`,
 * which the import state machine reads (workflows/import.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { contentDisposition } from './http.js';
import type { ExportSink, UploadStore } from './ports.js';

/** How long a download link works. */
export const DOWNLOAD_LINK_SECONDS = 300;
/** How long an upload link works (a large CSV over a county office's line can take minutes). */
export const UPLOAD_LINK_SECONDS = 900;

/** Key prefixes; the bucket's lifecycle rules expire each (bank files sooner). */
export const PREFIX = { exports: 'exports/', bank: 'bank/', uploads: 'uploads/' } as const;

/** A user name as one safe key segment. */
const segment = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || '_';

/**
 * A community or user id as one key segment that no other id shares: kept as it is when already safe,
 * else its safe characters plus 48 bits of SHA-256 (`兴国` and `瑞金` never share an upload prefix).
 */
export const ownerSegment = (text: string) =>
  /^[A-Za-z0-9._-]{1,64}$/.test(text)
    ? text
    : `${text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)}~${createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12)}`;

/** Where a user's uploads in a community go (`uploads/{c}/{u}/`): an upload is its uploader's own. */
export const uploadOwnerPrefix = (community: string, user: string) =>
  `${PREFIX.uploads}${ownerSegment(community)}/${ownerSegment(user)}/`;

/** An import's id is the last segment of its upload prefix (a UUID). */
export const importIdOfPrefix = (prefix: string) => prefix.split('/').at(-2) ?? '';

export function s3ExportSink(bucket: string, client = new S3Client({})): ExportSink {
  return {
    async deliver(file) {
      const root = file.sensitive ? PREFIX.bank : PREFIX.exports;
      const key = `${root}${file.kind.split('/').map(segment).join('/')}/${randomUUID()}/${segment(file.filename)}`;
      const body = typeof file.bytes === 'string' ? Buffer.from(file.bytes, 'utf8') : file.bytes;
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: file.contentType }),
      );
      const url = await getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentDisposition: contentDisposition(file.filename, file.inline),
          ResponseContentType: file.contentType,
        }),
        { expiresIn: DOWNLOAD_LINK_SECONDS },
      );
      return {
        json: {
          url,
          filename: file.filename,
          contentType: file.contentType,
          expiresIn: DOWNLOAD_LINK_SECONDS,
        },
      };
    },
  };
}

/** Uploads into the import bucket; the import workflow reads them from there. */
export function s3UploadStore(bucket: string, client = new S3Client({})): UploadStore {
  const ownPrefix = uploadOwnerPrefix;
  return {
    ownPrefix,
    async ticket(community, user, files) {
      const importId = randomUUID();
      const prefix = `${ownPrefix(community, user)}${importId}/`;
      const signed = await Promise.all(
        files.map(async (name) => ({
          name,
          url: await getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${name}` }), {
            expiresIn: UPLOAD_LINK_SECONDS,
          }),
          method: 'PUT' as const,
          headers: {},
        })),
      );
      return { prefix, importId, expiresIn: UPLOAD_LINK_SECONDS, files: signed };
    },
  };
}
