/**
 * Pay sheets and bank-transfer lines from a cycle's stored results (DOMAIN.md §8). Pure: the sheets are
 * handed to shared/export (paySheetCsv / paySheetXlsx / bankTransferCsv / bankTransferXlsx) to format.
 *
 * Every sheet line of a cycle — monthly gross, quarterly surplus, annual bonus, leader salary — is one
 * person's pay, and its `gross` is what the bank pays. A bank file never silently drops anyone: a line
 * the bank cannot pay (no account on file, a negative net) is handed back as `notTransferred` for HR.
 */
import { formatYuan } from '../domain/money.js';
import { bilingual } from '../errors.js';
import { ExportError } from '../export/errors.js';
import type { BankTransferLine, PaySheet, PaySheetKind, PaySheetLine } from '../export/index.js';
import type { Deduction, Staff } from '../schemas/dataset.js';
import type { PoolAllocation } from '../schemas/results.js';
import type { CycleRecord } from '../store/cycles.js';
import { cycleSource, lineageText, nameOf } from './common.js';
import type { AnnualCycleData, DatasetContext, MonthlyCycleData, QuarterlyCycleData } from './sources.js';

type Amounts = Partial<Omit<PaySheetLine, 'gross'>> & { gross?: number };

/** One person's pay in a cycle: the columns it fills (gross, when not given, is their sum). */
interface Pay {
  institutionId: string;
  staffId: string;
  amounts: Amounts;
}

function sheetLine(
  dataset: DatasetContext,
  staffOf: ReadonlyMap<string, Staff>,
  period: string,
  { institutionId, staffId, amounts }: Pay,
): PaySheetLine {
  const person = staffOf.get(staffId);
  const a = { basic: 0, reward: 0, quarterlySurplus: 0, annualBonus: 0, adjustment: 0, ...amounts };
  return {
    period,
    institutionId,
    institutionName: nameOf(dataset, institutionId),
    department: person?.department ?? '',
    staffId,
    name: person?.name ?? staffId,
    post: person?.post ?? '',
    basic: a.basic,
    reward: a.reward,
    quarterlySurplus: a.quarterlySurplus,
    annualBonus: a.annualBonus,
    adjustment: a.adjustment,
    // §9.6: the v2 columns only where the cycle's lines carry them.
    ...(amounts.allowance === undefined ? {} : { allowance: amounts.allowance }),
    ...(amounts.fiscalTopUp === undefined ? {} : { fiscalTopUp: amounts.fiscalTopUp }),
    gross: amounts.gross ?? a.basic + a.reward + a.quarterlySurplus + a.annualBonus + a.adjustment,
  };
}

/** A cycle's sheet of `kind`: a line per pay, people named from the dataset version the cycle used. */
function cycleSheet(
  kind: PaySheetKind,
  { cycle, dataset }: { cycle: CycleRecord; dataset: DatasetContext },
  pay: Pay[],
): PaySheet {
  const staff = new Map(dataset.staff.map((s) => [s.staffId, s]));
  return {
    kind,
    period: cycle.period,
    communityName: dataset.scheme.community.name,
    lineage: lineageText(cycleSource(cycle, dataset)),
    lines: pay.map((p) => sheetLine(dataset, staff, cycle.period, p)),
  };
}

/** What a pool allocated to each person, in the sheet's `column`. */
const allocated = (allocations: PoolAllocation[], column: 'quarterlySurplus' | 'annualBonus'): Pay[] =>
  allocations.flatMap((a) =>
    a.lines.map((l) => ({
      institutionId: a.institutionId,
      staffId: l.staffId,
      amounts: { [column]: l.amount },
    })),
  );

export function monthlyPaySheet(data: MonthlyCycleData): PaySheet {
  return cycleSheet(
    'monthly',
    data,
    data.results.flatMap((r) =>
      r.lines.map((l) => ({
        institutionId: r.institutionId,
        staffId: l.staffId,
        amounts: {
          basic: l.basic,
          reward: l.reward,
          adjustment: l.adjustment,
          ...(l.allowance === undefined ? {} : { allowance: l.allowance }),
          ...(l.fiscalTopUp === undefined ? {} : { fiscalTopUp: l.fiscalTopUp }),
          gross: l.gross,
        },
      })),
    ),
  );
}

export function quarterlyPaySheet(data: QuarterlyCycleData): PaySheet {
  return cycleSheet('quarterly', data, allocated(data.allocations, 'quarterlySurplus'));
}

export function annualPaySheet(data: AnnualCycleData): PaySheet {
  return cycleSheet('annual', data, allocated(data.allocations, 'annualBonus'));
}

/** Leader salaries (院长年薪), in the annual-pay column as on the CSV written with the year's results. */
export function leadersPaySheet(data: AnnualCycleData): PaySheet {
  return cycleSheet(
    'leaders',
    data,
    data.settlement.leaders.map((l) => ({
      institutionId: l.institutionId,
      staffId: l.staffId,
      amounts: { annualBonus: l.salary },
    })),
  );
}

/** The §8 pay-sheet JSON: every column, amounts as yuan strings with 2 decimals, sorted like the sheets. */
export function paySheetJson(sheet: PaySheet) {
  return [...sheet.lines]
    .sort((a, b) =>
      a.institutionId < b.institutionId
        ? -1
        : a.institutionId > b.institutionId
          ? 1
          : a.staffId < b.staffId
            ? -1
            : a.staffId > b.staffId
              ? 1
              : 0,
    )
    .map((l) => ({
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
      ...(l.allowance === undefined ? {} : { allowance: formatYuan(l.allowance) }),
      ...(l.fiscalTopUp === undefined ? {} : { fiscalTopUp: formatYuan(l.fiscalTopUp) }),
      gross: formatYuan(l.gross),
      // Issue 16: only on a month with deductions (a sheet without them keeps exactly its keys).
      ...(l.deductions === undefined ? {} : { deductions: formatYuan(l.deductions) }),
      ...(l.net === undefined ? {} : { net: formatYuan(l.net) }),
    }));
}

/**
 * The sheet with the withholding of deductions.csv (issue 16): 代扣合计 and 实发合计 (gross − deductions)
 * on every line when the month has deductions, and the sheet as it was when it has none. A person's
 * deductions go on their first line. Deductions above a person's gross of the month — known only now the
 * month has run — refuse the sheet (and so its bank file), naming each person and the month: withholding
 * more than is paid cannot be settled by a transfer.
 */
export function withDeductions(sheet: PaySheet, deductions: readonly Deduction[] | undefined): PaySheet {
  const withheld = new Map<string, number>();
  for (const d of deductions ?? []) {
    if (d.period === sheet.period) withheld.set(d.staffId, (withheld.get(d.staffId) ?? 0) + d.amount);
  }
  if (withheld.size === 0) return sheet;
  const gross = new Map<string, number>();
  for (const line of sheet.lines) gross.set(line.staffId, (gross.get(line.staffId) ?? 0) + line.gross);
  const over = [...withheld]
    .filter(([staffId, amount]) => amount > (gross.get(staffId) ?? 0))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (over.length > 0) {
    const shown = over.slice(0, 5);
    const more = over.length - shown.length;
    const zh = shown.map(
      ([id, amount]) =>
        `工号 ${id} 代扣 ${formatYuan(amount)} 元 > 应发 ${formatYuan(gross.get(id) ?? 0)} 元`,
    );
    const en = shown.map(
      ([id, amount]) =>
        `staff ${id} withholds ${formatYuan(amount)} > gross ${formatYuan(gross.get(id) ?? 0)}`,
    );
    throw new ExportError(
      'DEDUCTIONS_EXCEED_GROSS',
      bilingual(
        `${sheet.period} 的 deductions.csv 代扣超过当月应发：${zh.join('；')}${more > 0 ? `；另有 ${more} 人` : ''}。请更正 deductions.csv 后重新导入`,
        `the deductions of ${sheet.period} (deductions.csv) exceed the month's gross: ${en.join('; ')}${more > 0 ? `; and ${more} more` : ''}. Correct deductions.csv and import it again`,
      ),
    );
  }
  const seen = new Set<string>();
  return {
    ...sheet,
    lines: sheet.lines.map((line) => {
      const amount = seen.has(line.staffId) ? 0 : (withheld.get(line.staffId) ?? 0);
      seen.add(line.staffId);
      return { ...line, deductions: amount, net: line.gross - amount };
    }),
  };
}

/** What bankTransferCsv/Xlsx accept; anything else would make the writer refuse the whole file. */
const BANK_ACCOUNT = /^\d{8,34}$/;

export interface NotTransferred {
  staffId: string;
  name: string;
  institutionId: string;
  amount: number;
  reason: 'no_bank_account' | 'invalid_bank_account' | 'negative_amount';
}

export interface BankTransfer {
  /** What the bank pays: one line per person with a positive amount and an account on file. */
  lines: BankTransferLine[];
  /** What HR has to settle another way; a line of zero needs no transfer and appears in neither list. */
  notTransferred: NotTransferred[];
}

export const NOT_TRANSFERRED_REASONS: Readonly<Record<NotTransferred['reason'], string>> = {
  no_bank_account: '无银行账号 no bank account on file',
  invalid_bank_account: '银行账号不是 8–34 位数字 bank account is not 8–34 digits',
  negative_amount: '应发为负 negative amount (recover outside the bank file)',
};

/**
 * The bank-transfer lines of a sheet, one per person (a person's lines are merged, so nobody is paid
 * twice), with the accounts of `staff` (the roster of the dataset version the cycle used).
 */
export function bankTransfer(sheet: PaySheet, staff: readonly Staff[]): BankTransfer {
  const accountOf = new Map(staff.map((s) => [s.staffId, s.bankAccount?.trim() ?? '']));
  const merged = new Map<string, { name: string; institutionId: string; amount: number }>();
  for (const line of sheet.lines) {
    const entry = merged.get(line.staffId);
    // Issue 16: the bank pays 实发 (net) where the month has deductions, 应发 (gross) otherwise.
    const amount = line.net ?? line.gross;
    if (entry) entry.amount += amount;
    else merged.set(line.staffId, { name: line.name, institutionId: line.institutionId, amount });
  }
  const lines: BankTransferLine[] = [];
  const notTransferred: NotTransferred[] = [];
  for (const [staffId, { name, institutionId, amount }] of [...merged].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    if (amount === 0) continue;
    const account = accountOf.get(staffId) ?? '';
    if (amount < 0) notTransferred.push({ staffId, name, institutionId, amount, reason: 'negative_amount' });
    else if (account === '')
      notTransferred.push({ staffId, name, institutionId, amount, reason: 'no_bank_account' });
    else if (!BANK_ACCOUNT.test(account))
      notTransferred.push({ staffId, name, institutionId, amount, reason: 'invalid_bank_account' });
    else lines.push({ staffId, name, bankAccount: account, amount });
  }
  return { lines, notTransferred };
}
