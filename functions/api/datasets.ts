/**
 * Dataset import over HTTP (DOMAIN.md §2, all or nothing): small datasets (≤ 256 KB) as base64 files in the body;
 * large ones uploaded with signed PUT links (to S3 on AWS; to `medcomm serve`'s data folder on one
 * machine, shared/local/upload-store.ts) and imported from there by the import state machine
 * (workflows/import.ts): `import-from-upload` starts it and answers 202 with the import's id, and
 * `GET /api/datasets/imports/{importId}` follows it to imported or refused (with every issue, grouped).
 */

import { apiHandler, route } from '../../shared/api/handler.js';
import { problem } from '../../shared/api/http.js';
import { importIdOfPrefix } from '../../shared/api/s3.js';
import {
  ImportBody,
  ImportFromUploadBody,
  ImportIdParams,
  INLINE_FILES_BYTES,
  UploadUrlBody,
} from '../../shared/api/schemas.js';
import type { ImportOutcome } from '../../shared/app/import-service.js';
import { importDataset } from '../../shared/app/import-service.js';
import type { ImportJobRef } from '../../shared/app/import-workflow.js';
import { groupIssues } from '../../shared/dataset/errors.js';
import type { ImportJob } from '../../shared/store/imports.js';

const imported = (outcome: ImportOutcome) => ({
  status: 201,
  json: {
    communityId: outcome.pointer.communityId,
    year: outcome.pointer.year,
    version: outcome.pointer.version,
    importedBy: outcome.pointer.importedBy,
    importedAt: outcome.pointer.importedAt,
    summary: outcome.summary,
    accountChanges: outcome.accountChanges,
  },
});

/**
 * A dataset in the body is a small one (issue 12): API Gateway takes 10 MB and Lambda 6 MB, and a city's
 * files are ~28 MB as base64. Over INLINE_FILES_BYTES of base64 (as a correction's files) the route
 * answers 400 naming the upload store, before anything is decoded or read.
 */
const SmallImportBody = ImportBody.superRefine((body, ctx) => {
  const size = Object.values(body.files).reduce((n, text) => n + Buffer.byteLength(text, 'utf8'), 0);
  if (size > INLINE_FILES_BYTES)
    ctx.addIssue({
      code: 'custom',
      path: ['files'],
      message:
        `请求体中的文件超过 ${INLINE_FILES_BYTES / 1024} KB：请先上传（POST /api/communities/{community}/datasets/upload-url），` +
        `再用 POST …/datasets/import-from-upload 导入 / the files in the body are over ${INLINE_FILES_BYTES / 1024} KB: ` +
        'upload them (POST /api/communities/{community}/datasets/upload-url) and import the upload with POST …/datasets/import-from-upload',
    });
});

const noStorage = () =>
  problem(
    501,
    '此服务器没有上传存储，请直接 POST /api/datasets（文件以 base64 放在请求体中）/ this server has no upload storage; send the files in the body of POST /api/datasets instead',
  );

export const handler = apiHandler('datasets', {
  'GET /api/datasets/template': route({
    run: async () => {
      // exceljs only for this route (and workbook imports), not on every cold start.
      const { templateWorkbook } = await import('../../shared/dataset/workbook.js');
      return {
        file: {
          bytes: new Uint8Array(await templateWorkbook()),
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          filename: '数据集模板.xlsx',
        },
      };
    },
  }),
  'POST /api/datasets': route({
    body: SmallImportBody,
    run: async ({ body, caller, community }, deps) => {
      const files = Object.fromEntries(
        Object.entries(body.files).map(([name, b64]) => [name, new Uint8Array(Buffer.from(b64, 'base64'))]),
      );
      // The dataset is the path's community's: a scheme.json naming another is refused.
      const target = { communityId: community, ...(body.year === undefined ? {} : { year: body.year }) };
      return imported(await importDataset(deps.repos, { files }, caller.user, undefined, target));
    },
  }),
  'POST /api/datasets/upload-url': route({
    body: UploadUrlBody,
    run: async ({ body, caller, community }, deps) => {
      if (!deps.uploads) throw noStorage();
      return { json: await deps.uploads.ticket(community, caller.user, body.files) };
    },
  }),
  'POST /api/datasets/import-from-upload': route({
    body: ImportFromUploadBody,
    run: async ({ body, caller, community }, deps) => {
      if (!deps.uploads || !deps.imports) throw noStorage();
      // Uploads are private to the uploader: an office user imports only what they uploaded, to its community.
      if (!body.prefix.startsWith(deps.uploads.ownPrefix(community, caller.user))) {
        throw problem(403, `只能导入自己上传的文件 / ${caller.user} may import only their own uploads`, [
          { path: 'body.prefix', message: 'not your upload' },
        ]);
      }
      const job: ImportJobRef = {
        id: importIdOfPrefix(body.prefix),
        prefix: body.prefix,
        by: caller.user,
        communityId: community,
        ...(body.year === undefined ? {} : { year: body.year }),
      };
      // The record first, so the import can be followed from this answer on; a retried request finds it.
      const existing = await deps.repos.imports.get(job.id);
      if (existing && (existing.by !== job.by || existing.communityId !== community)) {
        throw problem(409, `导入 ${job.id} 已由他人启动 / import ${job.id} was started by someone else`);
      }
      if (!existing) await deps.repos.imports.create(job);
      await deps.imports.start(job);
      return {
        status: 202,
        json: { importId: job.id, communityId: community, status: existing?.status ?? 'parsing' },
      };
    },
  }),
  'GET /api/datasets/imports/{importId}': route({
    params: ImportIdParams,
    run: async ({ params, community }, deps) => {
      const job = await deps.repos.imports.get(params.importId);
      // Another community's import is not found here (its office follows it under its own path).
      if (!job || (job.communityId !== undefined && job.communityId !== community)) {
        throw problem(404, `没有导入 ${params.importId} / no import ${params.importId}`);
      }
      return { json: importState(job) };
    },
  }),
});

/** What the upload page shows: the state, and a refusal's issues grouped as the synchronous import's 422. */
function importState(job: ImportJob) {
  return {
    importId: job.id,
    status: job.status,
    by: job.by,
    startedAt: job.startedAt,
    updatedAt: job.updatedAt,
    ...(job.communityId === undefined ? {} : { communityId: job.communityId }),
    ...(job.year === undefined ? {} : { year: job.year }),
    ...(job.version === undefined ? {} : { version: job.version }),
    ...(job.summary ? { summary: job.summary } : {}),
    ...(job.accountChanges === undefined ? {} : { accountChanges: job.accountChanges }),
    ...(job.status === 'refused' || job.status === 'failed' ? { error: job.error } : {}),
    ...(job.issues
      ? {
          issues: job.issues,
          issueCount: job.issueCount ?? job.issues.length,
          groups: groupIssues(job.issues),
        }
      : {}),
  };
}
