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
  /** Some digit is not 0. */
  nonZero: boolean;
  /** The canonical string (see `canonical`). */
  text: string;
}

// Digits with an optional sign and point; no exponents, separators or currency signs (those are typos
// here). Read by hand rather than with /^([+-]?)(\d*)(?:\.(\d*))?$/: it runs for every number cell.
const ZERO = 48;
const isDigit = (code: number) => code >= ZERO && code <= 57;

function lex(raw: string): DecimalParts | undefined {
  const text = raw.trim();
  const n = text.length;
  const first = text.charCodeAt(0);
  const signed = first === 45 /* - */ || first === 43; /* + */
  let i = signed ? 1 : 0;
  const intStart = i;
  let lead = -1; // index of the first non-zero integer digit
  let nonZero = false;
  for (; i < n; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) break;
    if (code !== ZERO && lead < 0) lead = i;
  }
  const intEnd = i;
  let fracStart = i;
  const point = i < n && text.charCodeAt(i) === 46; /* . */
  if (point) {
    fracStart = ++i;
    for (; i < n; i++) {
      const code = text.charCodeAt(i);
      if (!isDigit(code)) break;
      if (code !== ZERO) nonZero = true;
    }
  }
  if (i !== n || (intEnd === intStart && i === fracStart)) return undefined;
  nonZero ||= lead >= 0;
  const negative = first === 45;
  const int = lead < 0 ? '0' : text.slice(lead, intEnd);
  const frac = text.slice(fracStart, i);
  // Already canonical (the usual case): keep the cell's own string rather than building an equal one.
  const asWritten =
    (!signed || (negative && nonZero)) &&
    (lead === intStart || (lead < 0 && intEnd - intStart === 1)) &&
    !(point && frac === '');
  const canonical = asWritten ? text : `${negative && nonZero ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
  return { negative, int, frac, nonZero, text: canonical };
}

/** "007.50" → "7.50", "+.5" → "0.5", "-0" → "0"; undefined when the text is not a plain decimal. */
export function canonicalDecimal(text: string): string | undefined {
  return lex(text)?.text;
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
  if (a.int !== b.int) return a.int < b.int ? -1 : 1;
  const width = Math.max(a.frac.length, b.frac.length);
  const x = a.frac.padEnd(width, '0');
  const y = b.frac.padEnd(width, '0');
  return x === y ? 0 : x < y ? -1 : 1;
}

const signOf = (x: DecimalParts) => (x.nonZero ? (x.negative ? -1 : 1) : 0);

function compareParts(x: DecimalParts, y: DecimalParts): number {
  const signX = signOf(x);
  const signY = signOf(y);
  if (signX !== signY) return signX < signY ? -1 : 1;
  return signX * compareMagnitude(x, y);
}

/**
 * Exact comparison of two decimal texts (-1, 0, 1). Done on the digits rather than with a rational type:
 * it runs several times per row, and the digits already say everything.
 */
export function compareDecimal(a: string, b: string): number {
  const x = lex(a);
  const y = lex(b);
  if (!x || !y) throw new Error(`compareDecimal: not decimals: ${a}, ${b}`);
  return compareParts(x, y);
}

/** Inclusive bounds unless `minExclusive`; all as decimal strings. */
export interface Bounds {
  min?: string;
  minExclusive?: boolean;
  max?: string;
}

/** The bounds as a test of lexed parts; the bound texts are read once, not once per cell. */
function boundsTest({ min, minExclusive, max }: Bounds): (value: DecimalParts) => boolean {
  const lower = min === undefined ? undefined : lex(min);
  const upper = max === undefined ? undefined : lex(max);
  if (min !== undefined && !lower) throw new Error(`compareDecimal: not decimals: ${min}`);
  if (max !== undefined && !upper) throw new Error(`compareDecimal: not decimals: ${max}`);
  return (value) => {
    if (lower) {
      const c = compareParts(value, lower);
      if (c < 0 || (minExclusive && c === 0)) return false;
    }
    return upper === undefined || compareParts(value, upper) <= 0;
  };
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

const notADecimal = () =>
  new Problem(
    'decimal.format',
    '不是有效的数字：只能包含数字、可选的负号和小数点（不要用千分位、百分号或科学计数法）',
    'not a number: use digits with an optional minus sign and decimal point (no thousands separators, % or exponents)',
  );

/** A parser of decimals within fixed bounds: the canonical string or the problem to report. */
export function decimalParser(bounds: Bounds = {}): (text: string) => string | Problem {
  const within = boundsTest(bounds);
  return (text) => {
    const parts = lex(text);
    if (parts === undefined) return notADecimal();
    if (!within(parts)) {
      const { zh, en } = describeBounds(bounds);
      return new Problem('decimal.range', `数值${zh}`, `the value ${en}`);
    }
    return parts.text;
  };
}

/**
 * The quick answer of `decimalParser(bounds)` for the cells nearly every file has — a plain non-negative
 * decimal already canonical (/^(0|[1-9][0-9]*)(\.[0-9]+)?$/: no sign, space or leading zero, no bare point)
 * whose bounds are decided without lexing: the cell itself. Undefined for anything else (the parser then
 * answers, as it always did): a workload row's four numbers cost a map lookup each before (issue 17).
 */
export function plainDecimalWithin({ min, minExclusive, max }: Bounds): (text: string) => string | undefined {
  const lower = min === undefined ? undefined : lex(min);
  const upper = max === undefined ? undefined : lex(max);
  // Decided here only against a lower bound of 0 (any plain decimal is at least 0; above it, when
  // exclusive, unless all its digits are 0) and an upper one that is positive, by the integer digits' count.
  if (lower?.nonZero) return () => undefined;
  if (upper && (!upper.nonZero || upper.negative)) return () => undefined;
  const exclusiveZero = lower !== undefined && minExclusive === true;
  const upperDigits = upper ? upper.int.length : Number.POSITIVE_INFINITY;
  const upperWhole = upper ? upper.int !== '0' : true;
  return (text) => {
    const n = text.length;
    if (n === 0) return undefined;
    let code = text.charCodeAt(0);
    if (code < 48 || code > 57) return undefined;
    let nonZero = code !== 48;
    let i = 1;
    if (!nonZero && n > 1 && text.charCodeAt(1) !== 46) return undefined; // a leading zero
    for (; i < n; i++) {
      code = text.charCodeAt(i);
      if (code < 48 || code > 57) break;
      if (code !== 48) nonZero = true;
    }
    const intDigits = i;
    if (i < n) {
      if (code !== 46 || i === n - 1) return undefined; // not a point, or a bare one at the end
      for (i++; i < n; i++) {
        code = text.charCodeAt(i);
        if (code < 48 || code > 57) return undefined;
        if (code !== 48) nonZero = true;
      }
    }
    if (exclusiveZero && !nonZero) return undefined;
    // Fewer integer digits than a positive whole upper bound (no leading zeros either side): below it.
    if (upper && !(upperWhole && intDigits < upperDigits)) return undefined;
    return text;
  };
}

/** Parses a decimal and checks its bounds; the canonical string or the problem to report. */
export function parseDecimal(text: string, bounds: Bounds = {}): string | Problem {
  return decimalParser(bounds)(text);
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
  const digits = parts.int + parts.frac.slice(0, 2).padEnd(2, '0');
  // Up to 15 digits a Number holds the integer exactly; longer ones may pass MAX_SAFE_INTEGER.
  const fen = digits.length <= 15 ? Number(digits) : BigInt(digits);
  if (parts.negative && fen !== 0 && fen !== 0n && !signed) {
    return new Problem('amount.negative', '金额不能为负数', 'the amount must not be negative');
  }
  if (fen > Number.MAX_SAFE_INTEGER) {
    return new Problem('amount.range', '金额过大，超出可处理范围', 'the amount is too large to process');
  }
  return parts.negative && fen !== 0 && fen !== 0n ? -Number(fen) : Number(fen);
}

/** Integer fen as yuan with 2 decimals, for messages ("123456.78"). */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
