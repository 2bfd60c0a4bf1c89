/**
 * The import as a workflow (issue 12, workflows/import.ts): on AWS an import cannot run inside the 29 s
 * API Lambda, nor write a city's ~64 MB from one function in time. The state machine's steps call these:
 *
 * 1. `prepareImport` is the CLI's streamed import (import-service.ts StreamedImport, the store's
 *    VersionWriter) with the version's items staged in chunks of ≤ CHUNK_BYTES instead of written:
 *    workload.csv is read row by row and each month's blobs are staged as soon as the file moves on, so
 *    its memory is the parse's own compact state plus a few chunks, never the whole version (a province's
 *    ~3 GB before). All or nothing as before: every issue at once, a refusal recorded on the import's
 *    record; the year's lease, locks and frozen months checked; each blob logged in the table before
 *    any page of it can be written;
 * 2. `writeImportChunk`, once per chunk (a Map, in parallel), puts one chunk's items;
 * 3. `finishImport` switches the pointer last, atomically with the audit entry and the lease check, then
 *    sweeps blobs failed imports left;
 * `failImport` ends any other way: the version is marked failed (its blobs swept by the next import)
 * and the lease released. Nothing stored before is changed unless step 3 commits.
 */
import { UPLOAD_MAX_FILE_BYTES } from '../dataset/decode.js';
import { DatasetInvalidError } from '../dataset/errors.js';
import { bilingual } from '../errors.js';
import type { Item } from '../store/batch.js';
import { decode, encode } from '../store/codec.js';
import type { LogEntry, StagedItems } from '../store/datasets.js';
import { ISSUES_KEPT } from '../store/imports.js';
import type { Repositories } from '../store/index.js';
import type { ImportLease } from '../store/leases.js';
import { versionAccountChanges } from './account-changes.js';
import { isUserError, readInto, type SealedImport, StreamedImport } from './import-service.js';

/** Where an import's files come from and its chunks wait between steps (S3 on AWS, a folder locally). */
export interface ImportStaging {
  /** Every uploaded file under `prefix`, by file name. */
  read(prefix: string): Promise<Record<string, Uint8Array>>;
  putChunk(jobId: string, chunk: number, body: string | Uint8Array): Promise<void>;
  getChunk(jobId: string, chunk: number): Promise<string>;
  removeChunks(jobId: string, count: number): Promise<void>;
}

/** A chunk's items: a few MB, so a Map iteration writes it in seconds and holds little memory. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/** The size chunks are cut at (a test lowers it to see a small import's chunks staged while it is read). */
export const chunkLimit = { bytes: CHUNK_BYTES };

export interface ImportJobRef {
  id: string;
  prefix: string;
  by: string;
  /** Asked for by the caller (files without scheme.json take that year's scheme in force). */
  communityId?: string;
  year?: number;
}

/** What the steps after preparation need: keys and numbers only (a state payload is capped at 256 KiB). */
export interface PreparedImport {
  refused: boolean;
  communityId?: string;
  year?: number;
  version?: number;
  /** The year's current version the import was checked against (null: none yet). */
  expectedVersion?: number | null;
  importedAt?: string;
  total?: number;
  chunks?: number[];
  /** The staged object (after the chunks) naming blob pages to remove once the chunks are written. */
  orphans?: number;
  lease?: ImportLease;
  files?: string;
}

export class ImportLeaseLost extends Error {
  override readonly name = 'ImportLeaseLost' as const;
}

export async function prepareImport(
  repos: Repositories,
  staging: ImportStaging,
  job: ImportJobRef,
): Promise<PreparedImport> {
  if (!(await repos.imports.get(job.id))) await repos.imports.create(job);
  const target = {
    ...(job.communityId ? { communityId: job.communityId } : {}),
    ...(job.year ? { year: job.year } : {}),
  };
  const chunks = new ChunkStager(staging, job.id);
  // The CLI's streamed import, its items staged for the Map instead of written: one way a version is made.
  const session = new StreamedImport(repos, job.by, target, chunks);
  let sealed: SealedImport;
  let lease: ImportLease;
  try {
    const files = await staging.read(job.prefix);
    // Uploads through S3 are not held to the 50 MB of an HTTP body: a province's workload is ~150 MB.
    const result = await readInto(repos, { files }, session, target, { maxFileBytes: UPLOAD_MAX_FILE_BYTES });
    sealed = await session.seal(result);
    await chunks.close();
    lease = session.handOff();
  } catch (error) {
    await session.abort(isUserError(error));
    await staging.removeChunks(job.id, chunks.count + 1).catch(() => undefined);
    if (!isUserError(error)) throw error;
    const issues = error instanceof DatasetInvalidError ? [...error.issues] : undefined;
    await repos.imports.update(job.id, {
      status: 'refused',
      ...(issues ? { issues: issues.slice(0, ISSUES_KEPT), issueCount: issues.length } : {}),
      error: error instanceof Error ? error.message.slice(0, 4000) : String(error),
    });
    return { refused: true };
  }
  const { communityId, year, version } = sealed;
  try {
    const orphans = chunks.removals.length > 0 ? chunks.count : undefined;
    if (orphans !== undefined) await staging.putChunk(job.id, orphans, encode(chunks.removals));
    await repos.imports.update(job.id, { status: 'writing', communityId, year, version });
    return {
      refused: false,
      communityId,
      year,
      version,
      expectedVersion: sealed.expectedVersion ?? null,
      importedAt: sealed.importedAt,
      total: sealed.total,
      chunks: Array.from({ length: chunks.count }, (_, i) => i),
      ...(orphans === undefined ? {} : { orphans }),
      lease,
      files: sealed.files,
    };
  } catch (error) {
    await repos.datasets.markFailed(communityId, version).catch(() => undefined);
    await repos.leases.release(lease).catch(() => undefined);
    await staging.removeChunks(job.id, chunks.count + 1).catch(() => undefined);
    throw error;
  }
}

/**
 * A chunk's text: each item a line of JSON, except that an item's `data` text (a page: JSON already, on
 * one line) follows its line as it is, marked by a `+` before the line, rather than quoted inside it.
 * Quoting a province's ~650 MB of pages made as much again in strings and the join of each chunk once
 * more, garbage a 2 GB heap let pile up: with the pieces as bytes outside the heap, concatenated once per
 * chunk, a province's PrepareImport peaks at 1.84 GB RSS instead of 2.36 (heap 0.95 GB, not 1.31; issue 12).
 */
export function chunkPieces(item: Item): Buffer[] {
  const { data, ...rest } = item;
  if (typeof data !== 'string' || data.includes('\n')) return [Buffer.from(`${encode(item)}\n`)];
  return [Buffer.from(`+${encode(rest)}\n`), Buffer.from(data), NEWLINE];
}

const NEWLINE = Buffer.from('\n');

/** A staged chunk's items: `chunkPieces`' lines, or (staged before them) one JSON array. */
export function decodeChunk(text: string): Item[] {
  if (text.startsWith('[')) return decode<Item[]>(text);
  const items: Item[] = [];
  let at = 0;
  const line = () => {
    const end = text.indexOf('\n', at);
    const got = text.slice(at, end);
    at = end + 1;
    return got;
  };
  while (at < text.length) {
    const head = line();
    if (!head.startsWith('+')) items.push(decode<Item>(head));
    else items.push({ ...decode<Item>(head.slice(1)), data: line() });
  }
  return items;
}

/**
 * A version's items in chunks of ≤ CHUNK_BYTES (`chunkPieces`), each staged as it fills (the writer's
 * flushes come a few at a time, so little more than a chunk or two is held), and the blob pages to
 * remove once they are written.
 */
class ChunkStager implements StagedItems {
  count = 0;
  readonly removals: LogEntry[] = [];
  private pieces: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly staging: ImportStaging,
    private readonly jobId: string,
  ) {}

  async put(items: Item[]): Promise<void> {
    const staged: Promise<void>[] = [];
    for (const item of items) {
      const pieces = chunkPieces(item);
      const size = pieces.reduce((sum, piece) => sum + piece.length, 0);
      if (this.pieces.length > 0 && this.size + size > chunkLimit.bytes) staged.push(this.flush());
      this.pieces.push(...pieces);
      this.size += size;
    }
    await Promise.all(staged);
  }

  remove(entries: readonly LogEntry[]): void {
    this.removals.push(...entries);
  }

  /** Stages what is left (a version always has items: its parts). */
  async close(): Promise<void> {
    if (this.pieces.length > 0 || this.count === 0) await this.flush();
  }

  private flush(): Promise<void> {
    const body = Buffer.concat(this.pieces, this.size);
    this.pieces = [];
    this.size = 0;
    return this.staging.putChunk(this.jobId, this.count++, body);
  }
}

/** One Map iteration: renews the lease (an import that lost it stops), then puts the chunk's items. */
export async function writeImportChunk(
  repos: Repositories,
  staging: ImportStaging,
  input: { job: ImportJobRef; prepared: PreparedImport; chunk: number },
): Promise<void> {
  const lease = input.prepared.lease!;
  if (!(await repos.leases.renew(lease))) throw leaseLost(lease);
  const items = decodeChunk(await staging.getChunk(input.job.id, input.chunk));
  await repos.datasets.writeItems(lease.communityId, input.prepared.version!, items);
}

/** The pointer switch, last: with the audit entry and the lease check in one transaction. */
export async function finishImport(
  repos: Repositories,
  staging: ImportStaging,
  input: { job: ImportJobRef; prepared: PreparedImport },
): Promise<{ version: number }> {
  const { job, prepared } = input;
  const lease = prepared.lease!;
  const communityId = prepared.communityId!;
  const year = prepared.year!;
  if (prepared.orphans !== undefined) {
    // Blobs of months the file gave twice that no index names, written by the Map: removed before the switch.
    const entries = decode<LogEntry[]>(await staging.getChunk(job.id, prepared.orphans));
    await repos.datasets.removeBlobs(communityId, prepared.version!, entries);
  }
  const pointer = await repos.datasets.completeVersion(
    {
      communityId,
      year,
      version: prepared.version!,
      importedAt: prepared.importedAt!,
      importedBy: job.by,
      total: prepared.total!,
    },
    prepared.expectedVersion ?? undefined,
    {
      lease,
      audited: (version) => ({
        actor: job.by,
        action: 'dataset.import',
        subject: `dataset v${version}`,
        details: { files: prepared.files ?? '', year, importId: job.id },
      }),
    },
  );
  await repos.leases.release(lease).catch(() => undefined);
  await repos.datasets.sweep(communityId, job.by).catch(() => undefined);
  const changes = await versionAccountChanges(repos, communityId, pointer.version);
  await repos.imports.update(job.id, {
    status: 'imported',
    version: pointer.version,
    summary: (prepared.files ?? '')
      .split(' ')
      .filter(Boolean)
      .map((entry) => {
        const at = entry.lastIndexOf(':');
        return { file: entry.slice(0, at), rows: Number(entry.slice(at + 1)) };
      }),
    accountChanges: changes.length,
  });
  await staging.removeChunks(job.id, stagedCount(prepared)).catch(() => undefined);
  return { version: pointer.version };
}

/** The failure path: the version never becomes current; its blobs wait for the next sweep. */
export async function failImport(
  repos: Repositories,
  staging: ImportStaging,
  input: { job: ImportJobRef; prepared?: PreparedImport; error?: { Error?: string; Cause?: string } },
): Promise<void> {
  const { job, prepared } = input;
  if (prepared?.version !== undefined && prepared.communityId)
    await repos.datasets.markFailed(prepared.communityId, prepared.version).catch(() => undefined);
  if (prepared?.lease) await repos.leases.release(prepared.lease).catch(() => undefined);
  await repos.imports
    .update(job.id, { status: 'failed', error: describeFailure(input.error) })
    .catch(() => undefined);
  await staging.removeChunks(job.id, prepared ? stagedCount(prepared) : 0).catch(() => undefined);
}

/** Objects an import staged: its chunks, and the list of pages to remove when it has one. */
const stagedCount = (prepared: PreparedImport) =>
  (prepared.chunks?.length ?? 0) + (prepared.orphans === undefined ? 0 : 1);

/** A Step Functions error as a reader wants it: the Lambda's message when the Cause carries one. */
function describeFailure(error: { Error?: string; Cause?: string } | undefined): string {
  if (!error) return 'unknown';
  try {
    const cause = JSON.parse(error.Cause ?? '') as { errorMessage?: string };
    if (cause.errorMessage) return `${error.Error ?? 'Error'}: ${cause.errorMessage}`.slice(0, 4000);
  } catch {}
  return `${error.Error ?? 'Error'}: ${error.Cause ?? ''}`.slice(0, 4000);
}

function leaseLost(lease: ImportLease): ImportLeaseLost {
  return new ImportLeaseLost(
    bilingual(
      `${lease.communityId} ${lease.year} 年的导入锁已被接管，本次导入停止`,
      `the import lease of ${lease.communityId} ${lease.year} was taken over; this import stops`,
    ),
  );
}

let staging: Promise<ImportStaging> | undefined;

/**
 * The staging of this process, from its environment once: `IMPORT_BUCKET` on AWS (the uploads bucket),
 * `MEDCOMM_IMPORT_CHUNKS` (a folder for chunks; uploads are folders) on one machine.
 */
export function importStagingFromEnv(): Promise<ImportStaging> {
  staging ??= (async () => {
    const bucket = process.env.IMPORT_BUCKET;
    if (bucket) return (await import('../aws/import-staging.js')).s3ImportStaging(bucket);
    const folder = process.env.MEDCOMM_IMPORT_CHUNKS;
    if (!folder) throw new Error('IMPORT_BUCKET (AWS) or MEDCOMM_IMPORT_CHUNKS (local) must be set');
    return (await import('../local/import-staging.js')).folderImportStaging(folder);
  })();
  return staging;
}

/** Forgets the staging (a test switches folders). */
export function resetImportStaging(): void {
  staging = undefined;
}
