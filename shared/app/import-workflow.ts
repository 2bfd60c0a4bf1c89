/**
 * The import as a workflow (issue 12, workflows/import.ts): on AWS an import cannot run inside the 29 s
 * API Lambda, nor write a city's ~64 MB from one function in time. The state machine's steps call these:
 *
 * 1. `prepareImport` reads the uploaded files, validates them (all or nothing: every issue at once, a
 *    refusal recorded on the import's record), takes the year's lease, checks locks, claims a version,
 *    logs the blobs it will write and stages the version's items in chunks of ≤ CHUNK_BYTES;
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
import { ISSUES_KEPT } from '../store/imports.js';
import type { Repositories } from '../store/index.js';
import { type ImportLease, LEASE_HEARTBEAT_MS } from '../store/leases.js';
import { versionAccountChanges } from './account-changes.js';
import { checkImportable, isUserError, parseImport } from './import-service.js';

/** Where an import's files come from and its chunks wait between steps (S3 on AWS, a folder locally). */
export interface ImportStaging {
  /** Every uploaded file under `prefix`, by file name. */
  read(prefix: string): Promise<Record<string, Uint8Array>>;
  putChunk(jobId: string, chunk: number, text: string): Promise<void>;
  getChunk(jobId: string, chunk: number): Promise<string>;
  removeChunks(jobId: string, count: number): Promise<void>;
}

/** A chunk's items: a few MB, so a Map iteration writes it in seconds and holds little memory. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

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
  const refuse = async (error: unknown): Promise<PreparedImport> => {
    const issues = error instanceof DatasetInvalidError ? [...error.issues] : undefined;
    await repos.imports.update(job.id, {
      status: 'refused',
      ...(issues ? { issues: issues.slice(0, ISSUES_KEPT), issueCount: issues.length } : {}),
      error: error instanceof Error ? error.message.slice(0, 4000) : String(error),
    });
    return { refused: true };
  };
  let parsed: Awaited<ReturnType<typeof parseImport>>;
  try {
    const files = await staging.read(job.prefix);
    parsed = await parseImport(
      repos,
      { files },
      {
        ...(job.communityId ? { communityId: job.communityId } : {}),
        ...(job.year ? { year: job.year } : {}),
      },
      // Uploads through S3 are not held to the 50 MB of an HTTP body: a province's workload is ~150 MB.
      { maxFileBytes: UPLOAD_MAX_FILE_BYTES },
    );
  } catch (error) {
    if (isUserError(error)) return refuse(error);
    throw error;
  }
  const { dataset } = parsed;
  const communityId = dataset.scheme.community.id;
  const year = dataset.scheme.year;
  let lease: ImportLease;
  try {
    lease = await repos.leases.acquire(communityId, year, job.by);
  } catch (error) {
    if (isUserError(error)) return refuse(error);
    throw error;
  }
  const heartbeat = setInterval(
    () => void repos.leases.renew(lease).catch(() => undefined),
    LEASE_HEARTBEAT_MS,
  );
  heartbeat.unref();
  let version: number | undefined;
  try {
    const current = await repos.datasets.current(communityId, year);
    try {
      await checkImportable(repos, dataset, parsed.parsed.rowNumbers);
    } catch (error) {
      if (isUserError(error)) {
        await repos.leases.release(lease);
        return refuse(error);
      }
      throw error;
    }
    const planned = await repos.datasets.planVersion(dataset, job.by, current?.version);
    version = planned.version;
    await repos.imports.update(job.id, { status: 'writing', communityId, year, version });
    await repos.datasets.writeItems(communityId, version, planned.log);
    const chunks = await stageChunks(staging, job.id, planned.items);
    return {
      refused: false,
      communityId,
      year,
      version,
      expectedVersion: current?.version ?? null,
      importedAt: planned.importedAt,
      total: planned.total,
      chunks: Array.from({ length: chunks }, (_, i) => i),
      lease,
      files: parsed.parsed.summary.map((s) => `${s.file}:${s.rows}`).join(' '),
    };
  } catch (error) {
    if (version !== undefined) await repos.datasets.markFailed(communityId, version).catch(() => undefined);
    await repos.leases.release(lease).catch(() => undefined);
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}

/** The items in chunks of ≤ CHUNK_BYTES of JSON, each staged as it fills; returns how many. */
async function stageChunks(staging: ImportStaging, jobId: string, items: Iterable<Item>): Promise<number> {
  let chunk = 0;
  let texts: string[] = [];
  let size = 2;
  const flush = async () => {
    await staging.putChunk(jobId, chunk++, `[${texts.join(',')}]`);
    texts = [];
    size = 2;
  };
  for (const item of items) {
    const text = encode(item);
    if (texts.length > 0 && size + text.length + 1 > CHUNK_BYTES) await flush();
    texts.push(text);
    size += text.length + 1;
  }
  if (texts.length > 0 || chunk === 0) await flush();
  return chunk;
}

/** One Map iteration: renews the lease (an import that lost it stops), then puts the chunk's items. */
export async function writeImportChunk(
  repos: Repositories,
  staging: ImportStaging,
  input: { job: ImportJobRef; prepared: PreparedImport; chunk: number },
): Promise<void> {
  const lease = input.prepared.lease!;
  if (!(await repos.leases.renew(lease))) throw leaseLost(lease);
  const items = decode<Item[]>(await staging.getChunk(input.job.id, input.chunk));
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
  await staging.removeChunks(job.id, prepared.chunks?.length ?? 0).catch(() => undefined);
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
  await staging.removeChunks(job.id, prepared?.chunks?.length ?? 0).catch(() => undefined);
}

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
