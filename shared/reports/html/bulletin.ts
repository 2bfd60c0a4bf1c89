/** The quarterly bulletin (季度绩效考核通报) as one printable page. */
import { INSTITUTION_KIND_LABELS } from '../common.js';
import type { QuarterlyBulletinReport } from '../schemas.js';
import { html, join, type SafeHtml } from './escape.js';
import { money, page, signed, table, yuan } from './layout.js';
import { attainmentFigure, redListBox, scoreBars, trendFigure } from './parts.js';

export function renderBulletinHtml(report: QuarterlyBulletinReport): string {
  const byId = new Map(report.institutions.map((i) => [i.institutionId, i]));
  const indicatorName = new Map(report.indicators.map((i) => [i.indicatorId, i.name]));
  const t = report.totals;
  const groupLabel = new Map(report.peerGroups.map((g) => [g.peerGroup, g.label]));

  const summary = html`<dl class="kv">
<dt>参评单位</dt><dd>${report.institutions.length} 家</dd><dt>红色名单</dt><dd>${report.redList.length} 家</dd>
<dt>结余合计</dt><dd>¥${yuan(t.surplus)}</dd><dt>提取发展基金</dt><dd>¥${yuan(t.fundExtraction)}</dd>
<dt>结余奖励池</dt><dd>¥${yuan(t.pool)}</dd><dt>已分配到人</dt><dd>¥${yuan(t.allocated)}</dd>
<dt>对比期</dt><dd>${report.previous ? report.previous.period : '—（第一季度无对比）'}</dd><dt>财务审核</dt><dd>${report.source.approvedBy ?? '—'}</dd>${communityOwnLine(report.communityOwn)}
</dl>`;

  const rankings = report.peerGroups.map((g) => {
    const rows = g.institutionIds.map((id) => {
      const i = byId.get(id)!;
      return [
        { center: String(i.rank) },
        html`${i.name}<br><small>${INSTITUTION_KIND_LABELS[i.kind] ?? i.kind} · ${i.institutionId}</small>`,
        { num: i.score },
        { center: i.redListed ? html`<strong class="down">${i.grade}</strong>` : i.grade },
        { num: i.previousScore ?? '—' },
        { center: signed(i.change) },
        html`达标 ${i.statusCounts.green} · 预警 ${i.statusCounts.amber} · 未达标 ${i.statusCounts.red} · 缺报 ${i.statusCounts.grey}`,
      ];
    });
    return html`<h3>${g.label}（${g.institutionIds.length} 家）</h3>${table(['排名', '机构', '得分', '等级', '上季度', '变化', '指标状态'], rows)}`;
  });

  const missing = report.institutions.filter((i) => i.missingIndicators.length > 0);
  const notDue = [...new Set(report.institutions.flatMap((i) => i.notDueIndicators ?? []))];
  const notDueNote =
    notDue.length === 0
      ? ''
      : html`<p class="note">未到报送期（不计为缺报，按考核办法本季度计 0 分）：${notDue.map((id) => indicatorName.get(id) ?? id).join('、')}</p>`;
  const missingSection =
    missing.length === 0
      ? html`<p class="note">本季度各单位考核指标均已报送。</p>`
      : table(
          ['机构', '缺报指标（按 0 分计）'],
          missing.map((i) => [
            i.name,
            i.missingIndicators.map((id) => indicatorName.get(id) ?? id).join('、'),
          ]),
        );

  const surplusRows = report.institutions.map((i) => [
    i.name,
    money(i.surplus),
    money(i.fundExtraction),
    money(i.pool),
    money(i.allocated),
    money(i.undistributed),
    { num: String(i.paidStaff) },
  ]);

  const body = html`
<section><h2>一、本季度概况</h2>${summary}</section>
<section><h2>二、红色名单</h2>${redListBox(
    report.redListGrade,
    report.redList.map((r) => ({
      name: r.name,
      institutionId: r.institutionId,
      score: r.score,
      rankText: `${groupLabel.get(r.peerGroup) ?? r.peerGroup}第 ${r.rank} 名`,
    })),
  )}</section>
<section><h2>三、考核得分与排名</h2>
${scoreBars('图 1　各单位本季度考核得分', report.institutions, report.grades)}
${rankings}
${trendFigure('图 2　得分季度走势', report.trend, report.peerGroups)}</section>
<section><h2>四、指标达成情况</h2>
${attainmentFigure(
  '图 3　本季度指标得分率',
  report.indicators,
  report.institutions.map((i) => ({ name: i.name, lines: i.indicators })),
)}
${missingSection}${notDueNote}</section>
<section><h2>五、季度结余奖励（两个允许）</h2>
<p class="note">结余 = 医疗服务收入 − 运行成本（药品、耗材、检查检验收入不计入）；结余为正时先提取发展基金，余额按比例形成奖励池，经财务审核后按职工本季度点数分配。</p>
${table(['机构', '结余 S', '提取发展基金 F', '奖励池 Q', '已分配', '未分配', '获奖人数'], surplusRows, [
  '合计',
  money(t.surplus),
  money(t.fundExtraction),
  money(t.pool),
  money(t.allocated),
  money(t.undistributed),
  { num: String(report.institutions.reduce((n, i) => n + i.paidStaff, 0)) },
])}</section>`;

  return page({
    title: `${report.community.name} ${report.period} 季度绩效考核通报`,
    subtitle: `季通报 · 第 ${report.source.revision} 次运行 · 数据版本 v${report.source.datasetVersion}`,
    body,
    sources: [report.source, ...(report.previous ? [report.previous] : [])],
  });
}

/** §9.3: the community's own score S_c and its indicators, one line of the summary. */
export function communityOwnLine(own: QuarterlyBulletinReport['communityOwn']): SafeHtml | string {
  if (own === undefined) return '';
  const parts = own.indicators.map((k) => html`${k.indicatorId} ${k.missing ? '缺报' : k.score}`);
  return html`
<dt>总院自身得分 S_c</dt><dd><strong>${own.score}</strong>（${join(parts, '；')}）</dd>`;
}
