/**
 * Random pay sheets (seeded, so a failure reproduces) whose files must always reconcile to the fen:
 * every row and every 合计 in the CSV and in every XLSX sheet, read back independently.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paySheetCsv } from '../../../shared/export/csv.js';
import { fenToYuanString } from '../../../shared/export/money-format.js';
import type { PaySheet, PaySheetLine } from '../../../shared/export/types.js';
import { paySheetXlsx } from '../../../shared/export/xlsx.js';
import { AMOUNT_KEYS, sumOf } from './fixtures.js';
import { decimalToFen, readXlsx } from './xlsx-reader.js';

const SEED = 20260301;

const INSTITUTIONS = [
  ['C01', '县人民医院'],
  ['C02', '县中医院'],
  ['T01', '城关镇卫生院'],
  ['T02', '=HYPERLINK("x")/卫生院*'],
  ['V01', '某某县某某镇某某村卫生室（一体化管理）附属服务点'],
] as const;

// Up to ±10 million yuan per cell: far beyond any pay, and sums stay exact.
const fen = fc.integer({ min: -1_000_000_000, max: 1_000_000_000 });

const lineArb = fc.record({
  institution: fc.constantFrom(...INSTITUTIONS),
  staffNo: fc.integer({ min: 1, max: 999 }),
  name: fc.string({ maxLength: 6 }),
  post: fc.constantFrom('doctor', 'nurse', 'admin', 'village_doctor', 'unknown_post'),
  amounts: fc.tuple(fen, fen, fen, fen, fen, fen),
});

const sheetArb = fc.array(lineArb, { maxLength: 25 }).map((raw): PaySheet => {
  const lines: PaySheetLine[] = raw.map((r, i) => ({
    period: '2026-Q1',
    institutionId: r.institution[0],
    institutionName: r.institution[1],
    department: '科室',
    staffId: `${r.institution[0]}-${String(r.staffNo).padStart(3, '0')}-${i}`,
    name: r.name,
    post: r.post,
    basic: r.amounts[0],
    reward: r.amounts[1],
    quarterlySurplus: r.amounts[2],
    annualBonus: r.amounts[3],
    adjustment: r.amounts[4],
    gross: r.amounts[5],
  }));
  return { kind: 'quarterly', period: '2026-Q1', communityName: '某县医共体', lines };
});

describe('pay-sheet totals reconcile to the fen', () => {
  it('formats any safe integer so it parses back to the same fen', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        const text = fenToYuanString(n);
        const big = BigInt(n);
        const abs = big < 0n ? -big : big;
        const expected = `${big < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
        expect(text).toBe(expected);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('in the CSV: every row and the 合计 row', () => {
    fc.assert(
      fc.property(sheetArb, (sheet) => {
        const rows = parse(paySheetCsv(sheet), { bom: true }) as string[][];
        expect(rows).toHaveLength(sheet.lines.length + 2);
        const body = rows.slice(1, -1);
        const byStaff = new Map(sheet.lines.map((l) => [l.staffId, l]));
        for (const row of body) {
          const l = byStaff.get(row[4] as string) as PaySheetLine;
          expect(row.slice(7).map(decimalToFen)).toEqual(AMOUNT_KEYS.map((k) => l[k]));
        }
        expect((rows.at(-1) as string[]).slice(7).map(decimalToFen)).toEqual(
          AMOUNT_KEYS.map((k) => sumOf(sheet.lines, k)),
        );
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('in the XLSX: each institution sheet’s 合计 and the summary', async () => {
    await fc.assert(
      fc.asyncProperty(sheetArb, async (sheet) => {
        const book = readXlsx(await paySheetXlsx(sheet));
        const ids = [...new Set(sheet.lines.map((l) => l.institutionId))].sort();
        expect(book.sheets).toHaveLength(1 + ids.length);
        const summary = book.sheets[0]!;

        ids.forEach((id, i) => {
          const lines = sheet.lines.filter((l) => l.institutionId === id);
          const expected = AMOUNT_KEYS.map((k) => sumOf(lines, k));
          const s = book.sheets[i + 1]!;
          expect(s.rowCount).toBe(lines.length + 2);
          let fromRows = AMOUNT_KEYS.map(() => 0);
          for (let r = 2; r <= lines.length + 1; r++) {
            const amounts = s
              .row(r)
              .slice(7)
              .map((c) => decimalToFen(c?.text as string));
            fromRows = fromRows.map((t, k) => t + (amounts[k] as number));
          }
          expect(fromRows).toEqual(expected);
          expect(
            s
              .row(s.rowCount)
              .slice(7)
              .map((c) => decimalToFen(c?.text as string)),
          ).toEqual(expected);
          const summaryRow = summary.row(i + 2);
          expect(summaryRow[0]?.text).toBe(id);
          expect(summaryRow.slice(3).map((c) => decimalToFen(c?.text as string))).toEqual(expected);
        });
        const grand = summary.row(ids.length + 2);
        expect(grand[0]?.text).toBe('合计');
        expect(grand.slice(3).map((c) => decimalToFen(c?.text as string))).toEqual(
          AMOUNT_KEYS.map((k) => sumOf(sheet.lines, k)),
        );
      }),
      { seed: SEED, numRuns: 25 },
    );
  });
});
