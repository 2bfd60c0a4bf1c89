/**
 * A completed cycle's pay sheet (DOMAIN.md §8) as CSV, XLSX or JSON, and HR's bank-transfer file from
 * the same lines. Only a completed cycle has a sheet: before finance approves, nothing is payable.
 */
import { allocations, annualResults, monthlyResults } from '../app/cycle-results.js';
import { formatYuan } from '../domain/money.js';
import { NotFoundError, ReviewStateError, bilingual } from '../errors.js';
import { type BankTransferLine, type PaySheet, type PaySheetKind, type PaySheetLine, bankTransferCsv, bankTransferXlsx, paySheetCsv, paySheetXlsx } from '../export/index.js';
import type { Institution, Staff } from '../schemas/dataset.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import type { CycleKind } from '../store/keys.js';
import { problem } from './http.js';
import { MIME } from './ports.js';

export const SHEET_KINDS = ['monthly', 'quarterly', 'annual', 'leaders'] as const satisfies readonly PaySheetKind[];
export const SHEET_FORMATS = ['csv', 'xlsx', 'json'] as const;
export type SheetFormat = (typeof SHEET_FORMATS)[number];

/** The cycle a sheet comes from: the leaders' salaries are settled by the annual cycle. */
export const cycleKindOf = (sheet: PaySheetKind): CycleKind => (sheet === 'leaders' ? 'annual' : sheet);

interface People {
  staff: Map<string, Staff>;
  institutions: Map<string, Institution>;
  communityName: string;
}

async function people(repos: Repositories, cycle: CycleRecord): Promise<People> {
  const { communityId: c, datasetVersion: v } = cycle;
  const [scheme, institutions] = await Promise.all([repos.datasets.scheme(c, v), repos.datasets.institutions(c, v)]);
  const rosters = await Promise.all(institutions.map((i) => repos.datasets.roster(c, v, i.id)));
  return {
    staff: new Map(rosters.flat().map((s) => [s.staffId, s])),
    institutions: new Map(institutions.map((i) => [i.id, i])),
    communityName: scheme.community.name,
  };
}

function line(p: People, period: string, institutionId: string, staffId: string, amounts: Partial<PaySheetLine>): PaySheetLine {
  const person = p.staff.get(staffId);
  const base = { basic: 0, reward: 0, quarterlySurplus: 0, annualBonus: 0, adjustment: 0, ...amounts };
  return {
    period,
    institutionId,
    institutionName: p.institutions.get(institutionId)?.name ?? institutionId,
    department: person?.department ?? '',
    staffId,
    name: person?.name ?? staffId,
    post: person?.post ?? '',
    ...base,
    gross: amounts.gross ?? base.basic + base.reward + base.quarterlySurplus + base.annualBonus + base.adjustment,
  };
}

export interface BuiltSheet {
  sheet: PaySheet;
  cycle: CycleRecord;
  people: People;
}

/** Loads the cycle behind a sheet and refuses one that has not completed. */
export async function completedCycle(repos: Repositories, communityId: string, kind: PaySheetKind, period: string): Promise<CycleRecord> {
  const cycleKind = cycleKindOf(kind);
  const cycle = await repos.cycles.get(communityId, cycleKind, period);
  if (!cycle) throw new NotFoundError(bilingual(`周期 ${cycleKind} ${period} 尚未运行`, `cycle ${cycleKind} ${period} has not been run`));
  if (cycle.status !== 'completed') {
    throw new ReviewStateError(
      bilingual(`周期 ${cycleKind} ${period} 当前为 ${cycle.status}，完成后才有工资表`, `cycle ${cycleKind} ${period} is ${cycle.status}; its pay sheet exists once it completes`),
    );
  }
  return cycle;
}

export async function buildSheet(repos: Repositories, communityId: string, kind: PaySheetKind, period: string): Promise<BuiltSheet> {
  const cycle = await completedCycle(repos, communityId, kind, period);
  const p = await people(repos, cycle);
  let lines: PaySheetLine[];
  if (kind === 'monthly') {
    const results = await monthlyResults(repos, cycle);
    lines = results.flatMap((r) =>
      r.lines.map((l) => line(p, period, r.institutionId, l.staffId, { basic: l.basic, reward: l.reward, adjustment: l.adjustment, gross: l.gross })),
    );
  } else if (kind === 'leaders') {
    const { settlement } = await annualResults(repos, cycle);
    lines = (settlement?.leaders ?? []).map((l) => line(p, period, l.institutionId, l.staffId, { annualBonus: l.salary }));
  } else {
    const key = kind === 'quarterly' ? 'quarterlySurplus' : 'annualBonus';
    const alloc = await allocations(repos, cycle);
    lines = alloc.flatMap((a) => a.lines.map((l) => line(p, period, a.institutionId, l.staffId, { [key]: l.amount })));
  }
  const sheet: PaySheet = {
    kind,
    period,
    communityName: p.communityName,
    lineage: `${cycle.kind} ${cycle.period} r${cycle.revision} · dataset v${cycle.datasetVersion}`,
    lines,
  };
  return { sheet, cycle, people: p };
}

const byInstitutionThenStaff = (a: PaySheetLine, b: PaySheetLine) =>
  a.institutionId === b.institutionId ? (a.staffId < b.staffId ? -1 : a.staffId > b.staffId ? 1 : 0) : a.institutionId < b.institutionId ? -1 : 1;

/** The JSON form of DOMAIN.md §8: amounts as yuan strings with two decimals. */
export function sheetJson(sheet: PaySheet) {
  return [...sheet.lines].sort(byInstitutionThenStaff).map((l) => ({
    period: l.period,
    institutionId: l.institutionId,
    institutionName: l.institutionName,
    department: l.department,
    staffId: l.staffId,
    name: l.name,
    post: l.post,
    basic: formatYuan(l.basic),
    reward: formatYuan(l.reward),
    quarterlySurplus: formatYuan(l.quarterlySurplus),
    annualBonus: formatYuan(l.annualBonus),
    adjustment: formatYuan(l.adjustment),
    gross: formatYuan(l.gross),
  }));
}

export async function encodeSheet(sheet: PaySheet, format: SheetFormat): Promise<{ bytes: Uint8Array | string; contentType: string; filename: string }> {
  const filename = `medcomm-paysheet-${sheet.kind}-${sheet.period}.${format}`;
  if (format === 'csv') return { bytes: paySheetCsv(sheet), contentType: MIME.csv, filename };
  if (format === 'xlsx') return { bytes: await paySheetXlsx(sheet), contentType: MIME.xlsx, filename };
  return { bytes: JSON.stringify(sheetJson(sheet), null, 1), contentType: MIME.json, filename };
}

/**
 * One transfer per person with money to receive. Everyone missing an account is named at once, so HR
 * can fix staff.csv in one pass rather than one error per download.
 */
export function bankLines(built: BuiltSheet): BankTransferLine[] {
  const payable = built.sheet.lines.filter((l) => l.gross !== 0);
  const missing = payable.filter((l) => !built.people.staff.get(l.staffId)?.bankAccount);
  if (missing.length > 0) {
    throw problem(
      422,
      `${missing.length} 人没有银行账号，请在 staff.csv 的 bankAccount 列补齐后重新导入 / ${missing.length} people have no bank account; fill the bankAccount column of staff.csv and import again`,
      missing.map((l) => ({ staffId: l.staffId, name: l.name, institutionId: l.institutionId, message: 'bankAccount missing' })),
    );
  }
  return payable.map((l) => ({ staffId: l.staffId, name: l.name, bankAccount: built.people.staff.get(l.staffId)!.bankAccount!, amount: l.gross }));
}

export async function encodeBankFile(built: BuiltSheet, format: 'csv' | 'xlsx') {
  const lines = bankLines(built);
  const { kind, period } = built.sheet;
  const filename = `medcomm-bank-${kind}-${period}.${format}`;
  const bytes = format === 'csv' ? bankTransferCsv(lines) : await bankTransferXlsx(lines, `银行代发 ${kind} ${period}`);
  return { bytes, contentType: MIME[format], filename, lines: lines.length, total: formatYuan(lines.reduce((a, l) => a + l.amount, 0)) };
}
