/**
 * The monthly dispatch report (月调度表, DOMAIN.md §7): what each institution still owes (missing
 * submissions, roster staff without a workload row), how its indicators stand year to date, basic-share
 * warnings, and the month's pools and totals. Built from the stored REPORT document, which it keeps
 * field for field, plus the names and statuses a reader needs.
 */

import type { MonthlyReport } from '../app/reports.js';
import { rational, toFixedHalfUp } from '../domain/rational.js';
import { fenToYuanString } from '../export/money-format.js';
import {
  attainmentPercent,
  byInstitutionId,
  countStatuses,
  cycleSource,
  indicatorsUsed,
  nameOf,
  sumOf,
} from './common.js';
import type {
  IndicatorLine,
  MonthlyDispatchInstitution,
  MonthlyDispatchReport,
  StaffRef,
  Warning,
} from './schemas.js';
import type { DatasetContext, MonthlyCycleData } from './sources.js';

const percent = (fraction: string) => toFixedHalfUp(rational(fraction).mul(100));

function yearToDateLines(
  dataset: DatasetContext,
  stored: MonthlyReport['institutions'][number]['dispatch']['yearToDate']['indicators'],
): IndicatorLine[] {
  const weightOf = new Map(dataset.indicators.map((i) => [i.id, i.weight]));
  return stored.map((s) => {
    const weight = weightOf.get(s.indicatorId) ?? '0';
    const zero = rational(weight).n === 0n;
    return {
      indicatorId: s.indicatorId,
      value: s.value,
      missing: s.status === 'grey',
      score: s.score,
      weight: toFixedHalfUp(rational(weight)),
      // From the rounded score: the status itself was decided on the exact one when the month ran.
      attainmentPercent: zero ? null : attainmentPercent(rational(s.score).div(rational(weight))),
      status: s.status,
    };
  });
}

function warningsOf(
  i: MonthlyDispatchInstitution,
  range: readonly [string, string],
  indicatorName: (id: string) => string,
): Warning[] {
  const who = `${i.name}（${i.institutionId}）`;
  const out: Warning[] = [];
  if (i.basicShareOutOfRange) {
    out.push({
      institutionId: i.institutionId,
      code: 'basic_share_out_of_range',
      message:
        i.basicSharePercent === null
          ? `${who}绩效工资核定总量为 0，无法计算基础性绩效占比`
          : `${who}基础性绩效占比 ${i.basicSharePercent}% 超出方案范围 ${percent(range[0])}%–${percent(range[1])}%，请核对核定总量或岗位标准`,
    });
  }
  const missing = i.dispatch.missingSubmissions;
  if (missing.length > 0) {
    out.push({
      institutionId: i.institutionId,
      code: 'missing_submissions',
      message: `${who}本月缺报 ${missing.length} 项指标（按 0 分计）：${missing.map(indicatorName).join('、')}`,
    });
  }
  const idle = i.dispatch.staffWithoutWorkload;
  if (idle.length > 0) {
    out.push({
      institutionId: i.institutionId,
      code: 'staff_without_workload',
      message: `${who}有 ${idle.length} 名在册职工本月无工作量记录，本月未发放其绩效工资，请核实`,
    });
  }
  if (i.undistributed > 0) {
    out.push({
      institutionId: i.institutionId,
      code: 'undistributed_pool',
      message: `${who}本月无人有绩效点数，可分配奖励 ¥${fenToYuanString(i.undistributed)} 转入年度预留`,
    });
  }
  return out;
}

export function monthlyDispatchReport(data: MonthlyCycleData): MonthlyDispatchReport {
  const { cycle, dataset, report } = data;
  const scheme = dataset.scheme;
  const institutionOf = new Map(dataset.institutions.map((i) => [i.id, i]));
  const institutions: MonthlyDispatchInstitution[] = [...report.institutions]
    .sort(byInstitutionId)
    .map((stored) => {
      const yearToDate = yearToDateLines(dataset, stored.dispatch.yearToDate.indicators);
      const institution = institutionOf.get(stored.institutionId);
      return {
        ...stored,
        name: nameOf(dataset, stored.institutionId),
        kind: institution?.kind ?? '',
        approvedTotal: institution?.approvedTotal ?? 0,
        basicSharePercent: stored.basicShare === null ? null : percent(stored.basicShare),
        yearToDate,
        statusCounts: countStatuses(yearToDate),
      };
    });

  const indicators = indicatorsUsed(
    dataset,
    institutions.flatMap((i) => [
      ...i.yearToDate.map((l) => l.indicatorId),
      ...i.dispatch.missingSubmissions,
    ]),
  );
  const indicatorName = (id: string) => dataset.indicators.find((x) => x.id === id)?.nameZh ?? id;
  const staffById = new Map(dataset.staff.map((s) => [s.staffId, s]));
  const staff: StaffRef[] = institutions.flatMap((i) =>
    i.dispatch.staffWithoutWorkload.map((staffId) => {
      const s = staffById.get(staffId);
      return {
        staffId,
        name: s?.name ?? staffId,
        institutionId: i.institutionId,
        department: s?.department ?? '',
      };
    }),
  );

  return {
    report: 'monthly-dispatch',
    amountsIn: 'fen',
    community: { id: cycle.communityId, name: scheme.community.name },
    period: cycle.period,
    revision: cycle.revision,
    datasetVersion: cycle.datasetVersion,
    source: cycleSource(cycle, dataset),
    basicShareRange: [scheme.pay.basicShareRange[0], scheme.pay.basicShareRange[1]],
    holdbackRate: scheme.pay.holdbackRate,
    totals: {
      ...report.totals,
      pool: sumOf(institutions, (i) => i.pool),
      distributable: sumOf(institutions, (i) => i.distributable),
    },
    institutions,
    indicators,
    staff,
    warnings: institutions.flatMap((i) => warningsOf(i, scheme.pay.basicShareRange, indicatorName)),
  };
}
