/** The monthly dispatch report (月度绩效调度表) as one printable page. */
import { rational, toFixedHalfUp } from '../../domain/rational.js';
import { INSTITUTION_KIND_LABELS } from '../common.js';
import type { MonthlyDispatchReport } from '../schemas.js';
import { barChart } from './charts.js';
import { html } from './escape.js';
import { figure, money, page, table, yuan } from './layout.js';
import { attainmentFigure, warningList } from './parts.js';

export function renderMonthlyHtml(report: MonthlyDispatchReport): string {
  const t = report.totals;
  const indicatorName = new Map(report.indicators.map((i) => [i.indicatorId, i.name]));
  const staffOf = new Map(report.staff.map((s) => [s.staffId, s]));
  const institutions = report.institutions;
  const missingCount = institutions.reduce((n, i) => n + i.dispatch.missingSubmissions.length, 0);
  const idleCount = institutions.reduce((n, i) => n + i.dispatch.staffWithoutWorkload.length, 0);

  const summary = html`<dl class="kv">
<dt>成员单位</dt><dd>${institutions.length} 家</dd><dt>发放人数</dt><dd>${t.lines} 人</dd>
<dt>应发合计</dt><dd>¥${yuan(t.gross)}</dd><dt>基础性绩效</dt><dd>¥${yuan(t.basic)}</dd>
<dt>奖励性绩效</dt><dd>¥${yuan(t.reward)}</dd><dt>调整（补发/扣回）</dt><dd>¥${yuan(t.adjustment)}</dd>
<dt>本月奖励池</dt><dd>¥${yuan(t.pool)}</dd><dt>转入年度预留</dt><dd>¥${yuan(t.holdback + t.undistributed)}</dd>
<dt>缺报指标</dt><dd>${missingCount} 项</dd><dt>在册无工作量</dt><dd>${idleCount} 人</dd>
</dl>`;

  const dispatchRows = institutions.map((i) => [
    html`${i.name}<br><small>${i.institutionId}</small>`,
    i.dispatch.missingSubmissions.length === 0
      ? '—'
      : i.dispatch.missingSubmissions.map((id) => indicatorName.get(id) ?? id).join('、'),
    i.dispatch.staffWithoutWorkload.length === 0
      ? '—'
      : i.dispatch.staffWithoutWorkload
          .map((id) => {
            const s = staffOf.get(id);
            return s ? `${s.name}（${id}${s.department ? `，${s.department}` : ''}）` : id;
          })
          .join('、'),
  ]);

  const statusRows = institutions.map((i) => [
    i.name,
    { num: i.dispatch.yearToDate.score },
    { num: String(i.statusCounts.green) },
    { num: String(i.statusCounts.amber) },
    { num: String(i.statusCounts.red) },
    { num: String(i.statusCounts.grey) },
  ]);

  const poolRows = institutions.map((i) => [
    html`${i.name}<br><small>${INSTITUTION_KIND_LABELS[i.kind] ?? i.kind}</small>`,
    {
      num:
        i.basicSharePercent === null ? '—' : `${i.basicSharePercent}%${i.basicShareOutOfRange ? ' ⚠' : ''}`,
    },
    money(i.reward),
    money(i.pool),
    money(i.holdback),
    money(i.distributable),
    money(i.undistributed),
  ]);

  const paidRows = institutions.map((i) => [
    i.name,
    { num: String(i.headcount) },
    money(i.paid.basic),
    money(i.paid.reward),
    money(i.paid.adjustment),
    money(i.paid.gross),
  ]);

  const body = html`
<section><h2>一、本月概况</h2>${summary}</section>
<section><h2>二、预警事项</h2>${warningList(report.warnings, '本月无预警事项。')}</section>
<section><h2>三、数据报送与在岗情况</h2>
<p class="note">缺报指标按 0 分计入考核；在册职工本月无工作量记录的，本月不发放其绩效工资，请核实是否离岗、休假或漏报。</p>
${table(['机构', '本月缺报指标', '在册但无工作量记录的职工'], dispatchRows)}</section>
<section><h2>四、年度累计指标状态（1 月至本月）</h2>
<p class="note">得分率 = 指标得分 ÷ 权重：≥95% 达标（绿），≥80% 预警（黄），其余未达标（红），无数据为缺报（灰）。</p>
${figure(
  '图 1　各单位年度累计综合得分',
  barChart({
    title: '各单位年度累计综合得分',
    max: 100,
    bars: institutions.map((i) => ({
      label: i.name,
      value: Number(i.dispatch.yearToDate.score),
      display: i.dispatch.yearToDate.score,
      fill: '#1f4e79',
    })),
  }),
)}
${attainmentFigure(
  '图 2　指标达成情况（年度累计得分率）',
  report.indicators,
  institutions.map((i) => ({ name: i.name, lines: i.yearToDate })),
)}
${table(['机构', '累计得分', '达标', '预警', '未达标', '缺报'], statusRows)}</section>
<section><h2>五、奖励池与发放</h2>
<p class="note">奖励性绩效总量 R = 核定总量 T − 12 × 基础性绩效；本月奖励池 M 的 ${report.holdbackRate} 转入年度预留，其余按点数分配。基础性绩效占比应在 ${report.basicShareRange[0]}–${report.basicShareRange[1]} 之间（⚠ 为超出）。</p>
${table(
  ['机构', '基础性绩效占比', '年奖励总量 R', '本月奖励池 M', '预留 H', '可分配 D', '未分配'],
  poolRows,
  [
    '合计',
    '',
    money(institutions.reduce((n, i) => n + i.reward, 0)),
    money(t.pool),
    money(t.holdback),
    money(t.distributable),
    money(t.undistributed),
  ],
)}
${table(['机构', '人数', '基础性绩效', '奖励性绩效', '调整', '应发合计'], paidRows, [
  '合计',
  { num: String(t.lines) },
  money(t.basic),
  money(t.reward),
  money(t.adjustment),
  money(t.gross),
])}${v2Sections(institutions)}</section>`;

  return page({
    title: `${report.community.name} ${report.period} 月度绩效调度表`,
    subtitle: `月调度 · 第 ${report.revision} 次运行 · 数据版本 v${report.datasetVersion}`,
    body,
    sources: [report.source],
  });
}

/**
 * DOMAIN.md §9: each department's points P_d, pool and mode (§9.1), and each funding-1 institution's
 * fiscal claim for the floor's top-ups (§9.2); nothing for a v1 month.
 */
function v2Sections(institutions: MonthlyDispatchReport['institutions']) {
  const departmentRows = institutions.flatMap((i) =>
    (i.departments ?? []).map((d) => [
      i.name,
      d.departmentId,
      { num: toFixedHalfUp(rational(d.points)) },
      money(d.pool),
      d.mode === 'manual' ? '科室负责人分配' : '按点数（规则）',
    ]),
  );
  const claims = institutions.filter((i) => i.fiscalClaim !== undefined && i.fiscalClaim > 0);
  return html`${
    departmentRows.length === 0
      ? ''
      : html`
<h3>科室二次分配</h3>
<p class="note">可分配 D 先按科室点数 P = 科室系数 × 科室人员点数之和分到科室，再在科室内按个人点数分配。</p>
${table(['机构', '科室', '科室点数 P', '科室奖励池', '二次分配方式'], departmentRows)}`
  }${
    claims.length === 0
      ? ''
      : html`
<h3>财政保底补足申请</h3>
<p class="note">公益一类单位在岗人员 基础性绩效 + 奖励性绩效 低于保底标准（按出勤折算）的差额，由县财政补足，不占用他人奖励。</p>
${table(
  ['机构', '财政补助申请'],
  claims.map((i) => [i.name, money(i.fiscalClaim!)]),
  ['合计', money(claims.reduce((n, i) => n + i.fiscalClaim!, 0))],
)}`
  }`;
}
