/**
 * Field schemas for scheme.json. Decimals may be JSON numbers or strings (DOMAIN.md §2) and come out as
 * exact decimal strings; unknown keys are errors with a "did you mean", like unknown CSV columns.
 */
import { z } from 'zod';
import { id as idText } from './cells.js';
import { didYouMean } from './closest.js';
import { type Bounds, numberToDecimal, parseDecimal, parseYuan } from './decimal.js';
import { isProblem, Problem } from './errors.js';

const wrongType = (zh: string, en: string) =>
  new Problem('json.type', `类型错误，应为${zh}`, `wrong type: expected ${en}`);

/** A field read by a conversion of the raw JSON value; a missing field is reported as such. */
function jsonValue<T>(convert: (value: unknown) => T | Problem): z.ZodType<T, unknown> {
  return z.unknown().transform((value, ctx) => {
    const result =
      value === undefined
        ? new Problem('json.required', '缺少此字段', 'this field is missing')
        : convert(value);
    if (!isProblem(result)) return result;
    ctx.addIssue({ code: 'custom', message: result.en, params: { problem: result } });
    return z.NEVER;
  });
}

/** Number or numeric string → its decimal text, undefined for any other type. */
const decimalText = (value: unknown): string | undefined =>
  typeof value === 'number' ? numberToDecimal(value) : typeof value === 'string' ? value : undefined;

export const jsonDecimal = (bounds: Bounds = {}) =>
  jsonValue((value) => {
    const text = decimalText(value);
    return text === undefined ? wrongType('数字', 'a number') : parseDecimal(text, bounds);
  });

export const jsonNullableDecimal = (bounds: Bounds = {}) =>
  jsonValue((value) => {
    if (value === null) return null;
    const text = decimalText(value);
    return text === undefined ? wrongType('数字或 null', 'a number or null') : parseDecimal(text, bounds);
  });

/** Yuan (number or string, at most 2 decimals) → integer fen. */
export const jsonYuan = () =>
  jsonValue((value) => {
    const text = decimalText(value);
    return text === undefined ? wrongType('金额', 'an amount') : parseYuan(text, { signed: false });
  });

export const jsonInteger = ({ min, max }: { min: number; max?: number }) =>
  jsonValue((value) => {
    const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isSafeInteger(number))
      return wrongType('整数', 'a whole number');
    if (number < min || (max !== undefined && number > max)) {
      const range =
        max === undefined
          ? { zh: `不小于 ${min}`, en: `at least ${min}` }
          : { zh: `在 ${min} 到 ${max} 之间`, en: `between ${min} and ${max}` };
      return new Problem('integer.range', `须${range.zh}`, `must be ${range.en}`);
    }
    return number;
  });

/** Non-blank text kept verbatim. */
export const jsonText = () =>
  jsonValue((value) => {
    if (typeof value !== 'string') return wrongType('字符串', 'a string');
    return value.trim() === '' ? new Problem('value.required', '不能为空', 'must not be empty') : value;
  });

export const jsonId = () =>
  jsonValue((value) => (typeof value === 'string' ? idText(value) : wrongType('字符串', 'a string')));

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An object whose unknown keys are errors (a misspelt key would otherwise silently fall back to nothing). */
export function jsonObject<S extends Record<string, z.ZodType>>(shape: S) {
  const known = Object.keys(shape);
  return z
    .looseObject(shape)
    .superRefine(
      (value, ctx) => {
        for (const key of Object.keys(value)) {
          if (known.includes(key)) continue;
          const hint = didYouMean(key, known);
          const problem = new Problem(
            'json.unknownKey',
            `未知的字段${hint.zh}（可用字段：${known.join(', ')}）`,
            `unknown field${hint.en} (known fields: ${known.join(', ')})`,
          );
          ctx.addIssue({ code: 'custom', message: problem.en, path: [key], params: { problem } });
        }
      },
      // Runs even when a field failed, so a typo is reported together with the field it left missing.
      { when: (payload) => isRecord(payload.value) },
    )
    .transform(
      // An optional field left out stays out (no key holding undefined).
      (value) =>
        Object.fromEntries(
          known.filter((key) => value[key] !== undefined).map((key) => [key, value[key]]),
        ) as z.output<z.ZodObject<S>>,
    );
}

/** One of a fixed list of strings (an enum field of scheme.json). */
export const jsonOneOf = <T extends string>(allowed: readonly T[]) =>
  jsonValue((value) =>
    typeof value === 'string' && (allowed as readonly string[]).includes(value)
      ? (value as T)
      : new Problem('enum.value', `须为 ${allowed.join(' / ')} 之一`, `must be one of ${allowed.join(', ')}`),
  );
