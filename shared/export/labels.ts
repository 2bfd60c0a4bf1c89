/** The Chinese wording of the outputs (DOMAIN.md §8), in one place so CSV and XLSX cannot drift. */
import type { Post } from '../schemas/dataset.js';
import type { AmountKey, PaySheet, PaySheetKind } from './types.js';

export const POST_LABELS: Readonly<Record<Post, string>> = {
  doctor: '医师',
  nurse: '护士',
  medtech: '医技',
  pharmacist: '药师',
  public_health: '公卫',
  admin: '行政',
  logistics: '后勤',
  village_doctor: '乡村医生',
};

/** A post code in Chinese; an unknown code is shown as it is rather than dropped. */
export function postLabel(post: string): string {
  return Object.hasOwn(POST_LABELS, post) ? POST_LABELS[post as Post] : post;
}

export const KIND_LABELS: Readonly<Record<PaySheetKind, string>> = {
  monthly: '月度绩效工资表',
  quarterly: '季度结余奖励表',
  annual: '年度考核奖励表',
  leaders: '负责人年薪表',
};

export const AMOUNT_COLUMNS: ReadonlyArray<readonly [AmountKey, string]> = [
  ['basic', '基础性绩效'],
  ['reward', '奖励性绩效'],
  ['quarterlySurplus', '季度结余奖励'],
  ['annualBonus', '年度考核奖励'],
  ['adjustment', '调整'],
  ['gross', '应发合计'],
];

export const AMOUNT_KEYS: readonly AmountKey[] = AMOUNT_COLUMNS.map(([key]) => key);

/** DOMAIN.md §9.6: the v2 columns, placed before 应发合计 on sheets whose lines carry them. */
export const V2_AMOUNT_COLUMNS: ReadonlyArray<readonly [AmountKey, string]> = [
  ['allowance', '补贴'],
  ['fiscalTopUp', '财政保底补足'],
];

/** Issue 16: withholding and what the bank pays, after 应发合计 on sheets of a month with deductions. */
export const NET_AMOUNT_COLUMNS: ReadonlyArray<readonly [AmountKey, string]> = [
  ['deductions', '代扣合计'],
  ['net', '实发合计'],
];

/**
 * The amount columns of one sheet: its kind's columns, plus 补贴 / 财政保底补足 when any line carries
 * them (a v1 sheet keeps exactly its v1 columns), and 代扣合计 / 实发合计 last when lines carry them.
 */
export function sheetAmountColumns(
  sheet: Pick<PaySheet, 'kind' | 'lines'>,
): ReadonlyArray<readonly [AmountKey, string]> {
  const carried = ([key]: readonly [AmountKey, string]) =>
    sheet.lines.some((line) => line[key] !== undefined);
  const extra = V2_AMOUNT_COLUMNS.filter(carried);
  const net = NET_AMOUNT_COLUMNS.filter(carried);
  const columns = amountColumns(sheet.kind);
  if (extra.length === 0 && net.length === 0) return columns;
  return [...columns.slice(0, -1), ...extra, columns.at(-1)!, ...net];
}

/**
 * The amount columns of one kind of sheet: the leaders' sheet carries 院长年薪 (county finance pays it) in
 * the annual column, and says so, rather than calling it 年度考核奖励.
 */
export function amountColumns(kind: PaySheetKind): ReadonlyArray<readonly [AmountKey, string]> {
  return kind === 'leaders'
    ? AMOUNT_COLUMNS.map(([key, label]) => [key, key === 'annualBonus' ? '院长年薪' : label] as const)
    : AMOUNT_COLUMNS;
}

export function paySheetHeaders(kind: PaySheetKind): string[] {
  return [...TEXT_HEADERS, ...amountColumns(kind).map(([, label]) => label)];
}

export const TEXT_HEADERS = ['期间', '机构编码', '机构名称', '科室', '工号', '姓名', '岗位'] as const;

export const PAY_SHEET_HEADERS: readonly string[] = [
  ...TEXT_HEADERS,
  ...AMOUNT_COLUMNS.map(([, label]) => label),
];

export const TOTAL_LABEL = '合计';
export const SUMMARY_SHEET_NAME = '汇总';
