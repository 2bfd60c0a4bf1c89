/**
 * HR's bank-transfer file (DOMAIN.md §8): the only place full bank accounts leave the system, so it is
 * its own function with its own role (hr), stored apart on AWS (bank/, expiring after a day), and every
 * download is in the audit trail — without accounts. People the bank cannot pay (no account, a negative
 * net) are left out of the file and listed for HR, never silently dropped.
 */

import { deliverExport, exportRequest } from '../../shared/api/exports.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { BankFormatBody, BankQuery, SheetRef } from '../../shared/api/schemas.js';
import { customFormats, setBankFormat, settingsOf } from '../../shared/app/bank-export.js';
import { resolveCommunity } from '../../shared/app/cycle-service.js';
import { BANK_FORMAT_PRESETS, type BankFormatSpec } from '../../shared/export/bank-formats.js';
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
      const file = await exportBank(repos, await exportRequest(input, repos));
      const { kind, period } = input.params;
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
      const settings = await settingsOf(repos).get(await communityOf(input, repos));
      return {
        json: {
          bankFormat: settings.bankFormat ?? null,
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
});
