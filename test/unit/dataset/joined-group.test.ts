/**
 * A month's workload rows travel as one JSON text per institution (issue 17): the texts split from it are
 * the rows' texts, and a month blob made from it is the one made from the rows' texts — one page or many.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  joinedGroup,
  packMonth,
  splitJsonValues,
  unpackMonth,
} from '../../../shared/dataset/workload-reader.js';
import type { Dataset } from '../../../shared/schemas/dataset.js';
import {
  type OtherFileRows,
  PAGE_DATA_BYTES,
  VersionWriter,
  type WorkloadGroup,
  type WriterStore,
} from '../../../shared/store/datasets.js';

describe('a group of rows as one JSON text', () => {
  it('splits into the texts it was joined from, whatever the values hold', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), (values) => {
        const texts = values.map((value) => JSON.stringify(value));
        expect(splitJsonValues(texts.join(','))).toEqual(texts);
      }),
      { numRuns: 300 },
    );
    const tricky = [{ a: 'x,"}],{' }, ['\\', '"'], 'a\\"b,', 0, null, { b: [{}, []] }];
    const texts = tricky.map((value) => JSON.stringify(value));
    expect(splitJsonValues(texts.join(','))).toEqual(texts);
    expect(splitJsonValues('')).toEqual([]);
  });

  it('makes the same month blob as the rows’ texts: one page, and an institution-month of many pages', () => {
    const dataset = { staff: [], indicatorValues: [], finance: [], adjustments: [] } as unknown as Dataset;
    const fileRows: OtherFileRows = { indicatorValues: [], finance: [], adjustments: [] };
    const writer = () =>
      new VersionWriter({} as WriterStore, async () => 1, 'c', new Set(), dataset, fileRows);
    const row = (i: number) =>
      JSON.stringify({ period: '2026-01', staffId: `S-${i}`, workPoints: String(1000 + i), quality: '90' });
    for (const count of [3, Math.ceil((3 * PAGE_DATA_BYTES) / row(1).length)]) {
      const texts = Array.from({ length: count }, (_, i) => row(i));
      const rows = texts.map((_, i) => i + 2);
      const plain = writer().month('2026-01', new Map([['I1', { texts, rows }]]));
      const joined = writer().month('2026-01', new Map([['I1', joinedGroup(texts.join(','), rows)]]));
      expect(joined.map((b) => b.blob)).toEqual(plain.map((b) => b.blob));
      expect(plain[0]!.blob.texts.length).toBe(count === 3 ? 1 : 4);
    }
  });

  it('packs and unpacks a month as the same groups, whether their rows were joined or not', () => {
    const groups = new Map<string, WorkloadGroup>([
      ['I1', joinedGroup('{"a":1},{"a":"x,y"}', [2, 3])],
      ['I2', { texts: ['{"b":[1,2]}'], rows: [7] }],
    ]);
    const unpacked = unpackMonth(packMonth(groups));
    expect([...unpacked.keys()]).toEqual(['I1', 'I2']);
    expect(unpacked.get('I1')!.texts).toEqual(['{"a":1}', '{"a":"x,y"}']);
    expect(unpacked.get('I2')!.texts).toEqual(['{"b":[1,2]}']);
    expect(unpacked.get('I2')!.rows).toEqual([7]);
    expect(unpacked.get('I1')!.rows).toEqual([2, 3]);
  });
});
