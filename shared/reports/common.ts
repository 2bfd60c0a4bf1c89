/** What the three report builders share: lineage of a cycle, indicator lines, labels, the red-list grade. */
import { statusOf } from '../domain/dispatch.js';
import { type PeerGroup, peerGroup } from '../domain/ranking.js';
import { type Fraction, floorToBigInt, formatScaled, rational, toFixedHalfUp } from '../domain/rational.js';
import { sumFen } from '../export/money-format.js';
import type { Indicator, InstitutionKind, Scheme } from '../schemas/dataset.js';
import type { IndicatorResult } from '../schemas/results.js';
import type { CycleRecord } from '../store/cycles.js';
import type {
  CycleSource,
  IndicatorInfo,
  IndicatorLine,
  LineageSource,
  Status,
  StatusCounts,
} from './schemas.js';
import type { DatasetContext } from './sources.js';

export const byInstitutionId = <T extends { institutionId: string }>(a: T, b: T) =>
  a.institutionId < b.institutionId ? -1 : a.institutionId > b.institutionId ? 1 : 0;

export const byPeriod = <T extends { cycle: { period: string } }>(a: T, b: T) =>
  a.cycle.period < b.cycle.period ? -1 : a.cycle.period > b.cycle.period ? 1 : 0;

export function cycleSource(cycle: CycleRecord, dataset: DatasetContext): CycleSource {
  const approved = cycle.decision?.approved ? cycle.decision : undefined;
  return {
    kind: cycle.kind,
    period: cycle.period,
    revision: cycle.revision,
    datasetVersion: cycle.datasetVersion,
    schemeYear: dataset.scheme.year,
    schemeHash: dataset.schemeHash,
    startedBy: cycle.startedBy,
    startedAt: cycle.startedAt,
    approvedBy: approved?.by ?? null,
    approvedAt: approved?.at ?? null,
    ...(cycle.seal ? { seal: cycle.seal } : {}),
    ...(cycle.sealPosition ? { chainPosition: cycle.sealPosition } : {}),
  };
}

export function lineageSource(source: CycleSource, amount: number | null, what: string): LineageSource {
  return {
    kind: source.kind,
    period: source.period,
    revision: source.revision,
    datasetVersion: source.datasetVersion,
    schemeYear: source.schemeYear,
    schemeHash: source.schemeHash,
    amount,
    what,
  };
}

/** "cycle monthly 2026-03 r1 · dataset v1 · scheme 2026 (3f2a9c…)" — the lineage line on sheets. */
export function lineageText(source: CycleSource): string {
  return `${source.kind} ${source.period} r${source.revision} · dataset v${source.datasetVersion} · scheme ${source.schemeYear} #${source.schemeHash}`;
}

export function indicatorInfo(indicator: Indicator): IndicatorInfo {
  return {
    indicatorId: indicator.id,
    name: indicator.nameZh,
    nameEn: indicator.nameEn,
    dimension: indicator.dimension,
    cadence: indicator.cadence,
    weight: indicator.weight,
    bonus: indicator.method === 'bonus',
  };
}

/** The indicators that appear in any of the given lines, in id order. */
export function indicatorsUsed(dataset: DatasetContext, ids: Iterable<string>): IndicatorInfo[] {
  const wanted = new Set(ids);
  return dataset.indicators
    .filter((i) => wanted.has(i.id))
    .map(indicatorInfo)
    .sort((a, b) => (a.indicatorId < b.indicatorId ? -1 : a.indicatorId > b.indicatorId ? 1 : 0));
}

/**
 * score ÷ weight in percent, cut (not rounded) to 1 decimal: a red 79.96 % must not print as "80.0", the
 * amber threshold it missed.
 */
export function attainmentPercent(fraction: string | Fraction): string {
  const tenths = floorToBigInt(rational(fraction).mul(1000));
  return formatScaled(tenths, 1);
}

/** A stored, exactly scored indicator (quarterly, annual). */
export function indicatorLine(result: IndicatorResult): IndicatorLine {
  const zeroWeight = rational(result.weight).n === 0n;
  return {
    indicatorId: result.indicatorId,
    value: result.value,
    missing: result.missing,
    score: result.score,
    weight: toFixedHalfUp(rational(result.weight)),
    attainmentPercent: zeroWeight ? null : attainmentPercent(result.attainment),
    status: statusOf(result.attainment, result.missing),
  };
}

export function countStatuses(lines: readonly { status: Status }[]): StatusCounts {
  const counts: StatusCounts = { green: 0, amber: 0, red: 0, grey: 0 };
  for (const line of lines) counts[line.status] += 1;
  return counts;
}

/** The grade bands, best first. */
export function gradeBands(scheme: Scheme) {
  return [...scheme.grades]
    .sort((a, b) => rational(b.min).compare(rational(a.min)))
    .map((g) => ({ grade: g.grade, min: g.min, coefficient: g.coefficient }));
}

/** The red list is the lowest grade band (不合格 in the model scheme), whatever the scheme calls it. */
export function redListGrade(scheme: Scheme): string {
  return gradeBands(scheme).at(-1)?.grade ?? '不合格';
}

export function kindOf(dataset: DatasetContext, institutionId: string): InstitutionKind | undefined {
  return dataset.institutions.find((i) => i.id === institutionId)?.kind;
}

export function peerGroupOf(dataset: DatasetContext, institutionId: string): PeerGroup {
  const kind = kindOf(dataset, institutionId);
  return kind ? peerGroup(kind) : 'county';
}

export function nameOf(dataset: DatasetContext, institutionId: string): string {
  return dataset.institutions.find((i) => i.id === institutionId)?.name ?? institutionId;
}

export const INSTITUTION_KIND_LABELS: Readonly<Record<string, string>> = {
  county_hospital: '县级综合医院',
  county_tcm: '县中医院',
  county_mch: '县妇幼保健院',
  county_other: '其他县级医疗机构',
  township: '乡镇卫生院',
  community: '社区卫生服务中心',
  village: '村卫生室',
  public_health: '公共卫生机构',
  emergency: '急救中心',
};

export const PEER_GROUP_LABELS: Readonly<Record<PeerGroup, string>> = {
  county: '县级医院组',
  primary: '基层医疗机构组',
  centre: '专业公共卫生机构组',
};

export const STATUS_LABELS: Readonly<Record<Status, string>> = {
  green: '达标',
  amber: '预警',
  red: '未达标',
  grey: '缺报',
};

/** Exact sum of fen amounts (throws past the safe-integer range rather than rounding). */
export const sumOf = <T>(items: readonly T[], amount: (item: T) => number): number =>
  sumFen(items.map(amount));

/** An exact ratio ("410355706900026289/528071506872212160", or a decimal) as a decimal of `places` places. */
export function decimalOf(ratio: string, places = 4): string {
  return toFixedHalfUp(rational(ratio), places);
}
