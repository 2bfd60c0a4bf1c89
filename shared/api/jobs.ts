/**
 * The API's long work as jobs (issue 12). A whole pay sheet, a bank file, audit verify, a simulation,
 * a correction (its start, its approval, an appeal's acceptance: shared/api/correction-jobs.ts) of a
 * province (350,000 staff) does not fit API Gateway's 30 s: the route checks what it cheaply can (the cycle
 * exists and is completed), records a job (shared/store/api-jobs.ts), starts the runner without waiting
 * (JobStarter: an asynchronous Lambda invoke on AWS, the serve process's background locally) and answers
 * 202 with the job and a Location to poll. The runner (runApiJob) builds the file, hands it to the export
 * sink — a presigned S3 link on AWS, a link to the serve process locally — and records the link or the
 * bilingual error; `GET …/jobs/{id}` tells the asker. One behaviour at every size: no fast path.
 */
import { randomUUID } from 'node:crypto';
import { describeAudit, verifyAudit } from '../app/audit-verify.js';
import { bankFormatFor, type ExportedBankFiles, exportBankFormat } from '../app/bank-export.js';
import type { RecomputePort } from '../app/correction-service.js';
import { bilingual, NotFoundError, PrerequisiteError } from '../errors.js';
import { bankFileMediaType, zipBankFiles } from '../export/bank-zip.js';
import { fenToYuanString } from '../export/money-format.js';
import { cycleKindFor, exportBank, exportSheet, type SheetKind } from '../reports/exports.js';
import type { BankFormat, SheetFormat } from '../reports/render.js';
import {
  type ApiJob,
  type ApiJobKind,
  type ApiJobResult,
  JOB_HEARTBEAT_MS,
  JOB_MAX_ATTEMPTS,
} from '../store/api-jobs.js';
import { isStoreError } from '../store/errors.js';
import type { Repositories } from '../store/index.js';
import { runAppealAcceptance, runCorrection, runCorrectionDecision } from './correction-jobs.js';
import type { ApiDeps } from './deps.js';
import type { RouteInput } from './handler.js';
import { problem, type RouteResult, toProblem } from './http.js';
import { jobLost, jobView, recordIfDead } from './job-view.js';
import type { ExportFile, ExportSink, JobRef, UploadReader } from './ports.js';
import { COMMUNITY_PREFIX } from './roles.js';
import { type SimulationRequest, simulationAnswer } from './simulation-job.js';

/** What the runner needs: the table and where files go (a link sink: never the response itself). */
export interface JobDeps {
  repos: Repositories;
  exports: ExportSink;
  /** A correction's recompute of its period (functions/recompute-period.ts): the cycle's own steps. */
  recompute?: RecomputePort;
  /** Where a correction's uploaded files are read (the import bucket on AWS, serve's data folder). */
  uploads?: UploadReader;
  /** The time (tests inject one): when a runner's heartbeat is stale, what a takeover records. */
  clock?: () => Date;
}

/** A result's JSON kept on the job item: DynamoDB items end at 400 KB. */
const RESULT_JSON_BYTES = 300_000;
/** People not transferred listed on a bank job's record (all of them are counted). */
const NOT_TRANSFERRED_KEPT = 1000;

interface KindSpec {
  run(job: ApiJob, deps: JobDeps): Promise<ApiJobResult>;
  /**
   * Whether a redelivered job whose runner died may be run again from the start: a kind that writes
   * nothing but a file and an audit entry (an export, a report), or one whose work finishes what a dead
   * run began (a correction: shared/app/correction-service.ts). Otherwise the failure is recorded.
   */
  rerun: boolean;
}

type SheetRequest = { kind: SheetKind; period: string; format: SheetFormat | 'json' };
type BankRequest = { kind: SheetKind; period: string; format?: string };

const exportRequestOf = (job: ApiJob) => ({
  communityId: job.communityId,
  by: job.by,
  target: `api ${job.requestId}`,
});

/** The sink's answer as a job's download: a link, never bytes (the runner answers no HTTP request). */
async function deliver(
  exports: ExportSink,
  file: ExportFile,
): Promise<NonNullable<ApiJobResult['download']>> {
  const delivered = await exports.deliver(file);
  if (!('json' in delivered))
    throw new Error('the job runner needs an export sink that answers with a link, not the file');
  return delivered.json as NonNullable<ApiJobResult['download']>;
}

const listed = <T>(items: readonly T[]) =>
  items.length > NOT_TRANSFERRED_KEPT
    ? { notTransferred: items.slice(0, NOT_TRANSFERRED_KEPT), notTransferredCount: items.length }
    : { notTransferred: items, notTransferredCount: items.length };

/** A JSON answer on the job's record, or — over RESULT_JSON_BYTES — as a file through the link, its `summary` kept. */
async function jsonResult(
  exports: ExportSink,
  kind: string,
  filename: string,
  json: unknown,
  summary: () => unknown,
): Promise<ApiJobResult> {
  const text = JSON.stringify(json);
  if (Buffer.byteLength(text, 'utf8') <= RESULT_JSON_BYTES) return { json };
  const download = await deliver(exports, {
    kind,
    filename,
    contentType: 'application/json; charset=utf-8',
    bytes: text,
  });
  return { download, json: { ...(summary() as object), truncated: true } };
}

export const JOB_KINDS: Record<ApiJobKind, KindSpec> = {
  // Corrections (DOMAIN.md §7.1) and an appeal's acceptance: a period's recompute (shared/api/correction-jobs.ts).
  correction: { run: runCorrection, rerun: true },
  'correction-decision': { run: runCorrectionDecision, rerun: true },
  'appeal-acceptance': { run: runAppealAcceptance, rerun: true },
  // 模拟测算 (issue 15): the answer the route gave; a province's list of institutions goes as a file.
  simulation: {
    rerun: true,
    async run(job, { repos, exports }) {
      const answer = await simulationAnswer(
        repos,
        job.communityId,
        job.by,
        job.request as unknown as SimulationRequest,
      );
      return jsonResult(
        exports,
        `simulations/${answer.year}`,
        `simulation-${answer.year}.json`,
        answer,
        () => {
          const { institutions: _i, ...rest } = answer;
          return rest;
        },
      );
    },
  },
  sheet: {
    rerun: true,
    async run(job, { repos, exports }) {
      const { kind, period, format } = job.request as SheetRequest;
      const file = await exportSheet(repos, {
        ...exportRequestOf(job),
        kind,
        period,
        format: format as SheetFormat,
      });
      const download = await deliver(exports, {
        kind: `sheets/${kind}/${period}`,
        filename: file.filename,
        contentType: file.mediaType,
        bytes: file.content,
      });
      return { download };
    },
  },
  bank: {
    rerun: true,
    async run(job, { repos, exports }) {
      const request = job.request as BankRequest;
      const base = { ...exportRequestOf(job), kind: request.kind, period: request.period };
      // ?format=NAME, else the community's chosen format (issue 16), else HR's CSV as before any setting.
      const format = await bankFormatFor(repos, job.communityId, request.format);
      if (format !== 'csv' && format !== 'xlsx')
        return bankFormatResult(exports, await exportBankFormat(repos, { ...base, format }), format);
      const file = await exportBank(repos, { ...base, format: format as BankFormat });
      const download = await deliver(exports, {
        // Under the bank prefix (sensitive): full accounts, a shorter life.
        kind: `${request.kind}/${request.period}`,
        sensitive: true,
        filename: file.filename,
        contentType: file.mediaType,
        bytes: file.content,
      });
      return {
        download,
        json: {
          format,
          lines: file.lines,
          total: fenToYuanString(file.total),
          ...listed(file.notTransferred),
        },
      };
    },
  },
  'audit-verify': {
    rerun: true,
    async run(job, { repos, exports }) {
      // The chain against its head and anchor, every completed cycle against its seal, the dataset blobs.
      const report = await verifyAudit(repos, job.communityId);
      const json = { ...report.chain, ...report, lines: describeAudit(report) };
      // A long list of problems: the whole report as a file, its verdict on the record.
      return jsonResult(exports, 'audit/verify', 'audit-verify.json', json, () => ({
        ok: report.ok,
        communityId: report.communityId,
        cyclesChecked: report.cyclesChecked,
        lines: json.lines.slice(0, 200),
      }));
    },
  },
};

/** A bank format's files: the file itself when the format makes one, else a zip of every file and the summary. */
async function bankFormatResult(
  exports: ExportSink,
  exported: ExportedBankFiles,
  format: string,
): Promise<ApiJobResult> {
  const { cycle } = exported;
  const single = exported.files.length === 1 ? exported.files[0]! : undefined;
  const download = await deliver(exports, {
    kind: `${cycle.kind}/${cycle.period}`, // under the bank prefix (sensitive), as HR's CSV
    sensitive: true,
    ...(single
      ? {
          filename: single.name,
          contentType: bankFileMediaType(single.name, exported.encoding),
          bytes: single.content,
        }
      : {
          filename: exported.summary.name.replace(/-汇总\.csv$/, '.zip'),
          contentType: 'application/zip',
          bytes: await zipBankFiles([...exported.files, exported.summary]),
        }),
  });
  return {
    download,
    json: {
      format,
      files: exported.files.length,
      lines: exported.lines,
      total: fenToYuanString(exported.total),
      ...listed(exported.notTransferred),
    },
  };
}

const KIND_WORDS: Record<string, string> = { monthly: '月度', quarterly: '季度', annual: '年度' };

/**
 * What the route checks before it records a job, so the asker hears at once what the runner would only
 * find later: the cycle of the request exists (404) and is completed (409). The seal is the runner's.
 */
export async function assertExportable(
  repos: Repositories,
  communityId: string,
  kind: SheetKind,
  period: string,
): Promise<void> {
  const cycleKind = cycleKindFor(kind, period);
  const cycle = await repos.cycles.get(communityId, cycleKind, period);
  if (!cycle)
    throw new NotFoundError(
      bilingual(
        `${communityId} 没有 ${period} ${KIND_WORDS[cycleKind]}周期，请先运行它`,
        `${communityId} has no ${cycleKind} cycle ${period}; run it first`,
      ),
    );
  if (cycle.status !== 'completed')
    throw new PrerequisiteError(
      bilingual(
        `${period} ${KIND_WORDS[cycleKind]}周期当前为 ${cycle.status}，完成后才能导出`,
        `${cycleKind} cycle ${period} is ${cycle.status}; only a completed cycle can be exported`,
      ),
    );
}

/** Where a job is followed: `GET /api/communities/{c}/jobs/{id}`. */
export const jobLocation = (job: JobRef) =>
  `${COMMUNITY_PREFIX.replace('{community}', encodeURIComponent(job.communityId))}/jobs/${job.id}`;

/**
 * Records the job and starts its runner: 202 with the job as `GET …/jobs/{id}` shows it and a Location
 * there. A runner that cannot be started fails the job (and the request).
 */
export async function startJob(
  input: RouteInput<unknown, unknown, unknown>,
  deps: ApiDeps,
  kind: ApiJobKind,
  request: Record<string, unknown>,
): Promise<RouteResult> {
  const starter = deps.jobs;
  if (!starter)
    throw problem(
      501,
      '此服务未配置后台任务 / this server runs no background jobs (no job runner configured)',
    );
  // The request is kept on the job's item (DynamoDB's 400 KB): a simulation's draft files are its largest.
  if (Buffer.byteLength(JSON.stringify(request), 'utf8') > RESULT_JSON_BYTES)
    throw problem(
      413,
      `请求过大（超过 ${RESULT_JSON_BYTES / 1000} KB），无法作为后台任务保存 / the request is over ${RESULT_JSON_BYTES / 1000} KB, too large to keep as a job`,
    );
  const job = await deps.repos.apiJobs.create({
    id: randomUUID(),
    communityId: input.community,
    kind,
    request,
    by: input.caller.user,
    requestId: input.event.requestContext.requestId,
  });
  try {
    await starter.start({ communityId: job.communityId, id: job.id });
  } catch (error) {
    const answer = toProblem(error);
    await deps.repos.apiJobs
      .finish(job.communityId, job.id, { status: 'failed', error: answer.body.error })
      .catch(() => undefined);
    throw answer;
  }
  const location = jobLocation(job);
  return { status: 202, json: { job: jobView(job), location }, headers: { Location: location } };
}

/**
 * The runner: takes the job (once, however often the event is delivered), does its work and records the
 * result or the error. A user's mistake found late (a broken seal, an unconfirmed account) fails the job
 * with the route's message and status; a fault fails it as an internal error and is logged without its
 * message (it may quote a person). Only a failure to record the outcome is thrown (on AWS: the runner's
 * on-failure destination gets the event).
 *
 * Liveness: while it works the runner renews the job's heartbeat every JOB_HEARTBEAT_MS; a job whose
 * runner stopped (Lambda's 15 minutes, out of memory, a crashed serve process) stops renewing, and after
 * JOB_STALE_MS reads as failed (jobView) and is recorded so by whoever sees it first. A redelivered event
 * of such a job runs it again when its kind is safe to re-run (KindSpec.rerun), up to JOB_MAX_ATTEMPTS
 * runners, and otherwise records the failure; a live job's redelivery does nothing.
 */
export async function runApiJob(deps: JobDeps, ref: JobRef): Promise<void> {
  const clock = deps.clock ?? (() => new Date());
  const job = await deps.repos.apiJobs.get(ref.communityId, ref.id);
  if (!job) return;
  const runner = randomUUID();
  let claimed: boolean;
  if (job.status === 'queued')
    claimed = await deps.repos.apiJobs.claim(ref.communityId, ref.id, clock(), runner);
  else if (jobLost(job, clock().getTime()) === 'runner') {
    if (!JOB_KINDS[job.kind].rerun || (job.attempts ?? 1) >= JOB_MAX_ATTEMPTS) {
      await recordIfDead(deps.repos, job, clock());
      return;
    }
    claimed = await deps.repos.apiJobs.claim(ref.communityId, ref.id, clock(), runner, job);
  } else return; // running (alive), or ended
  if (!claimed) return;
  // As the claim left it: this runner is one more (a kind's run knows whether it ran before).
  const taken: ApiJob = { ...job, status: 'running', runner, attempts: (job.attempts ?? 0) + 1 };
  const beat = async () => {
    try {
      await deps.repos.apiJobs.heartbeat(ref.communityId, ref.id, runner, clock());
    } catch {
      // A missed beat: the next one renews it (JOB_STALE_MS allows several).
    }
  };
  const heartbeat = setInterval(() => void beat(), JOB_HEARTBEAT_MS);
  heartbeat.unref();
  let end: Parameters<Repositories['apiJobs']['finish']>[2];
  try {
    end = { status: 'done', result: await JOB_KINDS[job.kind].run(taken, deps) };
  } catch (error) {
    const answer = toProblem(error);
    if (answer.statusCode >= 500) {
      const cause = (answer.cause ?? error) as Error;
      console.error(
        JSON.stringify({
          level: 'error',
          job: job.id,
          kind: job.kind,
          name: cause?.name,
          stack: cause?.stack,
        }),
      );
    }
    // A field's issue, or a corrected file's (file, row, column in both languages): the asker fixes those.
    const text = (i: unknown, key: string) => typeof (i as Record<string, unknown>)[key] === 'string';
    const issues = (answer.body.issues ?? []).filter(
      (i): i is Record<string, unknown> =>
        typeof i === 'object' &&
        i !== null &&
        ((text(i, 'path') && text(i, 'message')) || (text(i, 'file') && text(i, 'zh') && text(i, 'en'))),
    );
    end = {
      status: 'failed',
      error: answer.body.error,
      errorStatus: answer.statusCode,
      ...(issues.length ? { errorIssues: issues.slice(0, 50) } : {}),
    };
  } finally {
    clearInterval(heartbeat);
  }
  try {
    await deps.repos.apiJobs.finish(ref.communityId, ref.id, end, clock(), runner);
  } catch (error) {
    // Taken over meanwhile (this runner was silent too long, and was counted dead): its new runner ends it.
    if (!isStoreError(error, 'conditional_failed')) throw error;
  }
}
