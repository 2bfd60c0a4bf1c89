/**
 * Pay sheets and bank-transfer lines from a cycle's stored results (DOMAIN.md §8). Pure: the sheets are
 * handed to shared/export (paySheetCsv / paySheetXlsx / bankTransferCsv / bankTransferXlsx) to format.
 *
 * Every sheet line of a cycle — monthly gross, quarterly surplus, annual bonus, leader salary — is one
 * person's pay, and its `gross` is what the bank pays. A bank file never silently drops anyone: a line
 * the bank cannot pay (no account on file, a negative net) is handed back as `notTransferred` for HR.
 */
import { formatYuan } from '../domain/money.js';
import type { BankTransferLine, PaySheet, PaySheetKind, PaySheetLine } from '../export/index.js';
import type { Staff } from '../schemas/dataset.js';
import { cycleSource, lineageText, nameOf } from './common.js';
import type { AnnualCycleData, DatasetContext, MonthlyCycleData, QuarterlyCycleData } from './sources.js';

function sheetLine(
  dataset: DatasetContext,
  staffOf: ReadonlyMap<string, Staff>,
  period: string,
  institutionId: string,
  staffId: string,
  amounts: Partial<Omit<PaySheetLine, 'gross'>> & { gross?: number },
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
    gross: amounts.gross ?? a.basic + a.reward + a.quarterlySurplus + a.annualBonus + a.adjustment,
  };
}

const staffMap = (dataset: DatasetContext) => new Map(dataset.staff.map((s) => [s.staffId, s]));

function sheet(
  kind: PaySheetKind,
  period: string,
  dataset: DatasetContext,
  lineage: string,
  lines: PaySheetLine[],
): PaySheet {
  return { kind, period, communityName: dataset.scheme.community.name, lineage, lines };
}

export function monthlyPaySheet(data: MonthlyCycleData): PaySheet {
  const { cycle, dataset } = data;
  const staff = staffMap(dataset);
  return sheet(
    'monthly',
    cycle.period,
    dataset,
    lineageText(cycleSource(cycle, dataset)),
    data.results.flatMap((r) =>
      r.lines.map((l) =>
        sheetLine(dataset, staff, cycle.period, r.institutionId, l.staffId, {
          basic: l.basic,
          reward: l.reward,
          adjustment: l.adjustment,
          gross: l.gross,
        }),
      ),
    ),
  );
}

export function quarterlyPaySheet(data: QuarterlyCycleData): PaySheet {
  const { cycle, dataset } = data;
  const staff = staffMap(dataset);
  return sheet(
    'quarterly',
    cycle.period,
    dataset,
    lineageText(cycleSource(cycle, dataset)),
    data.allocations.flatMap((a) =>
      a.lines.map((l) =>
        sheetLine(dataset, staff, cycle.period, a.institutionId, l.staffId, { quarterlySurplus: l.amount }),
      ),
    ),
  );
}

export function annualPaySheet(data: AnnualCycleData): PaySheet {
  const { cycle, dataset } = data;
  const staff = staffMap(dataset);
  return sheet(
    'annual',
    cycle.period,
    dataset,
    lineageText(cycleSource(cycle, dataset)),
    data.allocations.flatMap((a) =>
      a.lines.map((l) =>
        sheetLine(dataset, staff, cycle.period, a.institutionId, l.staffId, { annualBonus: l.amount }),
      ),
    ),
  );
}

/** Leader salaries (院长年薪), in the annual-pay column as on the CSV written with the year's results. */
export function leadersPaySheet(data: AnnualCycleData): PaySheet {
  const { cycle, dataset } = data;
  const staff = staffMap(dataset);
  return sheet(
    'leaders',
    cycle.period,
    dataset,
    lineageText(cycleSource(cycle, dataset)),
    data.settlement.leaders.map((l) =>
      sheetLine(dataset, staff, cycle.period, l.institutionId, l.staffId, { annualBonus: l.salary }),
    ),
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
      gross: formatYuan(l.gross),
    }));
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
    if (entry) entry.amount += line.gross;
    else merged.set(line.staffId, { name: line.name, institutionId: line.institutionId, amount: line.gross });
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
