/**
 * HR's bank-transfer file (DOMAIN.md §8): the only place full bank accounts leave the system, so it is
 * its own function with its own role (hr), stored apart on AWS (bank/, expiring after a day), and every
 * download is in the audit trail — without accounts. People the bank cannot pay (no account, a negative
 * net) are left out of the file and listed for HR, never silently dropped.
 *
 * Issue 16: `?format=` takes any bank format (default: the community's); a format of several files
 * (one per institution or payer account) comes as one zip with its summary. The settings routes choose the
 * format (HR) and set payer accounts (HR or finance), each audited.
 */

import { deliverExport, exportRequest } from '../../shared/api/exports.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import type { RouteResult } from '../../shared/api/http.js';
import type { ExportSink } from '../../shared/api/ports.js';
import { BankFormatBody, BankQuery, PayerAccountBody, SheetRef } from '../../shared/api/schemas.js';
import {
  bankFormatFor,
  changePayerAccounts,
  customFormats,
  type ExportedBankFiles,
  exportBankFormat,
  setBankFormat,
  setPayerAccount,
  settingsOf,
} from '../../shared/app/bank-export.js';
import { resolveCommunity } from '../../shared/app/cycle-service.js';
import { BANK_FORMAT_PRESETS, type BankFormatSpec } from '../../shared/export/bank-formats.js';
import { maskedPayer, payerAccountsCsv } from '../../shared/export/bank-payers.js';
import { bankFileMediaType, zipBankFiles } from '../../shared/export/bank-zip.js';
import { fenToYuanString } from '../../shared/export/money-format.js';
import { exportBank } from '../../shared/reports/index.js';
import type { Repositories } from '../../shared/store/index.js';

/** The community the route addresses (the path's, where routes name one), else the deployment's one. */
const communityOf = async (input: object, repos: Repositories): Promise<string> =>
  (input as { community?: string }).community ?? (await resolveCommunity(repos));

const described = (spec: BankFormatSpec, own: boolean) => ({
  name: spec.name,
  description: spec.description,
  fileType: spec.fileType,
  encoding: spec.encoding,
  split: spec.split,
  columns: spec.columns.map((c) => c.field),
  own,
});

export const handler = apiHandler('bank', {
  'GET /api/bank/{kind}/{period}': route({
    params: SheetRef,
    query: BankQuery,
    run: async (input, { repos, exports }) => {
      const request = await exportRequest({ ...input, query: { format: input.query.format } }, repos);
      const { kind, period } = input.params;
      // ?format=NAME, else the community's chosen format (issue 16), else HR's CSV as before any setting.
      const format = await bankFormatFor(repos, request.communityId, request.format);
      if (format !== 'csv' && format !== 'xlsx') {
        return bankFormatDownload(exports, await exportBankFormat(repos, { ...request, format }), format);
      }
      const file = await exportBank(repos, { ...request, format });
      const delivered = await deliverExport(exports, `${kind}/${period}`, file, { sensitive: true });
      const left = file.notTransferred;
      // A download carries the count in a header (the body is the file); a link carries the list.
      if ('file' in delivered)
        return { ...delivered, headers: { ...delivered.headers, 'X-Not-Transferred': String(left.length) } };
      return {
        ...delivered,
        json: { ...(delivered.json as object), lines: file.lines, notTransferred: left },
      };
    },
  }),
  // Issue 16: the bank-file format chosen for the community (export bank's default) and the formats known.
  'GET /api/settings': route({
    run: async (input, { repos }) => {
      const communityId = await communityOf(input, repos);
      const [settings, payers] = await Promise.all([
        settingsOf(repos).get(communityId),
        settingsOf(repos).payerAccounts(communityId),
      ]);
      return {
        json: {
          bankFormat: settings.bankFormat ?? null,
          // Masked: the settings page shows which account, never the whole number.
          payerAccounts: Object.fromEntries(Object.entries(payers).map(([id, p]) => [id, maskedPayer(p)])),
          revision: settings.revision,
          updatedBy: settings.updatedBy ?? null,
          updatedAt: settings.updatedAt ?? null,
          bankFormats: [
            ...customFormats(settings).map((f) => described(f, true)),
            ...BANK_FORMAT_PRESETS.map((f) => described(f, false)),
          ],
        },
      };
    },
  }),
  'POST /api/settings/bank-format': route({
    body: BankFormatBody,
    run: async (input, { repos }) => {
      const { body, caller } = input;
      const next = await setBankFormat(repos, {
        communityId: await communityOf(input, repos),
        by: caller.user,
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.format === undefined ? {} : { json: JSON.stringify(body.format) }),
      });
      return { json: { bankFormat: next.bankFormat, revision: next.revision } };
    },
  }),
  'POST /api/settings/payer-account': route({
    body: PayerAccountBody,
    run: async (input, { repos }) => {
      const { body, caller } = input;
      const communityId = await communityOf(input, repos);
      if (body.file) {
        const set = payerAccountsCsv(body.file.name, new Uint8Array(Buffer.from(body.file.base64, 'base64')));
        const payers = await changePayerAccounts(repos, { communityId, by: caller.user, set });
        return {
          json: {
            payerAccounts: Object.fromEntries(Object.keys(set).map((id) => [id, maskedPayer(payers[id]!)])),
          },
        };
      }
      const { institutionId, remove, file: _file, ...payer } = body;
      const id = institutionId!; // the schema requires it without a file
      const payers = await setPayerAccount(repos, {
        communityId,
        by: caller.user,
        institutionId: id,
        ...(remove ? {} : { payer }),
      });
      const now = payers[id];
      return { json: { institutionId: id, payerAccount: now ? maskedPayer(now) : null } };
    },
  }),
});

/**
 * A bank format's files as one download: the file itself when the format makes one (its bytes as the
 * CLI writes them; the summary's count and total in headers), else a zip of every file and the summary.
 */
async function bankFormatDownload(
  exports: ExportSink,
  exported: ExportedBankFiles,
  format: string,
): Promise<RouteResult> {
  const { cycle } = exported;
  const single = exported.files.length === 1 ? exported.files[0]! : undefined;
  const delivered = await exports.deliver({
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
  const counts = {
    'X-Not-Transferred': String(exported.notTransferred.length),
    'X-Bank-Lines': String(exported.lines),
    'X-Bank-Total': fenToYuanString(exported.total),
    'X-Bank-Files': String(exported.files.length),
  };
  if ('file' in delivered) return { ...delivered, headers: { ...delivered.headers, ...counts } };
  return {
    ...delivered,
    json: {
      ...(delivered.json as object),
      format,
      files: exported.files.length,
      lines: exported.lines,
      total: fenToYuanString(exported.total),
      notTransferred: exported.notTransferred,
    },
  };
}
