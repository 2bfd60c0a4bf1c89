/**
 * The ports on AWS: exports written to the exports bucket and handed out as 5-minute presigned links;
 * dataset uploads as presigned PUTs under a prefix of the uploader's own, read back for the import.
 */
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { MAX_FILE_BYTES } from '../dataset/decode.js';
import { contentDisposition, problem } from './http.js';
import type { ExportSink, UploadStore } from './ports.js';

/** How long a download link works. */
export const DOWNLOAD_LINK_SECONDS = 300;
/** How long an upload link works (a large CSV over a county office's line can take minutes). */
export const UPLOAD_LINK_SECONDS = 900;

/** Key prefixes; the bucket's lifecycle rules expire each (bank files sooner). */
export const PREFIX = { exports: 'exports/', bank: 'bank/', uploads: 'uploads/' } as const;

/** A user name as one safe key segment. */
const segment = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || '_';

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

export function s3UploadStore(bucket: string, client = new S3Client({})): UploadStore {
  const ownPrefix = (user: string) => `${PREFIX.uploads}${segment(user)}/`;
  return {
    ownPrefix,
    async ticket(user, files) {
      const prefix = `${ownPrefix(user)}${randomUUID()}/`;
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
      return { prefix, expiresIn: UPLOAD_LINK_SECONDS, files: signed };
    },
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
          if ((object.Size ?? 0) > MAX_FILE_BYTES) {
            throw problem(
              413,
              `${name} 超过 50 MB，未导入 / ${name} is larger than 50 MB; nothing was imported`,
              [{ path: `files.${name}`, message: 'too large' }],
            );
          }
          const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
          files[name] = await got.Body!.transformToByteArray();
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      if (Object.keys(files).length === 0) {
        throw problem(404, `${prefix} 下没有已上传的文件 / nothing has been uploaded under ${prefix}`, [
          { path: 'body.prefix', message: 'no files' },
        ]);
      }
      return files;
    },
  };
}
