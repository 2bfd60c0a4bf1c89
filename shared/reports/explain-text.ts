/**
 * An explanation as plain text for the terminal (`medcomm explain`): each step on its own line, the formula
 * with the figures put in, amounts in yuan, exact ratios as decimals with the exact fraction beside them
 * only where the decimal is not exact.
 */
import { formatYuan } from '../domain/money.js';
import { Fraction } from '../domain/rational.js';
import type {
  Exact,
  InstitutionExplanation,
  PersonExplanation,
  PoolDerivation,
  ScoreExplanation,
  SplitLine,
  SplitSummary,
} from './explain.js';

export const yuan = (fen: number) =>
  `${fen < 0 ? '-' : ''}¥${formatYuan(Math.abs(fen)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;

/** "0.3333 (=1/3)" when the 4-decimal reading is not the whole value. */
export function showExact(x: Exact): string {
  if (!x.exact.includes('/')) return x.exact;
  // A ratio the 4 decimals hold exactly (9/10 = 0.9) needs no fraction beside it.
  if (new Fraction(x.decimal).equals(new Fraction(x.exact))) return x.decimal.replace(/\.?0+$/, '');
  return `${x.decimal} (=${x.exact})`;
}

const COMPONENT = {
  reward: '奖励性绩效 reward',
  quarterlySurplus: '季度结余奖励 quarterly surplus reward',
  annualBonus: '年度考核奖励 annual bonus',
} as const;

export function poolText(pool: PoolDerivation): string[] {
  if (pool.kind === 'monthly') {
    return [
      `核定绩效工资总量 approved total T = ${yuan(pool.approvedTotal)}`,
      `基础性绩效年总额 basic payroll = 12 × ${yuan(pool.basicMonthlyTotal)} (${pool.rosterSize} 人 staff) = ${yuan(pool.basicPayroll)}`,
      `奖励性绩效年总额 reward total R = T − basic payroll = ${yuan(pool.rewardTotal)}`,
      `基础性占比 basic share α = 1 − R/T = ${pool.basicShare ? showExact(pool.basicShare) : '—'}${pool.basicShareOutOfRange ? ` ⚠ 超出 outside [${pool.basicShareRange.join(', ')}]` : ''}`,
      `${pool.month} 月奖励池 month pool M = floor(R/12) + (${pool.month} ≤ R mod 12 = ${pool.remainderMonths} ? 1 : 0) = ${yuan(pool.monthBase)} + ${pool.monthExtraFen} 分 = ${yuan(pool.pool)}`,
      `年度预留 holdback H = round(M × ${pool.holdbackRate}) = round(${showExact(pool.holdbackExact)} 分 fen) = ${yuan(pool.holdback)}`,
      `可分配 distributable D = M − H = ${yuan(pool.distributable)}${pool.undistributed ? `（无人有点数，转入预留 nobody has points: to the reserve ${yuan(pool.undistributed)}）` : ''}`,
    ];
  }
  if (pool.kind === 'quarterly') {
    return [
      `期间 months: ${pool.months.join(', ')}`,
      `医疗服务收入 eligible revenue = ${pool.revenue.map((r) => `${r.category} ${yuan(r.amount)}`).join(' + ') || '0'} = ${yuan(pool.eligibleRevenue)}`,
      `运营成本 operating cost = ${yuan(pool.operatingCost)}`,
      `不计入（脱钩）excluded: ${pool.excluded.map((r) => `${r.category} ${yuan(r.amount)}`).join(', ') || '—'}`,
      `结余 surplus S = ${yuan(pool.eligibleRevenue)} − ${yuan(pool.operatingCost)} = ${yuan(pool.surplus)}${pool.surplus <= 0 ? '（≤ 0：不从工资中扣 a loss is never taken out of pay）' : ''}`,
      `发展基金提取 fund extraction F = round(S × ${pool.fundExtractionRate}) = ${yuan(pool.fundExtraction)}`,
      `结余奖励池 reward pool Q = round((S − F) × ${pool.rewardShare}) = ${yuan(pool.pool)}`,
    ];
  }
  const lines = [
    `年度得分 annual score ${pool.score}, 等级 grade ${pool.grade}, 系数 coefficient ${pool.coefficient}`,
    `年度预留 reserve A = Σ 月预留 holdback + 未分配 undistributed = ${pool.reserveMonths
      .map((m) => yuan(m.holdback + m.undistributed))
      .join(' + ')} = ${yuan(pool.reserve)}`,
    `兑现 released = round(A × ${pool.reserveRelease}) = ${yuan(pool.released)}; 转入发展基金 to the development fund ${yuan(pool.toDevelopmentFund)}`,
  ];
  if (pool.insurance) {
    const i = pool.insurance;
    lines.push(
      `医保结余用于绩效部分 insurance pay part ${yuan(i.payPart)} × (S_i·n_i·tier_i = ${i.score} × ${i.headcount} × ${i.tier} = ${showExact(i.weight)}) ÷ Σ ${showExact(i.totalWeight)} = ${showExact(i.split.exactShare)} 分 fen → ${yuan(i.split.amount)}`,
    );
  }
  lines.push(
    `年度考核奖励池 annual bonus pool = ${yuan(pool.released)} + ${yuan(pool.insurancePayPart)} = ${yuan(pool.pool)}`,
  );
  return lines;
}

export function shareText(summary: SplitSummary, line: SplitLine | null): string[] {
  if (summary.undistributed > 0)
    return [`无人有点数：池未分配 nobody had points: ${yuan(summary.undistributed)} undistributed`];
  if (!line) return ['本期无点数 no points this period'];
  return [
    `份额 share = ${yuan(summary.pool)} × ${showExact(line.weight)} ÷ Σ点数 ${showExact(summary.totalWeight)} = ${showExact(line.exactShare)} 分 fen`,
    `取整 floor = ${yuan(line.floor)}; 余数 remainder ${showExact(line.remainder)}, 排第 rank ${line.remainderRank ?? '—'} / 尾差 leftover ${summary.leftover} 分 fen → +${line.extraFen} 分 fen`,
    `= ${yuan(line.amount)}`,
  ];
}

export function scoreText(score: ScoreExplanation): string[] {
  const rows = score.indicators.map((i) => {
    const value = i.missing ? (i.due ? '缺报 missing' : '未到期 not due') : showExact(i.value!);
    const ratio =
      i.numerator && i.denominator ? ` = ${showExact(i.numerator)}/${showExact(i.denominator)}` : '';
    const target = i.effectiveTarget ? ` 目标 target ${showExact(i.effectiveTarget)}` : '';
    return `  ${i.indicatorId} ${i.nameZh} [${i.method}, w ${i.weight}${target}] 值 value ${value}${ratio} → ${i.rounded}${i.bonus ? ' (加分 bonus)' : ''}`;
  });
  return [
    `得分 score (${score.months[0]}…${score.months.at(-1)}):`,
    ...rows,
    `  S = min(100, 100 × Σs ${showExact(score.scoreTotal)} ÷ Σw ${showExact(score.weightTotal)} + min(${score.bonusCap}, ${showExact(score.bonusTotal)})) = ${showExact(score.exactScore)} → ${score.score} ${score.grade}`,
  ];
}

export function personText(p: PersonExplanation): string {
  const l = p.lineage;
  const out = [
    `${p.staff.name} (${p.staff.staffId}) · ${p.institution.name} (${p.institution.id}) · ${p.staff.department} · ${p.staff.post}`,
    `${l.kind} ${l.period} r${l.revision} · 数据版本 dataset v${l.datasetVersion}${l.schemeHash ? ` · 方案 scheme ${l.schemeHash}` : ''}`,
    '',
    '点数 points = 工作量 workPoints × 质量 quality/100 × 出勤 attended/scheduled × 岗位系数 post coefficient × 倾斜 tilt',
  ];
  for (const r of p.points.rows) {
    const flags = r.flags.length
      ? ` (1 + ${r.flags.map((f) => `${f.flag} ${f.rate}`).join(' + ')}, cap ${r.tiltCap})`
      : '';
    out.push(
      `  ${r.period}: ${r.workPoints} × ${r.quality}/100 × ${r.attendedDays}/${r.scheduledDays} × ${r.postCoefficient} × ${showExact(r.tilt)}${flags} = ${showExact(r.points)}`,
    );
  }
  if (p.points.rows.length > 1) out.push(`  合计 total = ${showExact(p.points.total)}`);
  out.push('', '奖励池 pool:', ...poolText(p.pool).map((x) => `  ${x}`), '', `${COMPONENT[p.component]}:`);
  if (p.department) {
    const d = p.department;
    out.push(
      `  科室 department ${d.name} (${d.departmentId}): P_d = 系数 coefficient ${d.coefficient} × Σ点数 ${showExact(d.memberPoints)} = ${showExact(d.points)}`,
      `  科室池 department pool X_d = 池 pool × P_d ÷ ΣP = ${showExact(d.share.exactShare)} → ${yuan(d.pool)}${d.share.extraFen ? ' (+1 分 fen)' : ''}`,
      d.mode === 'manual'
        ? '  二次分配 second level: 科主任提交、经审批的金额 the head’s approved amounts'
        : '  二次分配 second level: 按科室内点数 by points within the department',
    );
  }
  out.push(...shareText(p.split, p.share).map((x) => `  ${x}`));
  if (p.basic)
    out.push(
      '',
      `基础性绩效 basic = ${p.basic.onPayroll ? yuan(p.basic.basicMonthly) : '0（本月无工作量行 no workload row）'}`,
    );
  for (const a of p.adjustments)
    out.push(`调整 adjustment ${yuan(a.amount)}：${a.reason}（更正 corrects ${a.refPeriod}）`);
  if (p.allowance) {
    const d = p.allowance.detail;
    out.push(
      `补贴 allowance = ${yuan(p.allowance.amount)}${d ? `（${d.kind} → ${d.hostInstitutionId}, ${d.from}–${d.to ?? '…'}, 每月 monthly ${yuan(d.monthlyAllowance)}${d.onPayroll ? '' : '，本月无工作量行不发 not on this month’s payroll'}）` : '（本月无派驻 no secondment this month）'}`,
    );
  }
  if (p.fiscalTopUp) {
    const t = p.fiscalTopUp.detail;
    out.push(
      t
        ? `财政保底补足 fiscal top-up = max(0, round(${yuan(t.floor)} × ${t.attendedDays}/${t.scheduledDays}) − (基础 + 奖励 ${yuan(t.basicPlusReward)})) = max(0, ${yuan(t.due)} − ${yuan(t.basicPlusReward)}) = ${yuan(t.amount)}（县财政 county finance）`
        : `财政保底补足 fiscal top-up = ${yuan(p.fiscalTopUp.amount)}（仅公益一类、本月在岗 funding-1 staff on the payroll only）`,
    );
  }
  if (p.leaderSalary)
    out.push(
      `院长年薪 leader salary = round(${yuan(p.leaderSalary.targetAnnualSalary)} × ${p.leaderSalary.coefficient}) = ${yuan(p.leaderSalary.salary)}（县财政发放 paid by county finance）`,
    );
  out.push(
    '',
    `应发合计 gross = ${p.basic ? `${yuan(p.basic.amount)} + ` : ''}${yuan(p.amount)}${p.basic ? ` + ${yuan(p.adjustment)}` : ''}${p.allowance ? ` + ${yuan(p.allowance.amount)}` : ''}${p.fiscalTopUp ? ` + ${yuan(p.fiscalTopUp.amount)}` : ''} = ${yuan(p.gross)}`,
    p.reconciles
      ? `与发放结果一致 matches what was paid: ${yuan(p.paid?.gross ?? 0)}`
      : `⚠ 与发放结果不一致 does NOT match what was paid: ${p.paid ? yuan(p.paid.gross) : 'no line'}`,
  );
  if (p.score) out.push('', ...scoreText(p.score));
  return out.join('\n');
}

export function institutionText(e: InstitutionExplanation): string {
  const l = e.lineage;
  const out = [
    `${e.institution.name} (${e.institution.id}) · ${e.institution.kind}`,
    `${l.kind} ${l.period} r${l.revision} · 数据版本 dataset v${l.datasetVersion}`,
    '',
    '奖励池 pool:',
    ...poolText(e.pool).map((x) => `  ${x}`),
    `  尾差 leftover ${e.split.leftover} 分 fen to the largest remainders; Σ点数 total points ${showExact(e.split.totalWeight)}`,
    '',
    '人员 people:',
    ...e.lines.map(
      (x) =>
        `  ${x.staffId} ${x.name} 点数 points ${showExact(x.points)} → ${yuan(x.amount)}${x.split?.extraFen ? ' (+1 分 fen)' : ''}${x.reconciles ? '' : ' ⚠'}`,
    ),
  ];
  if (e.score) out.push('', ...scoreText(e.score));
  out.push(
    '',
    e.reconciles ? '全部与发放结果一致 everything matches what was paid' : `⚠ ${e.differences.join('; ')}`,
  );
  return out.join('\n');
}
