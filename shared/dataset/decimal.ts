/**
 * Exact decimal text: lexing, the canonical string the Dataset schema stores, comparisons and yuan → fen.
 * Nothing here goes through a binary float, so "1234.565" is seen as three decimals, not rounded away.
 */
import { Problem } from './errors.js';

interface DecimalParts {
  negative: boolean;
  /** Integer digits without leading zeros ("0" for none). */
  int: string;
  /** Fraction digits exactly as written, trailing zeros kept. */
  frac: string;
}

// Digits with an optional sign and point; no exponents, separators or currency signs (those are typos here).
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;

function lex(text: string): DecimalParts | undefined {
  const match = DECIMAL_TEXT.exec(text.trim());
  if (!match) return undefined;
  const [, sign, int = '', frac = ''] = match;
  if (int === '' && frac === '') return undefined;
  return { negative: sign === '-', int: int.replace(/^0+/, '') || '0', frac };
}

function canonical({ negative, int, frac }: DecimalParts): string {
  const zero = /^0*$/.test(int + frac);
  return `${negative && !zero ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** "007.50" → "7.50", "+.5" → "0.5", "-0" → "0"; undefined when the text is not a plain decimal. */
export function canonicalDecimal(text: string): string | undefined {
  const parts = lex(text);
  return parts && canonical(parts);
}

/**
 * A JSON number as the decimal the author wrote: 1.10 → "1.1", 1e-7 → "0.0000001". JSON.parse already
 * kept the shortest round-trip form, so only exponent notation needs expanding.
 */
export function numberToDecimal(value: number): string {
  const text = String(value);
  const [mantissa = '', exponentText] = text.split('e');
  if (exponentText === undefined) return canonicalDecimal(text)!;
  const negative = mantissa.startsWith('-');
  const [int = '', frac = ''] = mantissa.replace('-', '').split('.');
  const digits = int + frac;
  const point = int.length + Number(exponentText);
  let plain: string;
  if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) plain = digits + '0'.repeat(point - digits.length);
  else plain = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return canonicalDecimal(`${negative ? '-' : ''}${plain}`)!;
}

function compareMagnitude(a: DecimalParts, b: DecimalParts): number {
  // Without leading zeros, a longer integer part is larger; then digits compare as text.
  if (a.int.length !== b.int.length) return a.int.length < b.int.length ? -1 : 1;
  const width = Math.max(a.frac.length, b.frac.length);
  const x = a.int + a.frac.padEnd(width, '0');
  const y = b.int + b.frac.padEnd(width, '0');
  return x === y ? 0 : x < y ? -1 : 1;
}

/**
 * Exact comparison of two decimal texts (-1, 0, 1). Done on the digits rather than with a rational type:
 * it runs several times per row, and the digits already say everything.
 */
export function compareDecimal(a: string, b: string): number {
  const x = lex(a);
  const y = lex(b);
  if (!x || !y) throw new Error(`compareDecimal: not decimals: ${a}, ${b}`);
  const signX = /[1-9]/.test(x.int + x.frac) ? (x.negative ? -1 : 1) : 0;
  const signY = /[1-9]/.test(y.int + y.frac) ? (y.negative ? -1 : 1) : 0;
  if (signX !== signY) return signX < signY ? -1 : 1;
  return signX * compareMagnitude(x, y);
}

/** Inclusive bounds unless `minExclusive`; all as decimal strings. */
export interface Bounds {
  min?: string;
  minExclusive?: boolean;
  max?: string;
}

function withinBounds(value: string, { min, minExclusive, max }: Bounds): boolean {
  if (min !== undefined) {
    const c = compareDecimal(value, min);
    if (c < 0 || (minExclusive && c === 0)) return false;
  }
  return max === undefined || compareDecimal(value, max) <= 0;
}

/** The bound as a sentence fragment in both languages, e.g. "须大于 0" / "must be greater than 0". */
function describeBounds({ min, minExclusive, max }: Bounds): { zh: string; en: string } {
  if (min !== undefined && max !== undefined) {
    return minExclusive
      ? { zh: `须大于 ${min} 且不大于 ${max}`, en: `must be greater than ${min} and at most ${max}` }
      : { zh: `须在 ${min} 到 ${max} 之间（含）`, en: `must be between ${min} and ${max} inclusive` };
  }
  if (min !== undefined) {
    if (minExclusive) return { zh: `须大于 ${min}`, en: `must be greater than ${min}` };
    return min === '0'
      ? { zh: '不能为负数', en: 'must not be negative' }
      : { zh: `须不小于 ${min}`, en: `must be at least ${min}` };
  }
  if (max !== undefined) return { zh: `须不大于 ${max}`, en: `must be at most ${max}` };
  return { zh: '', en: '' };
}

/** Parses a decimal and checks its bounds; the canonical string or the problem to report. */
export function parseDecimal(text: string, bounds: Bounds = {}): string | Problem {
  const value = canonicalDecimal(text);
  if (value === undefined) {
    return new Problem(
      'decimal.format',
      '不是有效的数字：只能包含数字、可选的负号和小数点（不要用千分位、百分号或科学计数法）',
      'not a number: use digits with an optional minus sign and decimal point (no thousands separators, % or exponents)',
    );
  }
  if (!withinBounds(value, bounds)) {
    const { zh, en } = describeBounds(bounds);
    return new Problem('decimal.range', `数值${zh}`, `the value ${en}`);
  }
  return value;
}

/**
 * Yuan with at most 2 decimals → integer fen. Zeros beyond the second decimal ("12.500") are accepted: they
 * change nothing. Anything that would need rounding is refused, because rounding money silently is wrong.
 */
export function parseYuan(text: string, { signed }: { signed: boolean }): number | Problem {
  const parts = lex(text);
  if (!parts) {
    return new Problem(
      'amount.format',
      '不是有效的金额：金额以元为单位，只写数字和小数点，如 1234.56（不要写千分位、货币符号或文字）',
      'not an amount: write yuan as digits with a decimal point, e.g. 1234.56 (no thousands separators, currency signs or words)',
    );
  }
  if (/[^0]/.test(parts.frac.slice(2))) {
    return new Problem(
      'amount.decimals',
      '金额最多保留 2 位小数（到分），请先在表格中四舍五入到分',
      'an amount may have at most 2 decimals (fen); round it to the fen in the spreadsheet first',
    );
  }
  const fen = BigInt(parts.int + parts.frac.slice(0, 2).padEnd(2, '0'));
  if (parts.negative && fen !== 0n && !signed) {
    return new Problem('amount.negative', '金额不能为负数', 'the amount must not be negative');
  }
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) {
    return new Problem('amount.range', '金额过大，超出可处理范围', 'the amount is too large to process');
  }
  return parts.negative && fen !== 0n ? -Number(fen) : Number(fen);
}

/** Integer fen as yuan with 2 decimals, for messages ("123456.78"). */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
