/**
 * The seal hashes a cycle's every pay line in canonical JSON (shared/store/audit.ts canonicalJson). Its
 * faster form for seals (shared/app/seals.ts sealJson) must give the very same text for every value, or
 * the seals recorded before would no longer verify.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { institutionSeal, type SealSummary, sealedGroup, sealJson } from '../../../shared/app/seals.js';
import { canonicalJson } from '../../../shared/store/audit.js';
import { decode } from '../../../shared/store/codec.js';
import { resultWrites, takePayPageSource } from '../../../shared/store/results.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('sealedGroup', () => {
  it("takes each page's lines once (they no longer live on with the item): sealing again decodes the pages to the same seal", () => {
    const lines = Array.from({ length: 1_500 }, (_, i) => ({
      staffId: `C01-${String(i).padStart(4, '0')}`,
      basic: 600_000,
      reward: i * 7,
      adjustment: 0,
      gross: 600_000 + i * 7,
      points: `${i}/3`,
    }));
    const roster = lines.map((l, i) => ({ staffId: l.staffId, bankAccount: i % 2 ? `6216${i}` : null }));
    const items = [...resultWrites.payLines('C01', lines), resultWrites.institution('C01', { pool: 1 })];
    const first = sealedGroup({ institutionId: 'C01', items }, roster, { paid: true });
    expect(items.filter((i) => i.type === 'PayLines').map((i) => takePayPageSource(i))).toEqual([
      undefined,
      undefined,
    ]);
    const again = sealedGroup({ institutionId: 'C01', items }, roster, { paid: true });
    expect(again.summary).toEqual(first.summary);
    expect(again.items.at(-1)!.data).toBe(first.items.at(-1)!.data);
  });
});

describe('sealJson', () => {
  it('is canonicalJson for any JSON value, and for values JSON drops (undefined members and elements)', () => {
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(
        fc.string(),
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.constant(-0),
      ),
      node: fc.oneof(
        { depthSize: 'small' },
        tie('leaf'),
        fc.array(tie('node'), { maxLength: 5 }),
        fc.dictionary(fc.string({ maxLength: 6 }), tie('node'), { maxKeys: 6 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(sealJson(v)).toBe(canonicalJson(v));
      }),
      { numRuns: 2_000 },
    );
  });

  it('orders keys by code unit, whatever order an object was built in, as canonicalJson does', () => {
    const a = { b: 1, a: [{ z: 'é', y: null }], 中: '文', A: { x: undefined, w: 2 } };
    const b = { A: { w: 2 }, 中: '文', a: [{ y: null, z: 'é' }], b: 1 };
    expect(sealJson(a)).toBe(canonicalJson(a));
    expect(sealJson(a)).toBe(sealJson(b));
    expect(sealJson(a)).toBe('{"A":{"w":2},"a":[{"y":null,"z":"é"}],"b":1,"中":"文"}');
  });

  it('gives each line the hash the seal has always given it: sha256 of canonicalJson({ institutionId, line, bankAccount })', () => {
    const line = fc.record(
      {
        staffId: fc.string({ minLength: 1, maxLength: 8 }),
        basic: fc.integer(),
        reward: fc.integer(),
        adjustment: fc.integer(),
        gross: fc.integer(),
        points: fc.string(),
        allowance: fc.option(fc.integer(), { nil: undefined }),
      },
      { requiredKeys: ['staffId', 'basic', 'gross'] },
    );
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 6 }),
        fc.array(line, { maxLength: 6 }),
        fc.option(fc.string({ maxLength: 19 }), { nil: null }),
        (institutionId, lines, account) => {
          const accounts = new Map(lines.map((l) => [l.staffId, account]));
          const sealed = new Map(institutionSeal(institutionId, null, null, lines, accounts).lines);
          for (const l of lines) {
            const expected = createHash('sha256')
              .update(canonicalJson({ institutionId, line: l, bankAccount: account }))
              .digest('hex')
              .slice(0, 16);
            if (lines.filter((o) => o.staffId === l.staffId).length === 1)
              expect(sealed.get(l.staffId)).toBe(expected);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('seals a group as a later read of its stored items does: from the encoded pages decoded, whatever the lines hold', () => {
    // Values JSON changes on the way (NaN, -0, nested objects, undefined elements) as well as plain lines.
    const odd = fc.oneof(
      fc.constant(Number.NaN),
      fc.constant(-0),
      fc.constant(Number.POSITIVE_INFINITY),
      fc.constant([1, undefined, 'x']),
      fc.constant({ b: 1, a: undefined }),
    );
    const line = fc.record(
      {
        staffId: fc.string({ minLength: 1, maxLength: 8 }),
        basic: fc.integer(),
        reward: fc.integer(),
        adjustment: fc.integer(),
        gross: fc.integer(),
        points: fc.string(),
        allowance: fc.option(fc.integer(), { nil: undefined }),
        flag: fc.option(fc.boolean(), { nil: null }),
        extra: odd,
      },
      { requiredKeys: ['staffId', 'basic', 'gross'] },
    );
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 6 }),
        fc.array(line, { maxLength: 2_500 / 100 }),
        fc.boolean(),
        (institutionId, lines, withOdd) => {
          const used = withOdd ? lines : lines.map(({ extra: _, ...plain }) => plain);
          const roster = used.map((l, i) => ({
            staffId: l.staffId,
            bankAccount: i % 3 === 0 ? null : `62${i}`,
          }));
          const result = { institutionId, pool: 5, dispatch: { missing: ['x'] } };
          const items = [
            ...resultWrites.payLines(institutionId, used),
            resultWrites.institution(institutionId, result),
          ];
          const sealed = sealedGroup({ institutionId, items }, roster, { paid: true });
          // The definition, from the stored text: every line decoded, in canonical JSON, with its account.
          const stored = items
            .filter((i) => i.type === 'PayLines')
            .flatMap((i) => decode<typeof used>(i.data));
          const accounts = new Map(roster.map((r) => [r.staffId, r.bankAccount]));
          const paid = stored
            .map((l): [string, string] => [
              l.staffId,
              sha256(
                canonicalJson({ institutionId, line: l, bankAccount: accounts.get(l.staffId) ?? null }),
              ).slice(0, 16),
            ])
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
          const expected = sha256(
            canonicalJson({ result: decode(items.at(-1)!.data), allocation: null, lines: paid }),
          );
          expect((sealed.summary as SealSummary).seal).toBe(expected);
          expect(decode(sealed.items.at(-1)!.data)).toEqual(paid);
          // Byte for byte what encode() writes: a retry's guard digest covers this text.
          expect(sealed.items.at(-1)!.data).toBe(JSON.stringify(paid));
        },
      ),
      { numRuns: 300 },
    );
  });
});
