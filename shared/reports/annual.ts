/**
 * The annual appraisal and settlement report (年度考核与结算报告, DOMAIN.md §5.5, §6, §7): grades and
 * coefficients, reserve releases, the medical-insurance and public-health settlements, next year's
 * approved totals, leader salaries — and the lineage of every pool of the year: which cycle and revision,
 * which dataset version and which scheme each amount comes from (§4).
 */
import { fenToYuanString } from '../export/money-format.js';
import { scoreTrend } from './bulletin.js';
import {
  byInstitutionId,
  byPeriod,
  countStatuses,
  cycleSource,
  decimalOf,
  gradeBands,
  indicatorLine,
  indicatorsUsed,
  lineageSource,
  nameOf,
  peerGroupOf,
  redListGrade,
  sumOf,
} from './common.js';
import type {
  AnnualAppraisalReport,
  AnnualInstitution,
  CycleSource,
  LineageSource,
  PoolLineage,
  Warning,
} from './schemas.js';
import type { AnnualCycleData, DatasetContext, YearData } from './sources.js';

const yuan = (fen: number) => `¥${fenToYuanString(fen)}`;

/** Every dataset version the year's cycles used, by version. */
function contexts(year: YearData): Map<number, DatasetContext> {
  const out = new Map<number, DatasetContext>();
  for (const c of [...year.monthly, ...year.quarterly, ...(year.annual ? [year.annual] : [])])
    out.set(c.dataset.version, c.dataset);
  return out;
}

interface PaidInYear {
  basic: number;
  reward: number;
  adjustment: number;
  quarterlySurplus: number;
  annualBonus: number;
}

function paidInYear(year: YearData, annual: AnnualCycleData): Map<string, PaidInYear> {
  const out = new Map<string, PaidInYear>();
  const slot = (id: string) => {
    const p = out.get(id) ?? { basic: 0, reward: 0, adjustment: 0, quarterlySurplus: 0, annualBonus: 0 };
    out.set(id, p);
    return p;
  };
  for (const m of year.monthly) {
    for (const r of m.results) {
      const p = slot(r.institutionId);
      p.basic += sumOf(r.lines, (l) => l.basic);
      p.reward += sumOf(r.lines, (l) => l.reward);
      p.adjustment += sumOf(r.lines, (l) => l.adjustment);
    }
  }
  for (const q of year.quarterly)
    for (const a of q.allocations) slot(a.institutionId).quarterlySurplus += sumOf(a.lines, (l) => l.amount);
  for (const a of annual.allocations) slot(a.institutionId).annualBonus += sumOf(a.lines, (l) => l.amount);
  return out;
}

function lineageOf(year: YearData, annual: AnnualCycleData, annualSource: CycleSource): PoolLineage[] {
  const { settlement, dataset } = annual;
  const scheme = dataset.scheme;
  const versions = contexts(year);
  const monthlyOf = new Map(year.monthly.map((m) => [m.cycle.period, m]));
  const gradeOf = new Map(scheme.grades.map((g) => [g.grade, g]));
  const out: PoolLineage[] = [];
  const pool = (entry: Omit<PoolLineage, 'staffId'> & { staffId?: string | null }) =>
    out.push({ staffId: null, ...entry });

  for (const inst of [...settlement.institutions].sort(byInstitutionId)) {
    const id = inst.institutionId;
    const grade = gradeOf.get(inst.grade);

    const monthly = year.monthly.flatMap((m) => {
      const r = m.report.institutions.find((x) => x.institutionId === id);
      return r
        ? [
            lineageSource(
              cycleSource(m.cycle, m.dataset),
              r.pool,
              `月度奖励池 M（预留 ${yuan(r.holdback)}，可分配 ${yuan(r.distributable)}）`,
            ),
          ]
        : [];
    });
    pool({
      pool: 'monthly_reward',
      label: '月度奖励性绩效池',
      institutionId: id,
      amount: sumOf(monthly, (s) => s.amount ?? 0),
      rule: '§5.3 M = ⌊R/12⌋（前 R mod 12 个月 +1 分），R = T − 12 × Σ基础性绩效；预留 H = round(M × 预留比例)',
      sources: monthly,
    });

    const quarterly = year.quarterly.flatMap((q) => {
      const row = q.bulletin.find((x) => x.institutionId === id);
      return row
        ? [
            lineageSource(
              cycleSource(q.cycle, q.dataset),
              row.pool,
              `结余 ${yuan(row.surplus)} − 提取发展基金 ${yuan(row.fundExtraction)}，× 奖励比例`,
            ),
          ]
        : [];
    });
    pool({
      pool: 'quarterly_surplus',
      label: '季度结余奖励池（两个允许）',
      institutionId: id,
      amount: sumOf(quarterly, (s) => s.amount ?? 0),
      rule: '§5.4 S = Σ医疗服务收入 − Σ运行成本；S > 0 时 F = round(S × 提取比例)，Q = round((S − F) × 奖励比例)',
      sources: quarterly,
    });

    // The reserve is what the month locks recorded: the run of each month that the annual cycle summed.
    const reserveSources: LineageSource[] = annual.locks
      .filter((l) => /^\d{4}-\d{2}$/.test(l.period) && l.period.startsWith(annual.cycle.period))
      .sort((a, b) => (a.period < b.period ? -1 : 1))
      .flatMap((lock) => {
        const part = lock.reserve?.[id];
        if (!part) return [];
        const ctx = versions.get(lock.datasetVersion) ?? monthlyOf.get(lock.period)?.dataset ?? dataset;
        return [
          {
            kind: 'monthly' as const,
            period: lock.period,
            revision: lock.revision,
            datasetVersion: lock.datasetVersion,
            schemeYear: ctx.scheme.year,
            schemeHash: ctx.schemeHash,
            amount: part.holdback + part.undistributed,
            what: `预留 ${yuan(part.holdback)} + 未分配 ${yuan(part.undistributed)}`,
          },
        ];
      });
    pool({
      pool: 'reserve',
      label: '年度预留（储备）',
      institutionId: id,
      amount: inst.reserve,
      rule: '§5.5 A = Σ 月度预留 + 未分配奖励池（按各月锁定记录）',
      sources: reserveSources,
    });

    const releaseRate = grade?.reserveRelease ?? '';
    pool({
      pool: 'reserve_released',
      label: '预留释放',
      institutionId: id,
      amount: inst.reserveReleased,
      rule: `§5.5 释放 = round(A × 释放比例(等级))，其余 ${yuan(inst.reserveToDevelopmentFund)} 转入发展基金`,
      sources: [
        lineageSource(
          annualSource,
          inst.reserveReleased,
          `A ${yuan(inst.reserve)} × ${releaseRate}（等级 ${inst.grade}）`,
        ),
      ],
    });

    pool({
      pool: 'insurance_pay_part',
      label: '医保结余用于绩效部分',
      institutionId: id,
      amount: inst.insurancePayPart,
      rule: '§6.2 留用结余 × 用于绩效比例，按 得分 × 人数 × 层级系数 最大余额法分配',
      sources: [
        lineageSource(
          annualSource,
          inst.insurancePayPart,
          `${scheme.year} 年医保总额（insurance.csv，数据 v${annual.cycle.datasetVersion}），医共体等级 ${settlement.communityGrade}`,
        ),
      ],
    });

    pool({
      pool: 'annual_bonus',
      label: '年度考核奖励池',
      institutionId: id,
      amount: inst.annualBonusPool,
      rule: '§5.5 年度奖励池 = 预留释放 + 医保结余用于绩效部分；财务审核后按全年点数分配',
      sources: [
        lineageSource(annualSource, inst.reserveReleased, '预留释放'),
        lineageSource(annualSource, inst.insurancePayPart, '医保结余用于绩效部分'),
      ],
    });

    const institution = dataset.institutions.find((i) => i.id === id);
    pool({
      pool: 'next_approved_total',
      label: '下年度绩效工资核定总量',
      institutionId: id,
      amount: inst.nextApprovedTotal,
      rule: "§5.5 T' = round(T × (1 + 增长率) × 系数(等级))",
      sources: [
        lineageSource(
          annualSource,
          institution?.approvedTotal ?? null,
          `T ${yuan(institution?.approvedTotal ?? 0)}（institutions.csv）× (1 + ${scheme.pay.growthRate}) × ${inst.coefficient}`,
        ),
      ],
    });
  }

  for (const row of [...settlement.publicHealth.rows].sort(byInstitutionId)) {
    pool({
      pool: 'public_health',
      label: '基本公卫经费核定',
      institutionId: row.institutionId,
      amount: row.entitlement,
      rule: `§6.3 G = round(人均 × 常住人口) 按服务人口分配；核定 = round(基数 × 质量 q)，结算 = 核定 − 预拨`,
      sources: [
        lineageSource(
          annualSource,
          row.base,
          `基数 ${yuan(row.base)} × q ${decimalOf(row.quality)}${row.qualityDefaulted ? '（无公卫指标，按 1 计）' : ''}；预拨 ${yuan(row.preAllocated)}，结算 ${yuan(row.settlement)}`,
        ),
      ],
    });
  }

  for (const leader of settlement.leaders) {
    const target = dataset.leaders.find((l) => l.staffId === leader.staffId)?.targetAnnualSalary ?? null;
    const coefficient =
      settlement.institutions.find((i) => i.institutionId === leader.institutionId)?.coefficient ?? '';
    pool({
      pool: 'leader_salary',
      label: '负责人年薪',
      institutionId: leader.institutionId,
      staffId: leader.staffId,
      amount: leader.salary,
      rule: '§5.5 年薪 = round(目标年薪 × 所在机构等级系数)',
      sources: [
        lineageSource(
          annualSource,
          target,
          `目标年薪 ${target === null ? '-' : yuan(target)}（leaders.csv）× ${coefficient}`,
        ),
      ],
    });
  }
  return out;
}

export function annualAppraisalReport(year: YearData): AnnualAppraisalReport {
  const annual = year.annual;
  if (!annual) throw new Error(`no completed annual cycle for ${year.year}`);
  const { cycle, dataset, settlement } = annual;
  const source = cycleSource(cycle, dataset);
  const redGrade = redListGrade(dataset.scheme);
  const scoreOf = new Map(annual.scores.map((s) => [s.institutionId, s]));
  const allocationOf = new Map(annual.allocations.map((a) => [a.institutionId, a]));
  const paid = paidInYear(year, annual);
  const institutionOf = new Map(dataset.institutions.map((i) => [i.id, i]));
  const staffOf = new Map(dataset.staff.map((s) => [s.staffId, s]));
  const quarterly = [...year.quarterly].sort(byPeriod);

  const institutions: AnnualInstitution[] = [...settlement.institutions].sort(byInstitutionId).map((s) => {
    const indicators = (scoreOf.get(s.institutionId)?.indicators ?? []).map(indicatorLine);
    const allocation = allocationOf.get(s.institutionId);
    return {
      institutionId: s.institutionId,
      name: nameOf(dataset, s.institutionId),
      kind: institutionOf.get(s.institutionId)?.kind ?? '',
      peerGroup: peerGroupOf(dataset, s.institutionId),
      score: s.score,
      grade: s.grade,
      coefficient: s.coefficient,
      redListed: s.grade === redGrade,
      approvedTotal: institutionOf.get(s.institutionId)?.approvedTotal ?? 0,
      nextApprovedTotal: s.nextApprovedTotal,
      reserve: s.reserve,
      reserveReleased: s.reserveReleased,
      reserveToDevelopmentFund: s.reserveToDevelopmentFund,
      insurancePayPart: s.insurancePayPart,
      annualBonusPool: s.annualBonusPool,
      allocated: sumOf(allocation?.lines ?? [], (l) => l.amount),
      undistributed: allocation?.undistributed ?? 0,
      paidInYear: paid.get(s.institutionId) ?? {
        basic: 0,
        reward: 0,
        adjustment: 0,
        quarterlySurplus: 0,
        annualBonus: 0,
      },
      missingIndicators: indicators.filter((l) => l.missing).map((l) => l.indicatorId),
      indicators,
      statusCounts: countStatuses(indicators),
    };
  });

  const leaders = settlement.leaders.map((l) => ({
    staffId: l.staffId,
    name: staffOf.get(l.staffId)?.name ?? l.staffId,
    institutionId: l.institutionId,
    institutionName: nameOf(dataset, l.institutionId),
    targetAnnualSalary: dataset.leaders.find((x) => x.staffId === l.staffId)?.targetAnnualSalary ?? 0,
    coefficient: settlement.institutions.find((i) => i.institutionId === l.institutionId)?.coefficient ?? '',
    salary: l.salary,
  }));

  const warnings: Warning[] = settlement.publicHealth.rows
    // Only where it moves money: an institution with no served population gets no funds either way.
    .filter((r) => r.qualityDefaulted && r.base > 0)
    .map((r) => ({
      institutionId: r.institutionId,
      code: 'public_health_quality_defaulted' as const,
      message: `${nameOf(dataset, r.institutionId)}（${r.institutionId}）没有适用的公共卫生指标，公卫质量系数按 1 计，请核对考核方案`,
    }));

  const paidTotals = {
    basic: sumOf(institutions, (i) => i.paidInYear.basic),
    reward: sumOf(institutions, (i) => i.paidInYear.reward),
    adjustment: sumOf(institutions, (i) => i.paidInYear.adjustment),
    quarterlySurplus: sumOf(institutions, (i) => i.paidInYear.quarterlySurplus),
    annualBonus: sumOf(institutions, (i) => i.paidInYear.annualBonus),
  };

  return {
    report: 'annual-appraisal',
    amountsIn: 'fen',
    community: { id: cycle.communityId, name: dataset.scheme.community.name },
    year: cycle.period,
    source,
    communityScore: settlement.communityScore,
    communityGrade: settlement.communityGrade,
    ...(settlement.communityOwn === undefined ? {} : { communityOwn: settlement.communityOwn }),
    grades: gradeBands(dataset.scheme),
    redListGrade: redGrade,
    institutions,
    insurance: settlement.insurance,
    publicHealth: {
      total: settlement.publicHealth.total,
      retainedByCommunity: settlement.publicHealth.retainedByCommunity,
      perCapita: dataset.scheme.publicHealth.perCapita,
      residentPopulation: dataset.scheme.community.residentPopulation,
      preAllocationRate: dataset.scheme.publicHealth.preAllocationRate,
      rows: [...settlement.publicHealth.rows]
        .sort(byInstitutionId)
        .map((r) => ({ ...r, name: nameOf(dataset, r.institutionId) })),
    },
    leaders,
    trend: scoreTrend(
      quarterly,
      institutions.map((i) => i.institutionId),
      (id) => nameOf(dataset, id),
    ),
    totals: {
      reserve: sumOf(institutions, (i) => i.reserve),
      reserveReleased: sumOf(institutions, (i) => i.reserveReleased),
      reserveToDevelopmentFund: sumOf(institutions, (i) => i.reserveToDevelopmentFund),
      insurancePayPart: sumOf(institutions, (i) => i.insurancePayPart),
      annualBonusPool: sumOf(institutions, (i) => i.annualBonusPool),
      allocated: sumOf(institutions, (i) => i.allocated),
      approvedTotal: sumOf(institutions, (i) => i.approvedTotal),
      nextApprovedTotal: sumOf(institutions, (i) => i.nextApprovedTotal),
      leaderSalaries: sumOf(leaders, (l) => l.salary),
      paidInYear: paidTotals,
    },
    lineage: lineageOf(year, annual, source),
    indicators: indicatorsUsed(
      dataset,
      institutions.flatMap((i) => i.indicators.map((l) => l.indicatorId)),
    ),
    warnings,
  };
}
