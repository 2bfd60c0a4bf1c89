/**
 * Zod issue → Problem. Our own checks put their Problem in the issue's params; zod's built-in issues
 * (a JSON field of the wrong type, a missing object) get a bilingual wording here.
 */
import type { z } from 'zod';
import { isProblem, Problem } from './errors.js';

export type ZodIssue = z.core.$ZodIssue;

const TYPE_NAMES: Record<string, string> = {
  object: '对象 {…}',
  array: '数组 […]',
  string: '字符串',
  number: '数字',
  null: 'null',
};

/** `found` is the value at the issue's path in the input, to tell a missing field from a wrong one. */
export function problemOf(issue: ZodIssue, found: unknown): Problem {
  const own = issue.code === 'custom' ? issue.params?.problem : undefined;
  if (isProblem(own)) return own;
  if (found === undefined) return new Problem('json.required', '缺少此字段', 'this field is missing');
  if (issue.code === 'invalid_type') {
    const expected = String(issue.expected);
    return new Problem(
      'json.type',
      `类型错误，应为${TYPE_NAMES[expected] ?? expected}`,
      `wrong type: expected ${expected}`,
    );
  }
  if (issue.code === 'too_big' || issue.code === 'too_small') {
    return new Problem(
      'json.type',
      `元素个数不对：${issue.message}`,
      `wrong number of items: ${issue.message}`,
    );
  }
  return new Problem('json.type', `格式错误：${issue.message}`, `wrong shape: ${issue.message}`);
}

/** Reads the value at a zod path, or undefined where the input has none. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
