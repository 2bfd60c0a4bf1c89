/** The annual appraisal and settlement report (年度绩效考核与结算报告) as one printable page. */
import { rational, toFixedHalfUp } from '../../domain/rational.js';
import { decimalOf, INSTITUTION_KIND_LABELS, PEER_GROUP_LABELS } from '../common.js';
import { type AnnualAppraisalReport, PoolKind } from '../schemas.js';
import { communityOwnLine } from './bulletin.js';
import { barChart } from './charts.js';
import { html, type SafeHtml } from './escape.js';
import { figure, money, page, table, yuan } from './layout.js';
import { attainmentFigure, describeSources, redListBox, scoreBars, trendFigure } from './parts.js';

const POOL_ORDER = PoolKind.options;

const percent = (rate: string) => `${toFixedHalfUp(rational(rate).mul(100))}%`;

function insuranceSection(report: AnnualAppraisalReport): SafeHtml {
  const ins = report.insurance;
  const nameOf = new Map(report.institutions.map((i) => [i.institutionId, i.name]));
  if (ins.outcome === 'surplus') {
    const rows = Object.entries(ins.payPartByInstitution)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, amount]) => [nameOf.get(id) ?? id, money(amount)]);
    return html`<dl class="kv">
<dt>医保基金预算</dt><dd>¥${yuan(ins.budget)}</dd><dt>实际支出</dt><dd>¥${yuan(ins.actual)}</dd>
<dt>结余</dt><dd>¥${yuan(ins.surplus)}</dd><dt>留用（按医共体等级 ${report.communityGrade}）</dt><dd>¥${yuan(ins.retained)}</dd>
<dt>返还基金</dt><dd>¥${yuan(ins.returned)}</dd><dt>用于绩效</dt><dd>¥${yuan(ins.payPart)}</dd>
<dt>医共体发展基金</dt><dd>¥${yuan(ins.developmentPart)}</dd><dt></dt><dd></dd>
</dl>${table(['机构', '医保结余用于绩效部分'], rows, ['合计', money(ins.payPart)])}`;
  }
  if (ins.outcome === 'overspend') {
    return html`<dl class="kv">
<dt>医保基金预算</dt><dd>¥${yuan(ins.budget)}</dd><dt>实际支出</dt><dd>¥${yuan(ins.actual)}</dd>
<dt>超支</dt><dd>¥${yuan(ins.overspend)}</dd><dt>认定合理超支</dt><dd>¥${yuan(ins.reasonable)}</dd>
<dt>基金分担</dt><dd>¥${yuan(ins.fundBears)}</dd><dt>医共体承担</dt><dd>¥${yuan(ins.communityBears)}</dd>
</dl><p class="note">超支不自动扣减任何人的绩效工资，由财务记录处理意见。</p>`;
  }
  return html`<p class="note">医保基金预算 ¥${yuan(ins.budget)}，实际支出 ¥${yuan(ins.actual)}，收支平衡，无需结算。</p>`;
}

export function renderAnnualHtml(report: AnnualAppraisalReport): string {
  const t = report.totals;
  const institutions = report.institutions;
  const nameOf = new Map(institutions.map((i) => [i.institutionId, i.name]));
  const leaderName = new Map(report.leaders.map((l) => [l.staffId, l.name]));
  const peerGroups = (['county', 'primary', 'centre'] as const).map((g) => ({
    label: PEER_GROUP_LABELS[g],
    institutionIds: institutions.filter((i) => i.peerGroup === g).map((i) => i.institutionId),
  }));

  const summary = html`<dl class="kv">
<dt>医共体综合得分</dt><dd><strong>${report.communityScore}</strong>（${report.communityGrade}）</dd><dt>参评单位</dt><dd>${institutions.length} 家</dd>${communityOwnLine(report.communityOwn)}
<dt>年度考核奖励池</dt><dd>¥${yuan(t.annualBonusPool)}</dd><dt>负责人年薪合计</dt><dd>¥${yuan(t.leaderSalaries)}</dd>
<dt>本年核定总量</dt><dd>¥${yuan(t.approvedTotal)}</dd><dt>下年核定总量</dt><dd>¥${yuan(t.nextApprovedTotal)}</dd>
<dt>财务审核</dt><dd>${report.source.approvedBy ?? '—'}</dd><dt>红色名单</dt><dd>${institutions.filter((i) => i.redListed).length} 家</dd>
</dl>`;

  const gradeRows = institutions.map((i) => [
    html`${i.name}<br><small>${INSTITUTION_KIND_LABELS[i.kind] ?? i.kind} · ${i.institutionId}</small>`,
    PEER_GROUP_LABELS[i.peerGroup],
    { num: i.score },
    { center: i.redListed ? html`<strong class="down">${i.grade}</strong>` : i.grade },
    { num: i.coefficient },
    money(i.approvedTotal),
    money(i.nextApprovedTotal),
  ]);

  const reserveRows = institutions.map((i) => [
    i.name,
    money(i.reserve),
    money(i.reserveReleased),
    money(i.reserveToDevelopmentFund),
    money(i.insurancePayPart),
    money(i.annualBonusPool),
    money(i.allocated),
  ]);

  const ph = report.publicHealth;
  const phRows = ph.rows.map((r) => [
    r.name,
    money(r.base),
    money(r.preAllocated),
    // q is an exact ratio: printed as a decimal, never as its fraction.
    { num: `${decimalOf(r.quality)}${r.qualityDefaulted ? '*' : ''}` },
    money(r.entitlement),
    money(r.settlement),
  ]);

  const leaderRows = report.leaders.map((l) => [
    l.name,
    l.institutionName,
    money(l.targetAnnualSalary),
    { num: l.coefficient },
    money(l.salary),
  ]);

  const paidRows = institutions.map((i) => {
    const p = i.paidInYear;
    return [
      i.name,
      money(p.basic),
      money(p.reward),
      money(p.adjustment),
      money(p.quarterlySurplus),
      money(p.annualBonus),
      money(p.basic + p.reward + p.adjustment + p.quarterlySurplus + p.annualBonus),
    ];
  });
  const tp = t.paidInYear;

  const lineageRows = [...report.lineage]
    .sort(
      (a, b) =>
        POOL_ORDER.indexOf(a.pool) - POOL_ORDER.indexOf(b.pool) ||
        ((a.institutionId ?? '') < (b.institutionId ?? '') ? -1 : 1),
    )
    .map((p) => [
      p.label,
      p.staffId
        ? `${leaderName.get(p.staffId) ?? p.staffId}（${nameOf.get(p.institutionId ?? '') ?? p.institutionId}）`
        : (nameOf.get(p.institutionId ?? '') ?? p.institutionId ?? '医共体'),
      money(p.amount),
      html`<small>${p.rule}</small>`,
      html`<small>${describeSources(p.sources)}</small>`,
    ]);

  const body = html`
<section><h2>一、年度考核结果</h2>${summary}
${redListBox(
  report.redListGrade,
  institutions
    .filter((i) => i.redListed)
    .map((i) => ({
      name: i.name,
      institutionId: i.institutionId,
      score: i.score,
      rankText: `系数 ${i.coefficient}`,
    })),
)}
${scoreBars('图 1　各单位年度考核得分', institutions, report.grades)}
${trendFigure('图 2　得分季度走势（第一至第四季度）', report.trend, peerGroups)}
${table(['机构', '组别', '年度得分', '等级', '系数', '本年核定总量 T', "下年核定总量 T'"], gradeRows, [
  '合计',
  '',
  '',
  '',
  '',
  money(t.approvedTotal),
  money(t.nextApprovedTotal),
])}</section>
<section><h2>二、指标达成情况</h2>
${attainmentFigure(
  '图 3　年度指标得分率',
  report.indicators,
  institutions.map((i) => ({ name: i.name, lines: i.indicators })),
)}</section>
<section><h2>三、年度预留释放与年度考核奖励</h2>
<p class="note">年度预留 = 各月预留 + 未分配奖励池；按等级释放，其余转入单位发展基金。年度考核奖励池 = 释放的预留 + 医保结余用于绩效部分，经财务审核后按全年点数分配。</p>
${figure(
  '图 4　各单位年度考核奖励池',
  barChart({
    title: '各单位年度考核奖励池',
    tickFormat: (v) => `${Math.round(v / 100).toLocaleString('en-US')}`,
    bars: institutions.map((i) => ({
      label: i.name,
      value: i.annualBonusPool,
      display: `¥${yuan(i.annualBonusPool)}`,
      fill: '#1f4e79',
    })),
  }),
)}
${table(['机构', '年度预留 A', '释放', '转发展基金', '医保绩效部分', '年度奖励池', '已分配'], reserveRows, [
  '合计',
  money(t.reserve),
  money(t.reserveReleased),
  money(t.reserveToDevelopmentFund),
  money(t.insurancePayPart),
  money(t.annualBonusPool),
  money(t.allocated),
])}</section>
<section><h2>四、医保基金打包结算</h2>${insuranceSection(report)}</section>
<section><h2>五、基本公共卫生经费结算</h2>
<p class="note">经费总额 ¥${yuan(ph.total)} = 人均 ¥${yuan(ph.perCapita)} × 常住人口 ${ph.residentPopulation}；年初预拨 ${percent(ph.preAllocationRate)}；核定 = 基数 × 公卫质量系数 q；结算为负即扣回。医共体留存 ¥${yuan(ph.retainedByCommunity)}。${ph.rows.some((r) => r.qualityDefaulted) ? '标 * 者无适用的公卫指标，q 按 1 计。' : ''}</p>
${table(['机构', '基数', '预拨', '质量系数 q', '核定', '结算（补拨/扣回）'], phRows, [
  '合计',
  money(ph.rows.reduce((n, r) => n + r.base, 0)),
  money(ph.rows.reduce((n, r) => n + r.preAllocated, 0)),
  '',
  money(ph.rows.reduce((n, r) => n + r.entitlement, 0)),
  money(ph.rows.reduce((n, r) => n + r.settlement, 0)),
])}</section>
<section><h2>六、负责人年薪</h2>
${report.leaders.length === 0 ? html`<p class="note">本年度无负责人年薪。</p>` : table(['姓名', '机构', '目标年薪', '系数', '核定年薪'], leaderRows, ['合计', '', '', '', money(t.leaderSalaries)])}</section>
<section><h2>七、全年绩效工资发放</h2>
${table(['机构', '基础性绩效', '奖励性绩效', '调整', '季度结余奖励', '年度考核奖励', '合计'], paidRows, [
  '合计',
  money(tp.basic),
  money(tp.reward),
  money(tp.adjustment),
  money(tp.quarterlySurplus),
  money(tp.annualBonus),
  money(tp.basic + tp.reward + tp.adjustment + tp.quarterlySurplus + tp.annualBonus),
])}</section>
${report.warnings.length ? html`<section><h2>提示</h2><ul class="warnings">${report.warnings.map((w) => html`<li>${w.message}</li>`)}</ul></section>` : ''}
<section class="page-break"><h2>附：资金来源追溯</h2>
<p class="note">每一笔资金池金额对应的计算规则、周期（第几次运行）、数据版本和考核方案；逐期明细见 appraisal-report.json 的 lineage。</p>
${table(['资金池', '机构/人员', '金额', '规则', '来源'], lineageRows)}</section>`;

  return page({
    title: `${report.community.name} ${report.year} 年度绩效考核与结算报告`,
    subtitle: `年考核 · 第 ${report.source.revision} 次运行 · 数据版本 v${report.source.datasetVersion}`,
    body,
    sources: [report.source],
  });
}
