/** Sections two or three reports share: the score bars, the trend, the attainment grid, the red list. */
import { STATUS_LABELS } from '../common.js';
import type { IndicatorInfo, IndicatorLine, LineageSource, Trend, Warning } from '../schemas.js';
import { barChart, type GridCell, lineChart, statusGrid } from './charts.js';
import { html, join, type SafeHtml } from './escape.js';
import { figure } from './layout.js';

/** Bar fill by grade position: best band green … lowest (the red list) red. */
const GRADE_FILLS = ['#2e7d32', '#1976d2', '#f9a825', '#c62828'];

export function gradeFill(grades: readonly { grade: string }[], grade: string): string {
  const i = grades.findIndex((g) => g.grade === grade);
  if (i < 0) return '#777';
  if (i === grades.length - 1) return GRADE_FILLS[3] as string;
  return GRADE_FILLS[Math.min(i, 2)] as string;
}

export function scoreBars(
  caption: string,
  institutions: readonly { name: string; institutionId: string; score: string; grade: string }[],
  grades: readonly { grade: string; min: string }[],
): SafeHtml {
  return figure(
    caption,
    barChart({
      title: caption,
      max: 100,
      markers: grades
        .filter((g) => Number(g.min) > 0)
        .map((g) => ({ value: Number(g.min), label: `${g.grade} ${g.min}` })),
      bars: institutions.map((i) => ({
        label: i.name,
        value: Number(i.score),
        display: `${i.score} ${i.grade}`,
        fill: gradeFill(grades, i.grade),
      })),
    }),
  );
}

/** Above this many lines one chart becomes a tangle: draw one chart per peer group instead. */
const MAX_LINES = 12;

/**
 * The score trend by quarter. A county with more institutions than MAX_LINES gets one chart per peer
 * group (county hospitals, primary care, centres), so each line can still be followed.
 */
export function trendFigure(
  caption: string,
  trend: Trend,
  groups: readonly { label: string; institutionIds: readonly string[] }[] = [],
): SafeHtml {
  const chart = (title: string, series: Trend['series']) =>
    figure(
      title,
      lineChart({
        title,
        periods: trend.periods,
        series: series.map((s) => ({
          label: s.name,
          values: s.scores.map((v) => (v === null ? null : Number(v))),
        })),
      }),
    );
  if (trend.series.length <= MAX_LINES || groups.length === 0) return chart(caption, trend.series);
  return join(
    groups
      .map((g) => ({
        label: g.label,
        series: trend.series.filter((s) => g.institutionIds.includes(s.institutionId)),
      }))
      .filter((g) => g.series.length > 0)
      .map((g) => chart(`${caption}：${g.label}`, g.series)),
  );
}

/** Institutions × indicators coloured by status, with the numbered indicator legend under it. */
export function attainmentFigure(
  caption: string,
  indicators: readonly IndicatorInfo[],
  institutions: readonly { name: string; lines: readonly IndicatorLine[] }[],
): SafeHtml {
  const columns = indicators.map((_, i) => String(i + 1));
  const rows = institutions.map((inst) => ({
    label: inst.name,
    cells: indicators.map((ind): GridCell | null => {
      const line = inst.lines.find((l) => l.indicatorId === ind.indicatorId);
      if (!line) return null;
      return {
        status: line.status,
        text: line.missing ? '缺' : line.attainmentPercent === null ? '—' : `${line.attainmentPercent}%`,
        short: line.missing
          ? '缺'
          : line.attainmentPercent === null
            ? '—'
            : (line.attainmentPercent.split('.')[0] as string),
        title: `${ind.name}: ${STATUS_LABELS[line.status]}，得分 ${line.score}/${line.weight}${line.value === null ? '' : `，值 ${line.value}`}`,
      };
    }),
  }));
  return figure(
    caption,
    statusGrid({ title: caption, columns, rows }),
    html`<ol class="legend">${indicators.map((i) => html`<li>${i.name}（权重 ${i.weight}${i.bonus ? '，加分项' : ''}）</li>`)}</ol>`,
  );
}

export function warningList(warnings: readonly Warning[], none: string): SafeHtml {
  if (warnings.length === 0) return html`<p class="note">${none}</p>`;
  return html`<ul class="warnings">${warnings.map((w) => html`<li>${w.message}</li>`)}</ul>`;
}

export function redListBox(
  grade: string,
  list: readonly { name: string; institutionId: string; score: string; rankText: string }[],
): SafeHtml {
  if (list.length === 0) {
    return html`<div class="red-list"><h3>红色名单（等级 ${grade}）</h3><p class="note">本期无机构评为 ${grade}。</p></div>`;
  }
  return html`<div class="red-list"><h3>红色名单（等级 ${grade}）— ${list.length} 家</h3><ul>${list.map(
    (r) => html`<li><strong>${r.name}</strong>（${r.institutionId}）得分 ${r.score}，${r.rankText}</li>`,
  )}</ul></div>`;
}

const KIND_WORDS: Readonly<Record<string, string>> = { monthly: '月度', quarterly: '季度', annual: '年度' };

/**
 * Sources in a line a person can read: runs of consecutive periods from the same revision, dataset
 * version and scheme are shown as a range ("月度 2026-01～2026-12 · r1 · 数据 v1 · 方案 2026").
 */
export function describeSources(sources: readonly LineageSource[]): string {
  if (sources.length === 0) return '—';
  if (sources.length <= 2) {
    return sources
      .map(
        (s) =>
          `${KIND_WORDS[s.kind] ?? s.kind} ${s.period} · r${s.revision} · 数据 v${s.datasetVersion} · 方案 ${s.schemeYear}：${s.what}`,
      )
      .join('；');
  }
  const groups: { first: LineageSource; last: LineageSource; count: number }[] = [];
  for (const s of sources) {
    const g = groups.at(-1);
    if (
      g &&
      g.first.kind === s.kind &&
      g.first.revision === s.revision &&
      g.first.datasetVersion === s.datasetVersion &&
      g.first.schemeHash === s.schemeHash
    ) {
      g.last = s;
      g.count += 1;
    } else groups.push({ first: s, last: s, count: 1 });
  }
  return groups
    .map((g) => {
      const range = g.count === 1 ? g.first.period : `${g.first.period}～${g.last.period}（${g.count} 期）`;
      return `${KIND_WORDS[g.first.kind] ?? g.first.kind} ${range} · r${g.first.revision} · 数据 v${g.first.datasetVersion} · 方案 ${g.first.schemeYear}`;
    })
    .join('；');
}
