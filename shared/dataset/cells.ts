/**
 * One CSV cell → one typed value, as zod schemas whose issues carry the rule code and both messages.
 * Ids, numbers, enums and periods are trimmed (surrounding spaces are never meaningful there); free text
 * such as names is kept exactly as written — `<b>王</b>` and `=1+2` are valid names, escaping is the
 * output's job.
 */
import { z } from 'zod';
import { type Bounds, decimalParser, parseYuan, plainDecimalWithin } from './decimal.js';
import { isProblem, Problem } from './errors.js';
import { numberHint, periodHint } from './hints.js';

/** Text → value, or the problem with it. Receives the raw cell; an empty cell never reaches it. */
export type Convert<T> = (text: string) => T | Problem;

export interface Cell<T> {
  schema: z.ZodType<T, string | undefined>;
  /**
   * The conversion the schema runs, without zod: the value, or the problem the schema reports. The row
   * check's fast path calls it directly (shared/dataset/table.ts); both come from the same function.
   */
  read: (raw: string | undefined) => T | Problem;
  /** The column may be left out of the header: exactly the columns whose cells may be empty. */
  optional: boolean;
}

/** A cell from its conversion: the zod schema wraps the very same `read`. */
function cellOf<T>(optional: boolean, convert: (text: string) => T | Problem): Cell<T> {
  const read = (raw: string | undefined) => convert(raw ?? '');
  return { optional, read, schema: problemSchema(read) };
}

/** Wraps a conversion as a zod schema; the problem travels in the issue's params for the mapper. */
function problemSchema<T>(read: (raw: string | undefined) => T | Problem): z.ZodType<T, string | undefined> {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const result = read(raw);
      if (!isProblem(result)) return result;
      ctx.addIssue({ code: 'custom', message: result.en, params: { problem: result } });
      return z.NEVER;
    });
}

/** Empty or only white space (what `text.trim() === ''` says, without trimming printable text). */
function isBlank(text: string): boolean {
  const first = text.charCodeAt(0);
  if (first > 32 && first < 127) return false;
  return text.trim() === '';
}

const emptyCell = () => new Problem('value.required', '此处不能为空', 'this cell must not be empty');

export function required<T>(convert: Convert<T>): Cell<T> {
  return cellOf(false, (text) => (isBlank(text) ? emptyCell() : convert(text)));
}

export function optional<T>(convert: Convert<T>): Cell<T | undefined> {
  return cellOf(true, (text) => (isBlank(text) ? undefined : convert(text)));
}

/** Text that may be empty (department, English name, reason), kept verbatim. */
export const freeText = (): Cell<string> => cellOf(true, (text) => text);

/** Names are required but otherwise verbatim. */
export const name: Convert<string> = (text) => text;

// Ids become parts of storage keys and file names, where '#', '/' and spaces act as separators.
const ID = /^[\p{L}\p{N}_.-]{1,64}$/u;
// The same rule for plain ASCII ids (nearly all), /^[A-Za-z0-9_.-]{1,64}$/, is checked first by
// `isAsciiId` because it is cheaper.

/** /^[A-Za-z0-9_.-]{1,64}$/.test, by hand: it runs for every id cell (a city's workload has 420,000). */
function isAsciiId(text: string): boolean {
  const n = text.length;
  if (n < 1 || n > 64) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // 0-9, A-Z, a-z, '_', '.', '-'
    if (
      !(
        (c >= 48 && c <= 57) ||
        (c >= 65 && c <= 90) ||
        (c >= 97 && c <= 122) ||
        c === 95 ||
        c === 46 ||
        c === 45
      )
    )
      return false;
  }
  return true;
}

export const id: Convert<string> = (text) => {
  const trimmed = text.trim();
  return isAsciiId(trimmed) || ID.test(trimmed)
    ? trimmed
    : new Problem(
        'id.format',
        '编码只能包含字母、汉字、数字、下划线、连字符和点，最长 64 个字符（不能有空格、# 或 /）',
        'an id may contain only letters, digits, underscore, hyphen and dot, at most 64 characters (no spaces, # or /)',
      );
};

/** A conversion whose failures are renamed when the cell is a known spreadsheet or input-method mistake. */
const hinted =
  <T>(convert: Convert<T>, hint: (text: string) => Problem | undefined = numberHint): Convert<T> =>
  (text) => {
    const value = convert(text);
    return isProblem(value) && value.rule.endsWith('.format') ? (hint(text) ?? value) : value;
  };

/** Distinct short cells a column's conversion remembers (see `remembered`). */
const REMEMBERED = 4096;
/** Longer cells are not remembered: a substring that long may keep the whole text it was cut from alive. */
const REMEMBERED_LENGTH = 12;

/**
 * A conversion that reads each distinct short cell once: a workload's days, scores and periods repeat on
 * every row (issue 17: lexing them was a tenth of a city import's parse). Only values are kept, never a
 * problem, so every bad cell is reported as it always was.
 */
function remembered<T>(convert: Convert<T>): Convert<T> {
  const known = new Map<string, T>();
  // The last cell read and its value: a sorted file repeats the previous row's period (no lookup then).
  let lastText: string | undefined;
  let lastValue: T | undefined;
  return (text) => {
    if (text === lastText) return lastValue as T;
    const seen = known.get(text);
    if (seen !== undefined) {
      lastText = text;
      lastValue = seen;
      return seen;
    }
    const value = convert(text);
    if (!isProblem(value) && text.length <= REMEMBERED_LENGTH) {
      lastText = text;
      lastValue = value;
      if (known.size < REMEMBERED) known.set(text, value);
    }
    return value;
  };
}

export const decimal = (bounds: Bounds = {}): Convert<string> => {
  const slow = remembered(hinted(decimalParser(bounds)));
  const quick = plainDecimalWithin(bounds);
  return (text) => quick(text) ?? slow(text);
};

export const yuan = ({ signed }: { signed: boolean }): Convert<number> => {
  const options = { signed };
  return hinted((text) => parseYuan(text, options));
};

export const nonNegativeInteger: Convert<number> = hinted((text) => {
  const trimmed = text.trim();
  if (/^-\d+$/.test(trimmed)) return new Problem('integer.range', '不能为负数', 'must not be negative');
  const value = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(value)) {
    return new Problem('integer.format', '须为整数（只写数字）', 'must be a whole number (digits only)');
  }
  return value;
});

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export const month: Convert<string> = remembered(
  hinted((text) => {
    const trimmed = text.trim();
    return MONTH.test(trimmed)
      ? trimmed
      : new Problem(
          'period.format',
          '期间须写成 YYYY-MM，如 2026-03（Excel 可能把它改成日期：请把该列设为“文本”格式）',
          'the period must be YYYY-MM, e.g. 2026-03 (Excel may turn it into a date: format the column as Text)',
        );
  }, periodHint),
);

function notAllowed(value: string, allowed: readonly string[]): Problem {
  const list = allowed.join(', ');
  return new Problem(
    'enum.value',
    `不允许的值 "${value}"，可选值：${list}`,
    `"${value}" is not allowed; allowed values: ${list}`,
  );
}

export const oneOf =
  <V extends string>(allowed: readonly V[]): Convert<V> =>
  (text) => {
    const value = text.trim();
    return (allowed as readonly string[]).includes(value) ? (value as V) : notAllowed(value, allowed);
  };

/** `a;b;c` → a set of allowed values; empty items (a trailing `;`) are ignored. */
export const listOf =
  <V extends string>(allowed: readonly V[]): Convert<V[]> =>
  (text) => {
    const items = text
      .split(';')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    const values: V[] = [];
    for (const item of items) {
      if (!(allowed as readonly string[]).includes(item)) return notAllowed(item, allowed);
      if (values.includes(item as V)) {
        return new Problem('list.duplicate', `"${item}" 重复出现`, `"${item}" is listed twice`);
      }
      values.push(item as V);
    }
    return values;
  };

export const digitsOnly: Convert<string> = (text) =>
  /^\d+$/.test(text.trim())
    ? text.trim()
    : new Problem(
        'bankAccount.format',
        '银行账号只能包含数字（不要有空格或横线）',
        'a bank account may contain digits only (no spaces or dashes)',
      );

/** A `;`-separated subset that may be empty (staff flags): the column may be left out too. */
export const subsetOf = <V extends string>(allowed: readonly V[]): Cell<V[]> => cellOf(true, listOf(allowed));
