/**
 * A pay sheet a page at a time (issue 14: a city's 35,000 lines froze the browser): filtered by
 * institution and a search that matches staff id, name, department, institution — and the pinyin
 * initials of the name (张三丰 → "zsf") — sorted by any column, with the totals of everything matched.
 * Pure; the search keys of a sheet are built once and kept with it (sheetIndex).
 */
import { pinyin } from 'pinyin-pro';
import { formatYuan } from '../domain/money.js';
import type { PaySheet, PaySheetLine } from '../export/types.js';

import { SORT_KEYS, type SortKey } from './sheet-columns.js';

export { SORT_KEYS, type SortKey };

const AMOUNTS = ['basic', 'reward', 'quarterlySurplus', 'annualBonus', 'adjustment', 'gross'] as const;

export interface SheetPageQuery {
  page: number;
  size: number;
  sort?: SortKey;
  order?: 'asc' | 'desc';
  q?: string;
  institution?: string;
}

interface Indexed {
  line: PaySheetLine;
  /** Lower-cased text the search looks in, including the name's pinyin initials. */
  text: string;
}

export interface SheetIndex {
  kind: PaySheet['kind'];
  period: string;
  lines: Indexed[];
  institutions: { id: string; name: string; count: number }[];
}

/** "张三丰" → "zsf"; letters and digits kept as they are. */
export function initials(name: string): string {
  return pinyin(name, { pattern: 'first', toneType: 'none', type: 'array', nonZh: 'consecutive' })
    .join('')
    .toLowerCase();
}

export function sheetIndex(sheet: PaySheet): SheetIndex {
  const counts = new Map<string, { id: string; name: string; count: number }>();
  const lines = sheet.lines.map((line) => {
    const inst = counts.get(line.institutionId) ?? {
      id: line.institutionId,
      name: line.institutionName,
      count: 0,
    };
    inst.count += 1;
    counts.set(line.institutionId, inst);
    return {
      line,
      text: [
        line.staffId,
        line.name,
        initials(line.name),
        line.department,
        line.institutionName,
        line.institutionId,
      ]
        .join('\u0000')
        .toLowerCase(),
    };
  });
  return {
    kind: sheet.kind,
    period: sheet.period,
    lines,
    institutions: [...counts.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

const byId = (a: PaySheetLine, b: PaySheetLine) =>
  a.institutionId < b.institutionId
    ? -1
    : a.institutionId > b.institutionId
      ? 1
      : a.staffId < b.staffId
        ? -1
        : a.staffId > b.staffId
          ? 1
          : 0;

const asJson = (l: PaySheetLine) => ({
  period: l.period,
  institutionId: l.institutionId,
  institutionName: l.institutionName,
  department: l.department,
  staffId: l.staffId,
  name: l.name,
  post: l.post,
  basic: formatYuan(l.basic),
  reward: formatYuan(l.reward),
  quarterlySurplus: formatYuan(l.quarterlySurplus),
  annualBonus: formatYuan(l.annualBonus),
  adjustment: formatYuan(l.adjustment),
  gross: formatYuan(l.gross),
});

export function sheetPage(index: SheetIndex, query: SheetPageQuery) {
  const q = query.q?.trim().toLowerCase() ?? '';
  let matched = index.lines.filter(
    (x) => (!query.institution || x.line.institutionId === query.institution) && (!q || x.text.includes(q)),
  );
  const sort = query.sort;
  const sign = query.order === 'desc' ? -1 : 1;
  const lines = matched.map((x) => x.line);
  lines.sort((a, b) => {
    if (!sort) return byId(a, b);
    const x = a[sort];
    const y = b[sort];
    const c =
      typeof x === 'number' && typeof y === 'number'
        ? x - y
        : String(x).localeCompare(String(y), 'zh-CN-u-co-pinyin');
    return c !== 0 ? sign * c : byId(a, b);
  });
  matched = [];
  const size = Math.max(1, query.size);
  const pages = Math.max(1, Math.ceil(lines.length / size));
  const page = Math.min(Math.max(1, query.page), pages);
  const totals = Object.fromEntries(
    AMOUNTS.map((k) => [k, formatYuan(lines.reduce((acc, l) => acc + l[k], 0))]),
  ) as Record<(typeof AMOUNTS)[number], string>;
  return {
    kind: index.kind,
    period: index.period,
    page,
    size,
    pages,
    total: lines.length,
    all: index.lines.length,
    totals,
    institutions: index.institutions,
    /** Which amount columns carry money anywhere on the sheet (a quarterly sheet has only its surplus). */
    amounts: AMOUNTS.filter((k) => k === 'gross' || index.lines.some((x) => x.line[k] !== 0)),
    rows: lines.slice((page - 1) * size, page * size).map(asJson),
  };
}

export type SheetPage = ReturnType<typeof sheetPage>;
