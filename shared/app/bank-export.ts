/**
 * A bank file in a bank's own format (issue 16, shared/export/bank-formats.ts): the completed cycle's
 * sheet, the transfer lines (one per person, accounts of the roster the cycle used), written as the
 * format says — possibly one file per institution, always with the totals in a separate summary file —
 * and the export audited like every other.
 */

import {
  BANK_FORMAT_PRESETS,
  type BankFile,
  type BankFormatSpec,
  bankFormatNamed,
  parseBankFormat,
  paymentsOf,
  renderBankFiles,
} from '../export/bank-formats.js';
import { checkedPayerAccount, maskedPayer, type PayerAccounts } from '../export/bank-payers.js';
import { ExportError } from '../export/errors.js';
import { fenToYuanString, sumFen } from '../export/money-format.js';
import type { PaySheet } from '../export/types.js';
import { type ExportRequest, type SheetKind, sheetFor } from '../reports/exports.js';
import { type BankTransfer, bankTransfer, type NotTransferred } from '../reports/sheets.js';
import type { Staff } from '../schemas/dataset.js';
import { auditList } from '../store/audit.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import { type CommunitySettings, SettingRepository, type StoredPayerAccount } from '../store/settings.js';
import { assertAccountsConfirmed } from './account-changes.js';

const KIND_WORDS: Readonly<Record<SheetKind, string>> = {
  monthly: '月度绩效工资',
  quarterly: '季度结余奖励',
  annual: '年度考核奖励',
  leaders: '负责人年薪',
};

export interface ExportedBankFiles {
  files: BankFile[];
  summary: BankFile;
  /** The format's text encoding (of txt/csv files and the summary). */
  encoding: BankFormatSpec['encoding'];
  cycle: CycleRecord;
  lines: number;
  /** Integer fen the files pay in total. */
  total: number;
  notTransferred: NotTransferred[];
}

/** The format named, from the shipped presets and the community's own, and the payer accounts it may need. */
export async function bankFormatOf(
  repos: Repositories,
  communityId: string,
  name: string,
): Promise<{ spec: BankFormatSpec; payers: PayerAccounts }> {
  const repo = settingsOf(repos);
  const settings = await repo.get(communityId);
  const spec = bankFormatNamed(name, customFormats(settings));
  // Payer accounts are read only for a format that groups by them.
  return { spec, payers: spec.split === 'payerAccount' ? await repo.payerAccounts(communityId) : {} };
}

/** The stem of a sheet's bank files: bank-2026-03, bank-leaders-2026. */
export const bankStem = (kind: SheetKind, period: string) =>
  `bank-${kind === 'leaders' ? 'leaders-' : ''}${period}`;

/** A sheet's bank files in a format: the transfer (who is paid, who is left out) and the files. */
export async function renderBankFormat(
  choice: { spec: BankFormatSpec; payers: PayerAccounts },
  kind: SheetKind,
  sheet: PaySheet,
  staff: readonly Staff[],
): Promise<{ files: BankFile[]; summary: BankFile; transfer: BankTransfer }> {
  const transfer = bankTransfer(sheet, staff);
  const { files, summary } = await renderBankFiles(
    choice.spec,
    paymentsOf(sheet, transfer.lines, staff),
    { period: sheet.period, kindWords: KIND_WORDS[kind], stem: bankStem(kind, sheet.period) },
    { payers: choice.payers },
  );
  return { files, summary, transfer };
}

export async function exportBankFormat(
  repos: Repositories,
  request: ExportRequest & { kind: SheetKind; format: string },
): Promise<ExportedBankFiles> {
  // An unknown name fails before anything else is read.
  const choice = await bankFormatOf(repos, request.communityId, request.format);
  const { cycle, sheet, dataset, deductionsVersion } = await sheetFor(repos, request);
  const { files, summary, transfer } = await renderBankFormat(choice, request.kind, sheet, dataset.staff);
  // Changed accounts are paid only once another HR user has confirmed them (account-changes.ts).
  const paid = new Set(transfer.lines.map((l) => l.staffId));
  await assertAccountsConfirmed(repos, request.communityId, cycle.datasetVersion, paid);
  const total = sumFen(transfer.lines.map((l) => l.amount));
  await repos.audit.append(request.communityId, {
    actor: request.by,
    action: 'export.bank',
    subject: `${cycle.kind} ${cycle.period} r${cycle.revision}`,
    details: {
      sheet: request.kind,
      format: choice.spec.name,
      // File names show a payer account's last four digits at most.
      files: auditList(files.map((f) => f.name)),
      lines: transfer.lines.length,
      total: fenToYuanString(total),
      notTransferred: transfer.notTransferred.length,
      datasetVersion: cycle.datasetVersion,
      // Issue 16: the version whose deductions.csv the amounts withhold (the year's current one).
      ...(deductionsVersion === undefined ? {} : { deductionsVersion }),
      ...(request.target ? { target: request.target } : {}),
    },
  });
  return {
    files,
    summary,
    encoding: choice.spec.encoding,
    cycle,
    lines: transfer.lines.length,
    total,
    notTransferred: transfer.notTransferred,
  };
}

/** The community settings' repository (named `settings` where it is used: infra/derive-table-access.ts finds its calls). */
export const settingsOf = (repos: Repositories) => new SettingRepository(repos.table);

/** The community's own bank formats (stored as JSON text, read as any format is). */
export const customFormats = (settings: CommunitySettings): BankFormatSpec[] =>
  (settings.bankFormats ?? []).map(parseBankFormat);

/** What `export bank` writes: the format named, else the community's setting, else HR's CSV. */
export async function bankFormatFor(
  repos: Repositories,
  communityId: string,
  named: string | undefined,
): Promise<string> {
  return named ?? (await communityBankFormat(repos, communityId)) ?? 'csv';
}

/**
 * The format `export bank` writes when none is named: the community's setting (issue 16, "chosen per
 * community"), or undefined — HR's own CSV copy, as before any setting.
 */
export async function communityBankFormat(
  repos: Repositories,
  communityId: string,
): Promise<string | undefined> {
  return (await settingsOf(repos).get(communityId)).bankFormat;
}

/**
 * Sets the community's bank format: a shipped preset or one of its own formats by name, or a new format
 * of its own given as JSON (added, or replacing its own of the same name, and chosen). Written with its
 * audit entry `settings.bank-format` in one transaction, guarded by the settings' revision.
 */
export async function setBankFormat(
  repos: Repositories,
  request: { communityId: string; by: string; name?: string; json?: string },
): Promise<CommunitySettings> {
  const settings = settingsOf(repos);
  const current = await settings.get(request.communityId);
  let own = [...(current.bankFormats ?? [])];
  let name = request.name;
  if (request.json !== undefined) {
    const spec = parseBankFormat(request.json);
    if (BANK_FORMAT_PRESETS.some((p) => p.name === spec.name)) {
      throw new ExportError(
        'INVALID_BANK_FORMAT',
        `“${spec.name}”是内置格式的名称，自定义格式请另取名称 | "${spec.name}" is the name of a shipped format; give the community's own format another name`,
      );
    }
    if (name !== undefined && name !== spec.name) {
      throw new ExportError(
        'INVALID_BANK_FORMAT',
        `格式文件的 name 为“${spec.name}”，与指定的“${name}”不同 | the format file's name is "${spec.name}", not "${name}"`,
      );
    }
    own = [...own.filter((text) => parseBankFormat(text).name !== spec.name), request.json];
    name = spec.name;
  }
  if (name === undefined) {
    throw new ExportError(
      'UNKNOWN_BANK_FORMAT',
      '请给出格式名称或格式文件 | name a format or give a format file',
    );
  }
  const spec = bankFormatNamed(name, own.map(parseBankFormat)); // refuses an unknown name, listing the known
  const next: CommunitySettings = {
    ...current,
    bankFormat: spec.name,
    ...(own.length > 0 ? { bankFormats: own } : {}),
    revision: current.revision + 1,
    updatedBy: request.by,
    updatedAt: new Date().toISOString(),
  };
  await repos.audit.append(
    request.communityId,
    {
      actor: request.by,
      action: 'settings.bank-format',
      subject: `bank format ${spec.name}`,
      details: {
        format: spec.name,
        previous: current.bankFormat ?? '(csv)',
        fileType: spec.fileType,
        encoding: spec.encoding,
        ...(request.json === undefined ? {} : { own: true }),
      },
    },
    [settings.putItem(current, next)],
  );
  return next;
}

/**
 * Sets (or, without `payer`, removes) the account an institution's pay leaves from, for the formats that
 * write one file per payer account. HR or finance; see changePayerAccounts.
 */
export function setPayerAccount(
  repos: Repositories,
  request: { communityId: string; by: string; institutionId: string; payer?: unknown },
): Promise<Record<string, StoredPayerAccount>> {
  const { institutionId, payer, ...rest } = request;
  return changePayerAccounts(
    repos,
    payer === undefined ? { ...rest, remove: [institutionId] } : { ...rest, set: { [institutionId]: payer } },
  );
}

/**
 * Sets and removes payer accounts at once (a whole county's from one file): each checked (digits, Luhn
 * for a card-like length unless declared not a card), one account always one holder at one bank; written
 * with one audit entry `settings.payer-account` — accounts masked — in one transaction, guarded by the
 * settings' revision. Each entry keeps who set it and when; the settings' own `updatedBy`/`updatedAt`
 * stay those of the bank-format choice.
 */
export async function changePayerAccounts(
  repos: Repositories,
  request: { communityId: string; by: string; set?: Record<string, unknown>; remove?: readonly string[] },
): Promise<Record<string, StoredPayerAccount>> {
  const settings = settingsOf(repos);
  const [current, stored] = await Promise.all([
    settings.get(request.communityId),
    settings.payerAccounts(request.communityId),
  ]);
  const payers = { ...stored };
  const at = new Date().toISOString();
  const changes: string[] = [];
  // Masked, and for a large batch (a province's file) only the last four digits: an audit entry is one item.
  const brief = Object.keys(request.set ?? {}).length + (request.remove?.length ?? 0) > 100;
  const shown = (p: { account: string; name: string; bank: string } | undefined) =>
    !p ? '(none)' : brief ? `…${p.account.slice(-4)}` : `${maskedPayer(p).account} ${p.name} ${p.bank}`;
  for (const id of request.remove ?? []) {
    if (!payers[id]) {
      throw new ExportError(
        'MISSING_PAYER_ACCOUNT',
        `${id} 没有设置付款账户，无需删除 | ${id} has no payer account to remove`,
      );
    }
    changes.push(`${id}: ${shown(payers[id])} → (removed)`);
    delete payers[id];
  }
  for (const [id, given] of Object.entries(request.set ?? {})) {
    const payer = checkedPayerAccount(id, given);
    changes.push(`${id}: ${shown(payers[id])} → ${shown(payer)}${payer.nonCard ? ' nonCard' : ''}`);
    payers[id] = { ...payer, setBy: request.by, setAt: at };
  }
  // One account is one holder at one bank (the writer refuses a file that says otherwise).
  const holders = new Map<string, [string, { name: string; bank: string }]>();
  for (const [id, payer] of Object.entries(payers)) {
    const first = holders.get(payer.account);
    if (!first) holders.set(payer.account, [id, payer]);
    else if (first[1].name !== payer.name || first[1].bank !== payer.bank) {
      throw new ExportError(
        'INVALID_PAYER_ACCOUNT',
        `${first[0]} 与 ${id} 的付款账户相同，但户名/开户行不同（“${first[1].name} ${first[1].bank}”与“${payer.name} ${payer.bank}”）| ` +
          `${first[0]} and ${id} pay from the same account under different holders or banks ("${first[1].name} ${first[1].bank}" and "${payer.name} ${payer.bank}")`,
      );
    }
  }
  // The format's choice stays as it was (its updatedBy/updatedAt too); the revision guards both.
  const next: CommunitySettings = { ...current, revision: current.revision + 1 };
  const ids = [...(request.remove ?? []), ...Object.keys(request.set ?? {})];
  await repos.audit.append(
    request.communityId,
    {
      actor: request.by,
      action: 'settings.payer-account',
      subject: `payer accounts ${ids.length === 1 ? ids[0] : `(${ids.length})`}`,
      // Masked: the audit trail never holds a full account.
      details: { institutions: auditList(ids), changes: auditList(changes, '; ') },
    },
    [settings.putItem(current, next), ...settings.payerShardItems(request.communityId, payers, ids)],
  );
  return payers;
}
