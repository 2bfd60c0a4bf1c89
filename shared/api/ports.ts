/**
 * Where exported files and large uploads go, behind two small ports: on one machine a download is the
 * response itself; on AWS a Lambda response is capped at 6 MB, so the file is written to the exports
 * bucket and the client gets a short-lived link instead.
 */
import type { ImportJobRef } from '../app/import-workflow.js';
import type { RouteResult } from './http.js';

export interface ExportFile {
  /** What the file is, for its storage key: e.g. `sheets/quarterly/2026-Q1`. */
  kind: string;
  filename: string;
  contentType: string;
  bytes: Uint8Array | string;
  /** Bank files hold full account numbers: stored apart so they can expire sooner. */
  sensitive?: boolean;
  /** Shown by the browser (a printable report) rather than saved. */
  inline?: boolean;
}

export interface ExportSink {
  deliver(file: ExportFile): Promise<RouteResult>;
}

/** On one machine: the response carries the bytes. */
export const inlineExportSink = (): ExportSink => ({
  async deliver(file) {
    return {
      file: {
        bytes: file.bytes,
        contentType: file.contentType,
        filename: file.filename,
        inline: file.inline,
      },
    };
  },
});

export interface UploadTicket {
  prefix: string;
  /** The import these files are for: `POST …/import-from-upload` starts it, `GET …/imports/{importId}` follows it. */
  importId: string;
  expiresIn: number;
  files: { name: string; url: string; method: 'PUT'; headers: Record<string, string> }[];
}

/** Large dataset files: uploaded straight to storage, then imported from there by the import workflow. */
export interface UploadStore {
  /** Presigned PUT URLs for the named files under a fresh prefix of the community's `user` (one import id). */
  ticket(community: string, user: string, files: readonly string[]): Promise<UploadTicket>;
  /** The prefix a user may import from in a community (uploads are private to the uploader). */
  ownPrefix(community: string, user: string): string;
}

/** Starts the import state machine (workflows/import.ts) on an upload; its record says how it went. */
export interface ImportStarter {
  start(job: ImportJobRef): Promise<void>;
}

/** A job of the API's long work (shared/store/api-jobs.ts): the keys its runner is given. */
export interface JobRef {
  communityId: string;
  id: string;
}

/**
 * Starts the job runner on a recorded job without waiting for it (issue 12): on AWS an asynchronous
 * Invoke of the RunApiJob function (shared/api/job-starter.ts), locally the serve process runs it in the
 * background (shared/local/jobs.ts).
 */
export interface JobStarter {
  start(job: JobRef): Promise<void>;
}

/**
 * The files of an upload, for the job runner (issue 12: a correction's files come through the upload
 * store, never through API Gateway): the import bucket on AWS, `medcomm serve`'s data folder locally.
 */
export interface UploadReader {
  /** Every file uploaded under `prefix` (as upload-url gave it), by name. */
  read(prefix: string): Promise<Record<string, Uint8Array>>;
  /** The upload has served its job (locally its files are removed; S3's lifecycle expires them). */
  done?(prefix: string): Promise<void>;
}
