/**
 * A write guard records the digest of everything its institution's step writes (shared/store/results.ts);
 * a retried batch — perhaps by a later version of the code — must compute the very same digest, or the
 * retry is refused as different content. The digest is the SHA-256 of each item's
 * `${sk}\0${type}\0${institutionId}\0${data}\0\0` in order, whatever way the bytes are fed to the hash.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ResultWrite, writesDigest } from '../../../shared/store/results.js';

/** The definition, written as it first was: one joined string per item. */
function reference(items: readonly ResultWrite[]): string {
  const hash = createHash('sha256');
  for (const item of items)
    hash.update(`${item.sk}\0${item.type}\0${item.institutionId ?? ''}\0${item.data}\0\0`);
  return hash.digest('hex');
}

describe('writesDigest', () => {
  it('is the digest of the joined items for any text, lone surrogates and NULs included', () => {
    // 'binary' units: any UTF-16 code unit, so lone high and low surrogates at either end of a part.
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const item = fc.record(
      { sk: text, type: text, institutionId: text, data: fc.oneof(text, fc.string({ maxLength: 3_000 })) },
      { requiredKeys: ['sk', 'type', 'data'] },
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 6 }), (items) => {
        expect(writesDigest(items)).toBe(reference(items));
      }),
      { numRuns: 1_000 },
    );
  });

  it('gives the digest guards stored before carry (a fixed example)', () => {
    const items: ResultWrite[] = [
      { sk: 'PAY#A01#000', type: 'PayLines', institutionId: 'A01', data: '[{"staffId":"甲","gross":1}]' },
      { sk: 'INST#A01', type: 'InstitutionResult', data: '{"pool":5}' },
    ];
    expect(writesDigest(items)).toBe(reference(items));
    expect(writesDigest([])).toBe(createHash('sha256').digest('hex'));
  });
});
