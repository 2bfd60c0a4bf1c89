/**
 * Test helpers for the demo generator: read generated CSV back into records, and a rough float
 * re-implementation of DOMAIN.md §3 scoring — only to check that the demo data gives institutions a
 * realistic spread of grades, never as a reference for the real (exact) scorer.
 */
import { parse } from 'csv-parse/sync';

export type Row = Record<string, string>;

export function rows(text: string): Row[] {
  return parse(text, { columns: true, skip_empty_lines: true }) as Row[];
}

export interface ApproxScore {
  institutionId: string;
  score: number;
  grade: string;
  missing: string[];
}

/** Composite scores over months [from, to] (1-based, inclusive), float arithmetic. */
export function approxScores(files: Record<string, string>, from: number, to: number): ApproxScore[] {
  const institutions = rows(files['institutions.csv']!);
  const indicators = rows(files['indicators.csv']!);
  const values = rows(files['indicator-values.csv']!);
  const months = to - from + 1;
  const byKey = new Map<string, Row[]>();
  for (const v of values) {
    const month = Number(v.period!.slice(5));
    if (month < from || month > to) continue;
    const key = `${v.institutionId}|${v.indicatorId}`;
    const list = byKey.get(key) ?? [];
    if (list.length === 0) byKey.set(key, list);
    list.push(v);
  }
  return institutions.map((inst) => {
    let sumS = 0;
    let sumW = 0;
    let bonus = 0;
    const missing: string[] = [];
    for (const k of indicators) {
      if (k.appliesTo !== '*' && !k.appliesTo!.split(';').includes(inst.kind!)) continue;
      const w = Number(k.weight);
      const list = byKey.get(`${inst.id}|${k.id}`) ?? [];
      const prorate = k.aggregation === 'sum' ? months / 12 : 1;
      const t = Number(k.target) * prorate;
      const f = Number(k.floor) * prorate;
      const p = k.params ?? '';
      let v: number | null = null;
      if (list.length > 0) {
        const xs = list.map((r) => Number(r.value));
        if (k.aggregation === 'ratio') {
          const den = list.reduce((s, r) => s + Number(r.denominator), 0);
          v = den === 0 ? null : list.reduce((s, r) => s + Number(r.numerator), 0) / den;
        } else if (k.aggregation === 'sum') v = xs.reduce((a, b) => a + b, 0);
        else if (k.aggregation === 'mean') v = xs.reduce((a, b) => a + b, 0) / xs.length;
        else if (k.aggregation === 'min') v = Math.min(...xs);
        else if (k.aggregation === 'max') v = Math.max(...xs);
        else v = xs[xs.length - 1]!;
      }
      if (k.method === 'bonus') {
        if (v !== null) bonus += Math.min(w, Number(p) * v);
        continue;
      }
      sumW += w;
      if (v === null) {
        missing.push(k.id!);
        continue;
      }
      const higher = k.direction === 'higher';
      let s = 0;
      switch (k.method) {
        case 'yes_no':
          s = v >= 1 ? w : 0;
          break;
        case 'ge_target':
          s = v <= 0 ? 0 : w * Math.min(1, v / t);
          break;
        case 'le_target':
          s = v <= t ? w : t === 0 ? 0 : (w * t) / v;
          break;
        case 'linear':
          if (higher) s = v >= t ? w : v <= f ? 0 : (w * (v - f)) / (t - f);
          else s = v <= t ? w : v >= f ? 0 : (w * (f - v)) / (f - t);
          break;
        case 'bands': {
          const bands = p.split(';').map((b) => b.split(':').map(Number) as [number, number]);
          const hits = bands.filter(([th]) => (higher ? v! >= th * prorate : v! <= th * prorate));
          if (hits.length > 0) {
            const pick = hits.reduce((a, b) => (higher ? (b[0] > a[0] ? b : a) : b[0] < a[0] ? b : a));
            s = w * pick[1];
          }
          break;
        }
        case 'deduct':
          s = Math.max(0, w - Number(p) * v);
          break;
        case 'actual':
          s = w * Math.min(1, Math.max(0, v / 100));
          break;
      }
      sumS += s;
    }
    const score = Math.min(100, (100 * sumS) / sumW + Math.min(5, bonus));
    const grade = score >= 90 ? '优秀' : score >= 80 ? '良好' : score >= 60 ? '合格' : '不合格';
    return { institutionId: inst.id!, score, grade, missing };
  });
}
