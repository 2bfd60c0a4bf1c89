/**
 * Dataset uploads on one machine (issue 12): what the import bucket and its presigned PUTs are on AWS
 * (shared/api/s3.ts), for `medcomm serve`. A ticket's URLs point at the serve process itself
 * (`PUT /uploads/{community}/{user}/{importId}/{file}?expires=…&signature=…`), authorised by an HMAC of
 * the path and the expiry under a key only this process holds — never by the bearer token, so a link can
 * be handed to whatever does the upload, as a presigned URL can. Files land under the data folder
 * (`{root}/uploads/…`, the S3 key layout), 0600 in 0700 folders; the import workflow reads them from
 * there and they are removed when the import ends; what nobody imported is swept after a day.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join, resolve } from 'node:path';
import type { UploadStore, UploadTicket } from '../api/ports.js';
import { PREFIX, UPLOAD_LINK_SECONDS, uploadOwnerPrefix } from '../api/s3.js';
import { UPLOAD_MAX_FILE_BYTES } from '../dataset/decode.js';

/** An upload nobody imported is removed after this long (the link itself lives UPLOAD_LINK_SECONDS). */
export const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

/** Where a file is being received: beside its final place (a rename), but not where the import reads. */
const PARTIAL = '.partial';

export interface LocalUploadOptions {
  /** The data folder: files go under `{root}/uploads/`. */
  root: string;
  /** The server's own address (`http://127.0.0.1:8787`), known once it listens. */
  baseUrl: () => string;
  /** Per file (default: what the import workflow accepts from an upload, 512 MB). */
  maxFileBytes?: number;
  /** How long a link works, in seconds (default: as on S3, 900). */
  linkSeconds?: number;
  /** Milliseconds since the epoch (a test moves it past a link's expiry). */
  now?: () => number;
}

export interface UploadAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface LocalUploadStore extends UploadStore {
  /** The folder of an upload prefix (`uploads/{c}/{u}/{id}/`); throws for one outside the uploads. */
  folderOf(prefix: string): string;
  /**
   * A PUT to a ticket's URL: checks the signature and expiry, then streams the body to the file (at most
   * maxFileBytes). `started(importId)` says whether the import already began (its files are then fixed).
   */
  receive(
    req: IncomingMessage,
    url: URL,
    started: (importId: string) => Promise<boolean>,
  ): Promise<UploadAnswer>;
  /** Removes an upload's files (its import ended). */
  remove(prefix: string): Promise<void>;
  /** Removes uploads untouched for STALE_UPLOAD_MS, except those `busy` names; returns how many. */
  sweep(busy?: (importId: string) => boolean): Promise<number>;
}

const IMPORT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What ownerSegment gives (never `.` or `..`). */
const SEGMENT = /^[A-Za-z0-9._~-]{1,128}$/;
const safeSegment = (s: string) => SEGMENT.test(s) && s !== '.' && s !== '..';
/** A file name as the upload-url schema admits it: one path segment, no control characters. */
const safeName = (s: string) =>
  s.length > 0 && s.length <= 255 && s !== '.' && s !== '..' && !/[/\\\p{Cc}]/u.test(s);

const forbidden = (zh: string, en: string): UploadAnswer => ({
  status: 403,
  body: { error: `${zh} / ${en}` },
});

export function localUploadStore(options: LocalUploadOptions): LocalUploadStore {
  const root = resolve(options.root);
  const uploadsDir = join(root, PREFIX.uploads);
  const maxFileBytes = options.maxFileBytes ?? UPLOAD_MAX_FILE_BYTES;
  const linkSeconds = options.linkSeconds ?? UPLOAD_LINK_SECONDS;
  const now = options.now ?? Date.now;
  // Links die with the process: a restarted server asks for a new ticket.
  const key = randomBytes(32);
  const sign = (path: string, expires: number) =>
    createHmac('sha256', key).update(`PUT\n${path}\n${expires}`, 'utf8').digest();
  const ownPrefix = uploadOwnerPrefix;

  const folderOf = (prefix: string) => {
    const parts = prefix.split('/');
    const ok =
      parts.length === 5 &&
      `${parts[0]}/` === PREFIX.uploads &&
      safeSegment(parts[1]!) &&
      safeSegment(parts[2]!) &&
      IMPORT_ID.test(parts[3]!) &&
      parts[4] === '';
    const folder = resolve(root, prefix);
    if (!ok || !folder.startsWith(uploadsDir)) throw new Error(`not an upload prefix: ${prefix}`);
    return folder;
  };

  const remove = async (prefix: string) => {
    const folder = folderOf(prefix);
    await rm(folder, { recursive: true, force: true });
    // The user's and the community's folders go when empty (rmdir refuses otherwise).
    await rmdir(resolve(folder, '..'))
      .then(() => rmdir(resolve(folder, '../..')))
      .catch(() => undefined);
  };

  return {
    ownPrefix,
    folderOf,
    remove,

    async ticket(community, user, files): Promise<UploadTicket> {
      const importId = randomUUID();
      const prefix = `${ownPrefix(community, user)}${importId}/`;
      const expires = Math.floor(now() / 1000) + linkSeconds;
      const base = options.baseUrl();
      return {
        prefix,
        importId,
        expiresIn: linkSeconds,
        files: [...new Set(files)].map((name) => ({
          name,
          url: `${base}/${prefix}${encodeURIComponent(name)}?expires=${expires}&signature=${sign(`${prefix}${name}`, expires).toString('hex')}`,
          method: 'PUT' as const,
          headers: {},
        })),
      };
    },

    async receive(req, url, started) {
      // /uploads/{c}/{u}/{id}/{file}: the file name percent-encoded, the rest as ownerSegment wrote it.
      const parts = url.pathname.split('/');
      let name: string;
      try {
        name = decodeURIComponent(parts[5] ?? '');
      } catch {
        name = '';
      }
      const prefix = `${parts.slice(1, 5).join('/')}/`;
      let folder: string | undefined;
      try {
        folder = parts.length === 6 && parts[0] === '' && safeName(name) ? folderOf(prefix) : undefined;
      } catch {
        folder = undefined;
      }
      if (!folder) return { status: 404, body: { error: '没有这个上传地址 / no such upload address' } };
      const expires = Number(url.searchParams.get('expires'));
      const given = Buffer.from(url.searchParams.get('signature') ?? '', 'hex');
      const expected = sign(`${prefix}${name}`, expires);
      if (
        !Number.isSafeInteger(expires) ||
        given.length !== expected.length ||
        !timingSafeEqual(given, expected)
      ) {
        return forbidden(
          '上传链接的签名无效（链接被改动，或来自已重启的服务器），请重新获取上传链接',
          'the upload link’s signature does not match (the link was altered, or the server restarted); ask for a new upload link',
        );
      }
      if (now() / 1000 > expires) {
        return forbidden(
          '上传链接已过期，请重新获取上传链接',
          'the upload link has expired; ask for a new one',
        );
      }
      const importId = parts[4]!;
      if (await started(importId)) {
        return {
          status: 409,
          body: {
            error: `导入 ${importId} 已开始，不能再上传文件 / import ${importId} has started; its files can no longer change`,
          },
        };
      }
      const mb = `${Math.round(maxFileBytes / 1024 / 1024)} MB`;
      const tooLarge: UploadAnswer = {
        status: 413,
        body: { error: `${name} 超过 ${mb} / ${name} is larger than ${mb}` },
      };
      // A declared length over the cap is refused before a byte is written.
      if (Number(req.headers['content-length'] ?? 0) > maxFileBytes) return tooLarge;
      const partialDir = join(folder, PARTIAL);
      await mkdir(partialDir, { recursive: true, mode: 0o700 });
      const partial = join(partialDir, randomUUID());
      let size: number;
      try {
        size = await receiveFile(req, partial, maxFileBytes);
      } catch (error) {
        await rm(partial, { force: true });
        if (error instanceof RangeError) return tooLarge;
        throw error;
      }
      // The rename makes the file whole at once: the import never reads half of it.
      await rename(partial, join(folder, name));
      return { status: 200, body: { name, bytes: size } };
    },

    async sweep(busy = () => false) {
      const cutoff = now() - STALE_UPLOAD_MS;
      let removed = 0;
      const list = (dir: string) => readdir(dir).catch(() => [] as string[]);
      for (const community of await list(uploadsDir)) {
        for (const user of await list(join(uploadsDir, community))) {
          for (const importId of await list(join(uploadsDir, community, user))) {
            const prefix = `${PREFIX.uploads}${community}/${user}/${importId}/`;
            let folder: string;
            try {
              folder = folderOf(prefix);
            } catch {
              continue;
            }
            if (busy(importId) || (await newest(folder)) > cutoff) continue;
            await remove(prefix);
            removed++;
          }
        }
      }
      return removed;
    },
  };
}

/**
 * The body into `path` (0600), counting: over `limit` bytes it stops with a RangeError, leaving the request
 * paused rather than destroyed, so the server can still answer 413 (and close the connection after).
 */
function receiveFile(req: IncomingMessage, path: string, limit: number): Promise<number> {
  return new Promise((ok, fail) => {
    const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    let size = 0;
    let settled = false;
    const stop = (error: Error) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.pause();
      out.destroy();
      fail(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return stop(new RangeError(`over ${limit} bytes`));
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    };
    req.on('data', onData);
    req.once('end', () => out.end());
    req.once('error', stop);
    // The client went away before the whole body came: nothing is kept.
    req.once('close', () => {
      if (!req.complete) stop(new Error('the upload was interrupted'));
    });
    out.once('error', stop);
    out.once('finish', () => {
      if (settled) return;
      settled = true;
      ok(size);
    });
  });
}

/** The latest change to a folder or a file in it (a partial upload's folder too). */
async function newest(folder: string): Promise<number> {
  let latest = 0;
  const visit = async (path: string) => {
    const info = await stat(path).catch(() => undefined);
    if (!info) return;
    latest = Math.max(latest, info.mtimeMs);
    if (info.isDirectory()) for (const entry of await readdir(path)) await visit(join(path, entry));
  };
  await visit(folder);
  return latest;
}
