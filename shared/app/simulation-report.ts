/**
 * The printable simulation report (模拟测算报告): the distribution of each person's change, the 20 largest
 * gains and losses, and every institution's change — built from the reports' HTML blocks (A4, inline SVG).
 */
import { barChart } from '../reports/html/charts.js';
import { html, type SafeHtml } from '../reports/html/escape.js';
import { figure, money, page, table, yuan } from '../reports/html/layout.js';
import type { Simulation } from './simulation.js';
import type { PersonDiff } from './simulation-diff.js';

const PERIOD_WORDS = { monthly: '月调度', quarterly: '季通报', annual: '年考核' } as const;

function signedMoney(fen: number): SafeHtml {
  const cls = fen > 0 ? 'up' : fen < 0 ? 'down' : '';
  return html`<span class="${cls}">${fen > 0 ? '+' : ''}${fen < 0 ? `-${yuan(-fen)}` : yuan(fen)}</span>`;
}

const num = (fen: number) => ({ num: yuan(fen) });

export function renderSimulationHtml(s: Simulation): string {
  const d = s.diff;
  const name = (id: string) => s.institutionNames[id] ?? id;
  const person = (p: PersonDiff) => [
    html`${s.staffNames[p.staffId] ?? ''}<br><small>${p.staffId}</small>`,
    name(p.institutionId),
    num(p.actual),
    num(p.simulated),
    { center: signedMoney(p.difference) },
  ];
  const gains = [...d.people]
    .filter((p) => p.difference > 0)
    .sort((a, b) => b.difference - a.difference || (a.staffId < b.staffId ? -1 : 1))
    .slice(0, 20);
  const losses = [...d.people]
    .filter((p) => p.difference < 0)
    .sort((a, b) => a.difference - b.difference || (a.staffId < b.staffId ? -1 : 1))
    .slice(0, 20);
  const personHeaders = ['人员', '机构', '现行方案（元）', '模拟方案（元）', '差额'];

  const chart = barChart({
    title: '人员收入变化分布 distribution of differences',
    bars: d.distribution.map((b) => ({
      label: `${b.label} 元`,
      value: b.count,
      display: `${b.count} 人`,
      fill: b.from === 0 && b.to === 1 ? '#bdbdbd' : (b.to ?? 1) <= 0 ? '#ef9a9a' : '#a5d6a7',
    })),
    tickFormat: (v) => String(Math.round(v)),
  });

  const institutionRows = d.institutions.map((i) => [
    html`${name(i.institutionId)}<br><small>${i.institutionId}</small>`,
    { num: i.actual.score ?? '—' },
    { num: i.simulated.score ?? '—' },
    { center: `${i.actual.grade ?? '—'} → ${i.simulated.grade ?? '—'}` },
    { center: `${i.actual.coefficient ?? '—'} → ${i.simulated.coefficient ?? '—'}` },
    money(i.actual.paid),
    money(i.simulated.paid),
    { center: signedMoney(i.paidDifference) },
  ]);
  const poolRows = d.institutions.map((i) => [
    name(i.institutionId),
    html`${yuan(i.actual.pools.monthlyReward)} → ${yuan(i.simulated.pools.monthlyReward)}`,
    html`${yuan(i.actual.pools.holdback)} → ${yuan(i.simulated.pools.holdback)}`,
    html`${yuan(i.actual.pools.quarterlySurplus)} → ${yuan(i.simulated.pools.quarterlySurplus)}`,
    html`${yuan(i.actual.pools.annualBonus)} → ${yuan(i.simulated.pools.annualBonus)}`,
  ]);

  const stored = s.periods.filter((p) => p.actual === 'stored').length;
  const summary = html`<dl class="kv">
<dt>测算人数</dt><dd>${d.counts.people} 人</dd><dt>增加 / 减少 / 不变</dt><dd>${d.counts.winners} / ${d.counts.losers} / ${d.counts.unchanged}</dd>
<dt>现行方案合计</dt><dd>¥${yuan(d.community.actual.paid)}</dd><dt>模拟方案合计</dt><dd>¥${yuan(d.community.simulated.paid)}</dd>
<dt>差额合计</dt><dd>${signedMoney(d.community.difference)}</dd><dt>医共体得分</dt><dd>${d.community.actual.communityScore ?? '—'} → ${d.community.simulated.communityScore ?? '—'}</dd>
<dt>个人差额（最小 / 中位 / 最大）</dt><dd>${signedMoney(d.summary.min)} / ${signedMoney(d.summary.median)} / ${signedMoney(d.summary.max)}</dd><dt>数据版本</dt><dd>${s.datasetVersion === null ? '数据集目录（未导入）' : `v${s.datasetVersion}`}</dd>
</dl>`;

  const body = html`
<p class="note">模拟测算，不是正式结果：未写入任何结果、锁或周期。Simulation only — nothing was paid, locked or stored.
现行方案 #${s.schemeHash}，模拟方案 #${s.draftSchemeHash}；测算期间：${s.periods.map((p) => `${PERIOD_WORDS[p.kind]} ${p.period}`).join('、')}；
其中 ${stored} 个期间的现行数字取自已完成周期的存储结果，其余按现行方案计算。</p>
<section><h2>一、概况</h2>${summary}</section>
<section><h2>二、收入变化分布</h2>${figure('每人全年应发合计的差额（模拟 − 现行），按区间计人数', chart)}</section>
<section><h2>三、增加最多的 20 人</h2>${gains.length ? table(personHeaders, gains.map(person)) : html`<p class="note">无人增加。</p>`}</section>
<section><h2>四、减少最多的 20 人</h2>${losses.length ? table(personHeaders, losses.map(person)) : html`<p class="note">无人减少。</p>`}</section>
<section class="page-break"><h2>五、各单位变化</h2>${table(['机构', '现行得分', '模拟得分', '等级', '系数', '现行发放', '模拟发放', '差额'], institutionRows)}
<h3>奖励池（现行 → 模拟，元）</h3>${table(['机构', '月度奖励已分配', '月度预留', '季度结余奖励池', '年度考核奖励池'], poolRows)}</section>
<section><h2>六、变化的结果文件</h2>${d.changedFiles.length ? html`<p class="note">${d.changedFiles.join('、')}</p>` : html`<p class="note">与现行结果完全相同（0 处差异）。</p>`}</section>`;

  return page({
    title: `${s.year} 年考核方案模拟测算报告`,
    subtitle: `${s.communityId} · 模拟测算 scheme simulation`,
    body,
    sources: [],
  });
}
