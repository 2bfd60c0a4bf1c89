/**
 * Bulky immutable parts (rosters, a month's rows) are stored as one JSON string attribute: far fewer
 * items and bytes than one attribute per field, and no marshalling cost per row.
 */
import { createHash } from 'node:crypto';

export const encode = (value: unknown): string => JSON.stringify(value);
export const decode = <T>(data: unknown): T => JSON.parse(String(data)) as T;

/** A short content hash (64 bits of SHA-256) — enough to notice that a locked month's rows changed. */
export function contentHash(value: unknown): string {
  return hashOfEncoded(JSON.stringify(value));
}

/** `contentHash` of a value from its `encode`d text (the same JSON), without encoding it again. */
export function hashOfEncoded(text: string): string {
  return fullHashOfEncoded(text).slice(0, 16);
}

/** The whole SHA-256 of an encoded value: the name of content-addressed data, where a collision must not happen. */
export function fullHashOfEncoded(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function pages<T>(rows: readonly T[], size: number): T[][] {
  if (rows.length === 0) return [[]];
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
