/**
 * A file decoded slice by slice (issue 12: a province's workload.csv is never one string) reads exactly
 * as the whole-file decode: the same text and encoding, or the same problem on the same line — for every
 * encoding an office's tools write, damaged anywhere, with slices as small as one byte so that every
 * place a slice can end is tried.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFile, decodeSlices, type SlicesEnd } from '../../../shared/dataset/decode.js';
import { encodeGbk } from '../../../shared/export/bank-gbk.js';

function sliced(bytes: Uint8Array, size: number): { text: string; end: SlicesEnd; slices: number } {
  const generator = decodeSlices(bytes, size);
  let text = '';
  let slices = 0;
  for (;;) {
    const next = generator.next();
    if (next.done) return { text, end: next.value, slices };
    text += next.value;
    slices++;
  }
}

function expectSameAsWhole(bytes: Uint8Array, size: number) {
  const whole = decodeFile(bytes, Number.POSITIVE_INFINITY);
  const { text, end } = sliced(bytes, size);
  if (whole.problem) {
    expect(end).toEqual({ problem: whole.problem, line: whole.line });
  } else {
    expect(end).toEqual({ encoding: whole.encoding });
    expect(text).toBe(whole.text);
  }
}

const utf16 = (text: string, bigEndian: boolean): Uint8Array => {
  const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
  if (bigEndian) le.swap16();
  return new Uint8Array(le);
};

const LINES = [
  'staffId,period,days',
  'S001,2026-01,22',
  '张三,2026-02,"21"',
  'a written \uFFFD here',
  '\uFEFFa BOM inside the file',
  '',
  'ASCII only',
  '内科,外科,急诊',
];
const ENDINGS = ['\n', '\r\n', '\r'];

/** A text of the lines above, each ending in one of the line breaks. */
const textArb = fc
  .array(fc.tuple(fc.constantFrom(...LINES), fc.constantFrom(...ENDINGS)), { maxLength: 12 })
  .map((lines) => lines.map(([line, ending]) => line + ending).join(''));

const encodings: Record<string, (text: string) => Uint8Array> = {
  utf8: (text) => new TextEncoder().encode(text),
  utf8Bom: (text) => new TextEncoder().encode(`\uFEFF${text}`),
  // GBK has no U+FFFD or BOM: those lines go, the rest is what Excel on Chinese Windows saves.
  gbk: (text) => encodeGbk(text.replaceAll('\uFFFD', '?').replaceAll('\uFEFF', '')),
  utf16le: (text) => utf16(text, false),
  utf16be: (text) => utf16(text, true),
};

/** Damage: a byte changed to one that no encoding takes there, or the last byte cut off. */
const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.constant(undefined),
  fc.record({ at: fc.nat(), byte: fc.constantFrom(0xff, 0x80, 0xc3, 0xd8, 0x0a, 0xfe) }),
  fc.constant('truncate' as const),
);

type Damage = undefined | 'truncate' | { at: number; byte: number };

function damaged(bytes: Uint8Array, damage: Damage) {
  if (damage === undefined || bytes.length === 0) return bytes;
  if (damage === 'truncate') return bytes.subarray(0, bytes.length - 1);
  const { at, byte } = damage;
  const copy = new Uint8Array(bytes);
  copy[at % copy.length] = byte;
  return copy;
}

describe('decodeSlices', () => {
  it.each(Object.keys(encodings))('reads %s files as decodeFile does, wherever the slices end', (name) => {
    fc.assert(
      fc.property(textArb, damageArb, fc.integer({ min: 1, max: 40 }), (text, damage, size) => {
        expectSameAsWhole(damaged(encodings[name]!(text), damage), size);
      }),
      { numRuns: 300 },
    );
  });

  it('reads a GBK file whose first Chinese line comes after several ASCII slices as GB18030', () => {
    const bytes = encodeGbk(
      `${'S001,2026-01,22\n'.repeat(50)}张三,2026-02,21\n${'S002,2026-03,1\n'.repeat(20)}`,
    );
    const { text, end, slices } = sliced(bytes, 64);
    expect(slices).toBeGreaterThan(5);
    expect(end).toEqual({ encoding: 'GB18030' });
    expect(text).toBe(decodeFile(bytes).text);
  });

  it('names a damaged UTF-8 line far into the file by its number in the whole file', () => {
    const good = new TextEncoder().encode(`张三,1\n${'S001,2026-01,22\n'.repeat(1000)}`);
    const bytes = new Uint8Array([...good, 0xff, 0x0a, ...new TextEncoder().encode('S1,2\n')]);
    const { end, slices } = sliced(bytes, 100);
    expect(slices).toBeGreaterThan(10);
    expect(end).toEqual({ problem: decodeFile(bytes).problem, line: 1002 });
  });

  it('cuts slices only after a line feed, so no slice ends inside a line', () => {
    const bytes = new TextEncoder().encode('S001,2026-01,22\r\n'.repeat(200));
    const generator = decodeSlices(bytes, 50);
    for (let next = generator.next(); !next.done; next = generator.next()) {
      expect(next.value.endsWith('\r\n')).toBe(true);
    }
  });
});
