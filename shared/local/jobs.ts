/**
 * The API's jobs on one machine (issue 12), for `medcomm serve` and the tests: the runner
 * (shared/api/jobs.ts runApiJob) runs in the background of this process, as the RunApiJob function runs
 * beside the API on AWS — the request answers 202 at once and the job's record says how it ends — and its
 * files are handed out as links to this process (`GET /downloads/{token}/{file}`), kept in memory for the
 * same few minutes as S3's presigned links: an unguessable token (128 random bits) is the link's only
 * authority, as a presigned URL's signature is. Not in any Lambda bundle.
 */
import { randomBytes } from 'node:crypto';
import { type JobDeps, runApiJob } from '../api/jobs.js';
import type { ExportSink, JobRef, JobStarter } from '../api/ports.js';
import { DOWNLOAD_LINK_SECONDS } from '../api/s3.js';

export interface LocalJobStarter extends JobStarter {
  /** Resolves once every job started so far has ended (a server stopping, a test). */
  idle(): Promise<void>;
}

/** Runs each job in the background: `start` returns at once; a job's failure is on its record. */
export function localJobStarter(deps: () => JobDeps): LocalJobStarter {
  const running = new Set<Promise<void>>();
  return {
    async start(job: JobRef) {
      // On the next turn, as an asynchronous invoke: the request that started it answers first.
      const run = new Promise<void>((ok) => setImmediate(ok))
        .then(() => runApiJob(deps(), job))
        .catch((error: unknown) => {
          // runApiJob records a job's own failure; this is a failure to record it (the store is gone).
          console.error(JSON.stringify({ level: 'error', job: job.id, name: (error as Error)?.name }));
        });
      running.add(run);
      void run.finally(() => running.delete(run));
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}

export interface StoredDownload {
  bytes: Buffer;
  contentType: string;
  filename: string;
  inline: boolean;
}

export interface LocalDownloads {
  /** The export sink of the jobs: the file kept here, a link to it answered. */
  sink: ExportSink;
  /** The file a link's path names (`/downloads/{token}/{file}`), while its link works. */
  take(pathname: string): StoredDownload | undefined;
  /** Forgets every file (the server stops). */
  clear(): void;
}

/** `baseUrl`: the server's address once it listens; `now`: the clock of the links' expiry. */
export function localDownloads(options: {
  baseUrl: () => string;
  now?: () => number;
  linkSeconds?: number;
}): LocalDownloads {
  const now = options.now ?? Date.now;
  const linkSeconds = options.linkSeconds ?? DOWNLOAD_LINK_SECONDS;
  const files = new Map<string, StoredDownload & { expires: number }>();
  const sweep = () => {
    for (const [token, file] of files) if (file.expires <= now()) files.delete(token);
  };
  return {
    sink: {
      async deliver(file) {
        sweep();
        const token = randomBytes(16).toString('hex');
        files.set(token, {
          bytes: typeof file.bytes === 'string' ? Buffer.from(file.bytes, 'utf8') : Buffer.from(file.bytes),
          contentType: file.contentType,
          filename: file.filename,
          inline: file.inline === true,
          expires: now() + linkSeconds * 1000,
        });
        return {
          json: {
            url: `${options.baseUrl()}/downloads/${token}/${encodeURIComponent(file.filename)}`,
            filename: file.filename,
            contentType: file.contentType,
            expiresIn: linkSeconds,
          },
        };
      },
    },
    take(pathname) {
      sweep();
      const token = /^\/downloads\/([0-9a-f]{32})\//.exec(pathname)?.[1];
      return token === undefined ? undefined : files.get(token);
    },
    clear: () => files.clear(),
  };
}
