/**
 * Dataset import over HTTP (DOMAIN.md §2, all or nothing): small datasets as base64 files in the body;
 * large ones uploaded to S3 with presigned PUTs (AWS only) and imported from there.
 */

import { apiHandler, route } from '../../shared/api/handler.js';
import { problem } from '../../shared/api/http.js';
import { ImportBody, ImportFromUploadBody, UploadUrlBody } from '../../shared/api/schemas.js';
import type { ImportOutcome } from '../../shared/app/import-service.js';
import { importDataset } from '../../shared/app/import-service.js';

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

const noStorage = () =>
  problem(
    501,
    '本地服务器不支持上传链接，请直接 POST /api/datasets（文件以 base64 放在请求体中）/ the local server has no object storage; send the files in the body of POST /api/datasets instead',
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
    body: ImportBody,
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
    run: async ({ body, caller }, deps) => {
      if (!deps.uploads) throw noStorage();
      return { json: await deps.uploads.ticket(caller.user, body.files) };
    },
  }),
  'POST /api/datasets/import-from-upload': route({
    body: ImportFromUploadBody,
    run: async ({ body, caller, community }, deps) => {
      if (!deps.uploads) throw noStorage();
      // Uploads are private to the uploader: an office user imports only what they uploaded.
      if (!body.prefix.startsWith(deps.uploads.ownPrefix(caller.user))) {
        throw problem(403, `只能导入自己上传的文件 / ${caller.user} may import only their own uploads`, [
          { path: 'body.prefix', message: 'not your upload' },
        ]);
      }
      const files = await deps.uploads.read(body.prefix);
      return imported(
        await importDataset(deps.repos, { files }, caller.user, undefined, { communityId: community }),
      );
    },
  }),
});
