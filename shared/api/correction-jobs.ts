/**
 * Corrections (DOMAIN.md §7.1) and an appeal's acceptance as jobs of the API's long work (issue 12).
 * Each recomputes a period or writes a whole dataset version — a province's (350,000 staff) takes far
 * longer than API Gateway's 30 s — so the routes check what they cheaply can, record a job and answer
 * 202; the runner (shared/api/jobs.ts) calls the very services the CLI calls and records the correction,
 * the decision or the appeal with its correction, or the bilingual error. A correction's files come
 * through the upload store (or, for a small fix, at most INLINE_FILES_BYTES in the body, kept on the job).
 *
 * Delivered twice, a job runs once (the runner's claim); a job whose runner died part-way runs again
 * (shared/api/jobs.ts) and finishes what it began: a correction's run goes on under the job's key
 * (shared/app/correction-service.ts startCorrection), and an approval or an acceptance already committed
 * is answered as it was. Asked twice (a retried request makes a second job), the services keep one outcome: a second correction of the year is refused while one awaits
 * review, a decided correction or appeal is not decided again, and an appeal's acceptance links the
 * correction it already opened.
 */
import { acceptAppeal, appealsOf } from '../app/appeal-service.js';
import { decideCorrection, type RecomputePort, startCorrection } from '../app/correction-service.js';
import { bilingual, NotFoundError, PrerequisiteError } from '../errors.js';
import type { ApiJob, ApiJobResult } from '../store/api-jobs.js';
import { problem } from './http.js';
import type { JobDeps } from './jobs.js';
import { uploadOwnerPrefix } from './s3.js';

type CorrectionKind = 'monthly' | 'quarterly';

/** What a correction's job keeps: the route's body, the files as base64 or the upload's prefix. */
export interface CorrectionRequest {
  kind: CorrectionKind;
  period: string;
  reason?: string;
  files?: Record<string, string>;
  upload?: string;
}

export interface CorrectionDecisionRequest {
  kind: CorrectionKind;
  period: string;
}

/** An appeal's acceptance: the corrected rows as CSV text, or the upload holding them. */
export interface AppealAcceptanceRequest {
  id: string;
  reason: string;
  rows?: Record<string, string>;
  upload?: string;
}

/**
 * The route's check of an upload named in a body: the caller's own in this community (403) — uploads are
 * private to the uploader, as an import from one is. (The key layout alone: the route functions are not
 * given the import bucket; the runner reads it.)
 */
export function assertOwnUpload(community: string, user: string, prefix: string): void {
  if (!prefix.startsWith(uploadOwnerPrefix(community, user)))
    throw problem(403, `只能使用自己上传的文件 / ${user} may use only their own uploads`, [
      { path: 'body.upload', message: 'not your upload' },
    ]);
}

/** The upload's files, or a refusal the uploader can act on when there are none. */
async function uploaded(deps: JobDeps, prefix: string): Promise<Record<string, Uint8Array>> {
  const nothing = () =>
    new PrerequisiteError(
      bilingual(
        `${prefix} 下没有已上传的文件（上传链接过期，或文件已被用过）`,
        `nothing has been uploaded under ${prefix} (the links expired, or the files were used already)`,
      ),
    );
  if (!deps.uploads)
    throw problem(
      501,
      '此服务器没有上传存储，请把文件放在请求体中（不超过 256 KB）/ this server has no upload storage; send small files in the body instead',
    );
  let files: Record<string, Uint8Array>;
  try {
    files = await deps.uploads.read(prefix);
  } catch (error) {
    const name = (error as { name?: unknown; code?: unknown } | undefined)?.name;
    const code = (error as { code?: unknown } | undefined)?.code;
    // The S3 reader refuses an empty or oversized upload by name; a local folder that was never written is ENOENT.
    if (name === 'PrerequisiteError' && !(error instanceof PrerequisiteError))
      throw new PrerequisiteError((error as Error).message);
    if (code === 'ENOENT') throw nothing();
    throw error;
  }
  if (Object.keys(files).length === 0) throw nothing();
  return files;
}

/** Runs `work` on an upload's files (when the request names one), then lets the store forget them. */
async function withUpload<T>(
  deps: JobDeps,
  upload: string | undefined,
  work: (files: Record<string, Uint8Array> | undefined) => Promise<T>,
): Promise<T> {
  if (upload === undefined) return work(undefined);
  const files = await uploaded(deps, upload);
  try {
    return await work(files);
  } finally {
    await deps.uploads?.done?.(upload).catch(() => undefined);
  }
}

function recomputeOf(deps: JobDeps): RecomputePort {
  if (!deps.recompute) throw new Error('the job runner has no recompute configured');
  return deps.recompute;
}

const fromBase64 = (files: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(files).map(([name, b64]) => [name, new Uint8Array(Buffer.from(b64, 'base64'))]),
  );

// Each kind's work, named in shared/api/jobs.ts's JOB_KINDS (functions, not an object spread in, so a
// route's bundle that only records jobs leaves the recompute's code — and its table access — out).

/** 补发/扣回: parse the corrected files, write a version, recompute the period, write the differences. */
export async function runCorrection(job: ApiJob, deps: JobDeps): Promise<ApiJobResult> {
  const request = job.request as unknown as CorrectionRequest;
  const record = await withUpload(deps, request.upload, (files) =>
    startCorrection(deps.repos, recomputeOf(deps), {
      communityId: job.communityId,
      kind: request.kind,
      period: request.period,
      source: files ? { files, uploaded: true } : { files: fromBase64(request.files ?? {}) },
      by: job.by,
      ...(request.reason ? { reason: request.reason } : {}),
      key: jobKey(job),
    }),
  );
  return { json: record };
}

/** The key a job's correction run carries: run again (its runner died), the job goes on with it. */
const jobKey = (job: ApiJob) => `job:${job.id}`;

/** A job that ran before (a runner died part-way: KindSpec.rerun). */
const ranBefore = (job: ApiJob) => (job.attempts ?? 1) > 1;

/** Finance's approval: writes the year's data with the corrected rows and posts the differences. */
export async function runCorrectionDecision(job: ApiJob, { repos }: JobDeps): Promise<ApiJobResult> {
  const request = job.request as unknown as CorrectionDecisionRequest;
  try {
    const record = await decideCorrection(repos, {
      communityId: job.communityId,
      kind: request.kind,
      period: request.period,
      by: job.by,
      approve: true,
    });
    return { json: record };
  } catch (error) {
    // Run again after its runner died: an approval it committed (with its audit entry) is its outcome.
    if (!(error instanceof NotFoundError) || !ranBefore(job)) throw error;
    const approved = (await repos.corrections.list(job.communityId, Number(request.period.slice(0, 4))))
      .filter(
        (c) =>
          c.kind === request.kind &&
          c.period === request.period &&
          c.status === 'completed' &&
          c.decision?.by === job.by &&
          c.decision.at >= job.createdAt,
      )
      .sort((a, b) => b.revision - a.revision)[0];
    if (!approved) throw error;
    return { json: approved };
  }
}

/** An accepted appeal opens a correction of its period on the corrected rows (one recompute). */
export async function runAppealAcceptance(job: ApiJob, deps: JobDeps): Promise<ApiJobResult> {
  const request = job.request as unknown as AppealAcceptanceRequest;
  // Run again after its runner died once the appeal's decision was recorded: that is its outcome.
  if (ranBefore(job)) {
    const decided = await appealsOf(deps.repos).get(job.communityId, request.id);
    if (decided?.decision?.accepted && decided.decision.by === job.by && decided.correction) {
      const { kind, period, revision } = decided.correction;
      const correction = await deps.repos.corrections.get(job.communityId, kind, period, revision);
      if (correction) return { json: { appeal: decided, correction } };
    }
  }
  const answer = await withUpload(deps, request.upload, (files) =>
    acceptAppeal(deps.repos, recomputeOf(deps), {
      communityId: job.communityId,
      id: request.id,
      by: job.by,
      reason: request.reason,
      rows: files ?? request.rows ?? {},
      key: jobKey(job),
    }),
  );
  return { json: answer };
}
