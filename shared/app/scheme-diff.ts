/**
 * A readable diff between two scheme versions: indicators added or removed, an indicator's weight, target
 * or other column changed, grade bands added, removed or changed, and every other scheme field changed
 * (holdback, tilts, insurance …). Pure.
 */

import { formatYuan } from '../domain/money.js';
import type { Grade, Indicator, Scheme } from '../schemas/dataset.js';
import { firstDifference, YUAN_FIELDS } from './scheme-rule.js';

export type SchemeChange =
  | { kind: 'indicator.added'; id: string; to: Indicator; zh: string; en: string }
  | { kind: 'indicator.removed'; id: string; from: Indicator; zh: string; en: string }
  | {
      kind: 'indicator.changed';
      id: string;
      field: string;
      from: string | null;
      to: string | null;
      zh: string;
      en: string;
    }
  | { kind: 'grade.added'; grade: string; to: Grade; zh: string; en: string }
  | { kind: 'grade.removed'; grade: string; from: Grade; zh: string; en: string }
  | { kind: 'grade.changed'; grade: string; field: string; from: string; to: string; zh: string; en: string }
  | { kind: 'field.changed'; field: string; from: string | null; to: string | null; zh: string; en: string };

export interface SchemeSide {
  scheme: Scheme;
  indicators: readonly Indicator[];
}

const text = (v: unknown): string | null =>
  v === undefined || v === null || v === ''
    ? null
    : Array.isArray(v)
      ? v.join(';')
      : typeof v === 'string'
        ? v
        : JSON.stringify(v);

const INDICATOR_FIELDS: readonly (keyof Indicator)[] = [
  'nameZh',
  'nameEn',
  'dimension',
  'appliesTo',
  'cadence',
  'direction',
  'aggregation',
  'method',
  'weight',
  'target',
  'floor',
  'params',
];

const FIELD_ZH: Partial<Record<string, string>> = {
  weight: '权重',
  target: '目标值',
  floor: '底线值',
  method: '计分方法',
  params: '参数',
  min: '分数下限',
  coefficient: '系数',
  reserveRelease: '预留返还比例',
  insuranceGate: '医保留用比例',
};

/** Every scalar field of an object, by its path (`pay.tilt.key`, `insurance.retentionTiers[0].rate`). */
function leaves(value: unknown, path: string, out: Map<string, unknown>): void {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) leaves(v, `${path}[${i}]`, out);
  } else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  else out.set(path, value);
}

export function diffSchemes(from: SchemeSide, to: SchemeSide): SchemeChange[] {
  const changes: SchemeChange[] = [];
  const before = new Map(from.indicators.map((i) => [i.id, i]));
  const after = new Map(to.indicators.map((i) => [i.id, i]));
  for (const [id, indicator] of after) {
    const old = before.get(id);
    if (!old) {
      changes.push({
        kind: 'indicator.added',
        id,
        to: indicator,
        zh: `新增指标 ${id}（${indicator.nameZh}），权重 ${indicator.weight}`,
        en: `indicator ${id} added (weight ${indicator.weight})`,
      });
      continue;
    }
    for (const field of INDICATOR_FIELDS) {
      const a = text(old[field]);
      const b = text(indicator[field]);
      if (firstDifference(a, b)) {
        changes.push({
          kind: 'indicator.changed',
          id,
          field,
          from: a,
          to: b,
          zh: `指标 ${id}（${indicator.nameZh}）${FIELD_ZH[field] ?? field}：${a ?? '（空）'} → ${b ?? '（空）'}`,
          en: `indicator ${id} ${field}: ${a ?? '(empty)'} → ${b ?? '(empty)'}`,
        });
      }
    }
  }
  for (const [id, indicator] of before) {
    if (!after.has(id)) {
      changes.push({
        kind: 'indicator.removed',
        id,
        from: indicator,
        zh: `删除指标 ${id}（${indicator.nameZh}）`,
        en: `indicator ${id} removed`,
      });
    }
  }

  const gradesBefore = new Map(from.scheme.grades.map((g) => [g.grade, g]));
  const gradesAfter = new Map(to.scheme.grades.map((g) => [g.grade, g]));
  for (const [grade, band] of gradesAfter) {
    const old = gradesBefore.get(grade);
    if (!old) {
      changes.push({
        kind: 'grade.added',
        grade,
        to: band,
        zh: `新增等级 ${grade}（≥ ${band.min}，系数 ${band.coefficient}）`,
        en: `grade ${grade} added (≥ ${band.min}, coefficient ${band.coefficient})`,
      });
      continue;
    }
    for (const field of ['min', 'coefficient', 'reserveRelease', 'insuranceGate'] as const) {
      if (firstDifference(old[field], band[field])) {
        changes.push({
          kind: 'grade.changed',
          grade,
          field,
          from: old[field],
          to: band[field],
          zh: `等级 ${grade} ${FIELD_ZH[field]}：${old[field]} → ${band[field]}`,
          en: `grade ${grade} ${field}: ${old[field]} → ${band[field]}`,
        });
      }
    }
  }
  for (const [grade, band] of gradesBefore) {
    if (!gradesAfter.has(grade))
      changes.push({
        kind: 'grade.removed',
        grade,
        from: band,
        zh: `删除等级 ${grade}`,
        en: `grade ${grade} removed`,
      });
  }

  const { grades: _a, ...restFrom } = from.scheme;
  const { grades: _b, ...restTo } = to.scheme;
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  leaves(restFrom, '', a);
  leaves(restTo, '', b);
  // Amounts stored in fen read as the yuan of scheme.json.
  const shown = (field: string, v: unknown) =>
    typeof v === 'number' && (YUAN_FIELDS as readonly string[]).includes(field) ? formatYuan(v) : text(v);
  for (const field of new Set([...a.keys(), ...b.keys()])) {
    const x = shown(field, a.get(field));
    const y = shown(field, b.get(field));
    if (firstDifference(x, y)) {
      changes.push({
        kind: 'field.changed',
        field,
        from: x,
        to: y,
        zh: `方案 ${field}：${x ?? '（无）'} → ${y ?? '（无）'}`,
        en: `scheme ${field}: ${x ?? '(none)'} → ${y ?? '(none)'}`,
      });
    }
  }
  return changes;
}
