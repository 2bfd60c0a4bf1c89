/**
 * Pay sheets a page at a time: search by id, name, department, institution and the name's pinyin
 * initials; filter by institution; sort by any column (ties by institution and staff id); totals of all
 * that matched, not only the page.
 */
import { describe, expect, it } from 'vitest';
import type { PaySheet, PaySheetLine } from '../../../shared/export/types.js';
import { initials, sheetIndex, sheetPage } from '../../../shared/reports/sheet-page.js';

const line = (staffId: string, name: string, institutionId: string, gross: number): PaySheetLine => ({
  period: '2026-03',
  institutionId,
  institutionName: institutionId === 'C01' ? '县人民医院' : '城关镇卫生院',
  department: institutionId === 'C01' ? '内科' : '全科',
  staffId,
  name,
  post: 'doctor',
  basic: gross - 100,
  reward: 100,
  quarterlySurplus: 0,
  annualBonus: 0,
  adjustment: 0,
  gross,
});

const sheet: PaySheet = {
  kind: 'monthly',
  period: '2026-03',
  communityName: '兴国县',
  lines: [
    line('C01-0002', '李四', 'C01', 5000),
    line('C01-0001', '张三丰', 'C01', 7000),
    line('T01-0001', '赵六', 'T01', 3000),
    line('T01-0002', '张伟', 'T01', 4000),
  ],
};
const index = sheetIndex(sheet);

describe('a pay sheet page', () => {
  it('reads a name as its pinyin initials', () => {
    expect(initials('张三丰')).toBe('zsf');
  });

  it('finds people by the pinyin initials of their name', () => {
    const page = sheetPage(index, { page: 1, size: 10, q: 'zsf' });
    expect(page.rows.map((r) => r.staffId)).toEqual(['C01-0001']);
    expect(sheetPage(index, { page: 1, size: 10, q: 'ZW' }).rows.map((r) => r.name)).toEqual(['张伟']);
  });

  it('finds by staff id, name, department and institution name', () => {
    expect(sheetPage(index, { page: 1, size: 10, q: 't01-0002' }).total).toBe(1);
    expect(sheetPage(index, { page: 1, size: 10, q: '张' }).total).toBe(2);
    expect(sheetPage(index, { page: 1, size: 10, q: '全科' }).total).toBe(2);
    expect(sheetPage(index, { page: 1, size: 10, q: '人民医院' }).total).toBe(2);
  });

  it('pages in institution and staff order, with totals of everything matched', () => {
    const first = sheetPage(index, { page: 1, size: 3 });
    expect(first.rows.map((r) => r.staffId)).toEqual(['C01-0001', 'C01-0002', 'T01-0001']);
    expect(first).toMatchObject({ page: 1, pages: 2, total: 4, all: 4 });
    expect(first.totals.gross).toBe('190.00');
    const second = sheetPage(index, { page: 2, size: 3 });
    expect(second.rows.map((r) => r.staffId)).toEqual(['T01-0002']);
    expect(second.totals.gross).toBe('190.00');
  });

  it('sorts by an amount either way and filters by institution', () => {
    const desc = sheetPage(index, { page: 1, size: 10, sort: 'gross', order: 'desc' });
    expect(desc.rows.map((r) => r.gross)).toEqual(['70.00', '50.00', '40.00', '30.00']);
    const t01 = sheetPage(index, { page: 1, size: 10, institution: 'T01', sort: 'gross' });
    expect(t01.rows.map((r) => r.staffId)).toEqual(['T01-0001', 'T01-0002']);
    expect(t01.totals.gross).toBe('70.00');
    expect(t01.institutions).toEqual([
      { id: 'C01', name: '县人民医院', count: 2 },
      { id: 'T01', name: '城关镇卫生院', count: 2 },
    ]);
  });

  it('keeps a page past the end on the last page, and lists only the amount columns with money', () => {
    const page = sheetPage(index, { page: 9, size: 3 });
    expect(page.page).toBe(2);
    expect(page.amounts).toEqual(['basic', 'reward', 'gross']);
  });
});
