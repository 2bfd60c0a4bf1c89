/**
 * The quarterly bulletin (季通报, DOMAIN.md §7): scores and grades over the quarter, ranks within peer
 * groups, the change since the previous quarter, the red list (the lowest grade, 不合格), indicator
 * attainment, the surplus pools (两个允许) and how they were paid, and the score trend since Q1.
 */
import { cycleMonths } from '../app/cycle-data.js';
import type { PeerGroup } from '../domain/ranking.js';
import {
  byInstitutionId,
  countStatuses,
  cycleSource,
  gradeBands,
  indicatorLine,
  indicatorsUsed,
  nameOf,
  PEER_GROUP_LABELS,
  peerGroupOf,
  redListGrade,
  sumOf,
} from './common.js';
import { isDue } from './explain.js';
import type { BulletinInstitution, QuarterlyBulletinReport, Trend } from './schemas.js';
import type { QuarterlyCycleData } from './sources.js';

const PEER_ORDER: readonly PeerGroup[] = ['county', 'primary', 'centre'];

/** Scores by quarter (Q1, Q2, …) from the quarterly cycles' bulletins, one series per institution. */
export function scoreTrend(
  quarters: readonly QuarterlyCycleData[],
  institutionIds: readonly string[],
  name: (institutionId: string) => string,
): Trend {
  const points = [...quarters].sort((a, b) => (a.cycle.period < b.cycle.period ? -1 : 1));
  return {
    periods: points.map((q) => q.cycle.period),
    series: [...institutionIds].sort().map((institutionId) => ({
      institutionId,
      name: name(institutionId),
      scores: points.map((q) => q.bulletin.find((r) => r.institutionId === institutionId)?.score ?? null),
    })),
  };
}

/** The quarter before `period` among `quarters`, if it completed. */
function previousQuarter(period: string, quarters: readonly QuarterlyCycleData[]): QuarterlyCycleData | null {
  const [year, q] = period.split('-Q').map(Number) as [number, number];
  if (q <= 1) return null;
  return quarters.find((x) => x.cycle.period === `${year}-Q${q - 1}`) ?? null;
}

export function quarterlyBulletinReport(
  data: QuarterlyCycleData,
  quarters: readonly QuarterlyCycleData[] = [],
): QuarterlyBulletinReport {
  const { cycle, dataset } = data;
  const redGrade = redListGrade(dataset.scheme);
  const previous = previousQuarter(cycle.period, quarters);
  const scoreOf = new Map(data.scores.map((s) => [s.institutionId, s]));
  const allocationOf = new Map(data.allocations.map((a) => [a.institutionId, a]));
  const previousScoreOf = new Map(previous?.bulletin.map((r) => [r.institutionId, r.score]) ?? []);
  const cadenceOf = new Map(dataset.indicators.map((i) => [i.id, i.cadence]));
  const months = cycleMonths(cycle);
  const due = (indicatorId: string) => isDue(cadenceOf.get(indicatorId) ?? 'monthly', months);
  const peerCount = (group: string) => data.bulletin.filter((r) => r.peerGroup === group).length;

  const institutions: BulletinInstitution[] = [...data.bulletin].sort(byInstitutionId).map((row) => {
    const scored = scoreOf.get(row.institutionId);
    const allocation = allocationOf.get(row.institutionId);
    const indicators = (scored?.indicators ?? []).map(indicatorLine);
    return {
      institutionId: row.institutionId,
      name: nameOf(dataset, row.institutionId),
      kind: scored?.kind ?? '',
      peerGroup: PEER_ORDER.includes(row.peerGroup as PeerGroup)
        ? (row.peerGroup as PeerGroup)
        : peerGroupOf(dataset, row.institutionId),
      score: row.score,
      grade: row.grade,
      coefficient: scored?.coefficient ?? '',
      rank: row.rank,
      peerCount: peerCount(row.peerGroup),
      change: row.change,
      previousScore: previousScoreOf.get(row.institutionId) ?? null,
      redListed: row.grade === redGrade,
      surplus: row.surplus,
      fundExtraction: row.fundExtraction,
      pool: row.pool,
      allocated: sumOf(allocation?.lines ?? [], (l) => l.amount),
      undistributed: allocation?.undistributed ?? 0,
      paidStaff: allocation?.lines.filter((l) => l.amount !== 0).length ?? 0,
      // 缺报 = due and not submitted: an annual indicator in Q1–Q3 is not due (it still scores 0, §3).
      missingIndicators: indicators.filter((l) => l.missing && due(l.indicatorId)).map((l) => l.indicatorId),
      notDueIndicators: indicators.filter((l) => l.missing && !due(l.indicatorId)).map((l) => l.indicatorId),
      indicators,
      statusCounts: countStatuses(indicators),
    };
  });

  const byRank = (a: BulletinInstitution, b: BulletinInstitution) => a.rank - b.rank || byInstitutionId(a, b);
  return {
    report: 'quarterly-bulletin',
    amountsIn: 'fen',
    community: { id: cycle.communityId, name: dataset.scheme.community.name },
    period: cycle.period,
    source: cycleSource(cycle, dataset),
    previous: previous ? cycleSource(previous.cycle, previous.dataset) : null,
    ...(data.community === undefined ? {} : { communityOwn: data.community }),
    grades: gradeBands(dataset.scheme),
    redListGrade: redGrade,
    institutions,
    peerGroups: PEER_ORDER.filter((g) => institutions.some((i) => i.peerGroup === g)).map((g) => ({
      peerGroup: g,
      label: PEER_GROUP_LABELS[g],
      institutionIds: institutions
        .filter((i) => i.peerGroup === g)
        .sort(byRank)
        .map((i) => i.institutionId),
    })),
    redList: institutions
      .filter((i) => i.redListed)
      .sort((a, b) => PEER_ORDER.indexOf(a.peerGroup) - PEER_ORDER.indexOf(b.peerGroup) || byRank(a, b))
      .map((i) => ({
        institutionId: i.institutionId,
        name: i.name,
        score: i.score,
        grade: i.grade,
        peerGroup: i.peerGroup,
        rank: i.rank,
      })),
    trend: scoreTrend(
      [...quarters.filter((q) => q.cycle.period < cycle.period), data],
      institutions.map((i) => i.institutionId),
      (id) => nameOf(dataset, id),
    ),
    totals: {
      surplus: sumOf(institutions, (i) => i.surplus),
      fundExtraction: sumOf(institutions, (i) => i.fundExtraction),
      pool: sumOf(institutions, (i) => i.pool),
      allocated: sumOf(institutions, (i) => i.allocated),
      undistributed: sumOf(institutions, (i) => i.undistributed),
    },
    indicators: indicatorsUsed(
      dataset,
      institutions.flatMap((i) => i.indicators.map((l) => l.indicatorId)),
    ),
  };
}
