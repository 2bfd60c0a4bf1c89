/**
 * HR's bank-transfer file (DOMAIN.md §8): the only place full bank accounts leave the system, so it is
 * its own function with its own role (hr), stored apart on AWS (bank/, expiring after a day), and every
 * download is in the audit trail — without accounts. People the bank cannot pay (no account, a negative
 * net) are left out of the file and listed for HR, never silently dropped.
 *
 * Issue 16: `?format=` takes any bank format (default: the community's); a format of several files
 * (one per institution or payer account) comes as one zip with its summary. The file is a job's (issue
 * 12): 202, then `GET …/jobs/{id}` gives its link and the people not transferred. The settings routes choose the
 * format (HR) and set payer accounts (HR or finance), each audited.
 */

import { apiHandler, route } from '../../shared/api/handler.js';
import { assertExportable, startJob } from '../../shared/api/jobs.js';
import { BankFormatBody, BankQuery, PayerAccountBody, SheetRef } from '../../shared/api/schemas.js';
import {
  changePayerAccounts,
  customFormats,
  setBankFormat,
  setPayerAccount,
  settingsOf,
} from '../../shared/app/bank-export.js';
import { resolveCommunity } from '../../shared/app/cycle-service.js';
import { BANK_FORMAT_PRESETS, type BankFormatSpec } from '../../shared/export/bank-formats.js';
import { maskedPayer, payerAccountsCsv } from '../../shared/export/bank-payers.js';
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
  // A job (issue 12: a province's bank file does not fit the API's 30 s): its runner builds the file,
  // audits it and hands out a link under the bank prefix (shared/api/jobs.ts).
  'GET /api/bank/{kind}/{period}': route({
    params: SheetRef,
    query: BankQuery,
    run: async (input, deps) => {
      const { params, query, community } = input;
      await assertExportable(deps.repos, community, params.kind, params.period);
      return startJob(input, deps, 'bank', {
        kind: params.kind,
        period: params.period,
        ...(query.format === undefined ? {} : { format: query.format }),
      });
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
