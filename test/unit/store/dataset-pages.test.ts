/**
 * Blob and list pages are cut by their encoded size (issue 12: a roster cut by count crossed 400 KB for a
 * hospital with long fields), and cutting changes neither the content nor its hash (month locks compare it).
 */
import { describe, expect, it } from 'vitest';
import { decode, encode, fullHashOfEncoded } from '../../../shared/store/codec.js';
import {
  blobWholeText,
  encodeArrayPages,
  encodeMonthPages,
  type MonthRows,
  PAGE_DATA_BYTES,
} from '../../../shared/store/datasets.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Rows of uneven sizes with multi-byte text (a Chinese character is 3 bytes in UTF-8). */
const rows = (count: number, seed: number) =>
  Array.from({ length: count }, (_, i) => ({
    staffId: `C01-${String(i).padStart(5, '0')}`,
    name: '张'.repeat(1 + ((i * 7 + seed) % 40)),
    note: 'x'.repeat((i * 13 + seed) % 300),
  }));

describe('pages cut by encoded size', () => {
  it('an array small enough is one page: its own JSON, hashed as a whole', () => {
    const value = rows(10, 1);
    const blob = encodeArrayPages(value);
    expect(blob.texts).toEqual([encode(value)]);
    expect(blob.hash).toBe(fullHashOfEncoded(encode(value)));
  });

  for (const limit of [2_000, 5_000, 17_000]) {
    it(`an array over ${limit} bytes is cut into pages of at most ${limit} bytes that join back to it`, () => {
      const value = rows(400, limit);
      const blob = encodeArrayPages(value, limit);
      expect(blob.texts.length).toBeGreaterThan(1);
      for (const text of blob.texts) expect(bytes(text)).toBeLessThanOrEqual(limit);
      expect(blob.texts.flatMap((text) => decode<unknown[]>(text))).toEqual(value);
      expect(blob.hash).toBe(fullHashOfEncoded(encode(value)));
    });
  }

  it('a read checks a blob against its name from the page texts as stored, without encoding them again', () => {
    for (const limit of [2_000, 17_000, PAGE_DATA_BYTES]) {
      const array = encodeArrayPages(rows(400, limit), limit);
      expect(fullHashOfEncoded(blobWholeText(array.texts)!)).toBe(array.hash);
    }
    expect(fullHashOfEncoded(blobWholeText(encodeArrayPages([]).texts)!)).toBe(encodeArrayPages([]).hash);
    const oneMonth = encodeMonthPages({ workload: [], values: [], finance: [], adjustments: [] });
    expect(fullHashOfEncoded(blobWholeText(oneMonth.texts)!)).toBe(oneMonth.hash);
    // A month in several pages is merged by list, not by text: checked by encoding the merged rows.
    const month = encodeMonthPages(
      {
        workload: rows(300, 3) as unknown as MonthRows['workload'],
        values: [],
        finance: [],
        adjustments: [],
      },
      6_000,
    );
    expect(month.texts.length).toBeGreaterThan(1);
    expect(blobWholeText(month.texts)).toBeUndefined();
  });

  it("a month's rows are cut across all four lists in order; merged back they are the month and its hash", () => {
    const month: MonthRows = {
      workload: rows(300, 3) as unknown as MonthRows['workload'],
      values: rows(50, 4) as unknown as MonthRows['values'],
      finance: rows(5, 5) as unknown as MonthRows['finance'],
      adjustments: rows(120, 6) as unknown as MonthRows['adjustments'],
    };
    const limit = 6_000;
    const blob = encodeMonthPages(month, limit);
    expect(blob.texts.length).toBeGreaterThan(5);
    const merged: MonthRows = { workload: [], values: [], finance: [], adjustments: [] };
    for (const text of blob.texts) {
      expect(bytes(text)).toBeLessThanOrEqual(limit);
      const page = decode<MonthRows>(text);
      expect(Object.keys(page)).toEqual(['workload', 'values', 'finance', 'adjustments']);
      for (const key of Object.keys(merged) as (keyof MonthRows)[])
        merged[key].push(...(page[key] as never[]));
    }
    expect(merged).toEqual(month);
    expect(blob.hash).toBe(fullHashOfEncoded(encode(month)));
  });

  it('the default page leaves room for keys under 350 KB', () => {
    expect(PAGE_DATA_BYTES).toBeLessThanOrEqual(350_000 - 1_000);
  });
});
