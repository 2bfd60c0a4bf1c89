/**
 * The printable page every report shares: A4 with @page margins, a Chinese font stack that exists on
 * Windows, macOS, Linux and in WPS, table headers that repeat on each printed page, rows that do not
 * split, and nothing loaded from anywhere (no link, no script, no web font, no image file).
 */
import { fenToYuanString } from '../../export/money-format.js';
import { STATUS_LABELS } from '../common.js';
import type { CycleSource, Status } from '../schemas.js';
import { type HtmlValue, html, SafeHtml } from './escape.js';

const CSS = `
@page { size: A4 portrait; margin: 14mm 12mm 16mm 12mm;
  @bottom-center { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 8pt; color: #555; } }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: #111; background: #fff;
  font: 10pt/1.5 "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "SimSun", sans-serif; }
main { max-width: 186mm; margin: 0 auto; }
header.title { text-align: center; border-bottom: 1.5pt solid #333; padding-bottom: 2mm; margin-bottom: 4mm; }
header.title h1 { font-size: 17pt; margin: 0 0 1mm; letter-spacing: 0.05em; }
header.title p { margin: 0; color: #444; font-size: 9pt; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; padding-left: 2mm; border-left: 3pt solid #1f4e79; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm; break-after: avoid; page-break-after: avoid; }
p.note { color: #444; font-size: 8.5pt; margin: 1mm 0 2mm; }
table { width: 100%; border-collapse: collapse; font-size: 8.8pt; margin: 1mm 0 3mm; }
th, td { border: 0.5pt solid #999; padding: 0.8mm 1.4mm; vertical-align: top; }
th { background: #e8edf3; font-weight: bold; text-align: center; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.c { text-align: center; }
thead { display: table-header-group; }
tfoot { display: table-row-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
tr.total td { font-weight: bold; background: #f4f6f8; }
figure { margin: 2mm 0 4mm; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-size: 9pt; color: #333; margin-bottom: 1mm; font-weight: bold; }
svg.chart { display: block; max-width: 100%; height: auto; }
.badge { display: inline-block; padding: 0 1.5mm; border-radius: 1mm; font-size: 8.5pt; white-space: nowrap; }
.status-green { background: #a5d6a7; } .status-amber { background: #ffe082; }
.status-red { background: #ef9a9a; } .status-grey { background: #e0e0e0; }
.up { color: #1b5e20; } .down { color: #b71c1c; }
.red-list { border: 1pt solid #b71c1c; padding: 2mm 3mm; margin: 2mm 0 4mm; }
.red-list h3 { color: #b71c1c; margin-top: 0; }
.warnings li { margin-bottom: 0.8mm; }
dl.kv { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 0.5mm 3mm; margin: 1mm 0 3mm; font-size: 9pt; }
dl.kv dt { color: #444; } dl.kv dd { margin: 0; }
footer.lineage { margin-top: 6mm; border-top: 0.5pt solid #999; padding-top: 1.5mm; font-size: 8pt; color: #555; }
.page-break { break-before: page; page-break-before: always; }
section.signatures { display: flex; justify-content: space-between; gap: 8mm; margin-top: 10mm; font-size: 10pt; break-inside: avoid; page-break-inside: avoid; }
section.signatures div { flex: 1; border-bottom: 0.5pt solid #333; padding-bottom: 6mm; }
ol.legend { columns: 2; font-size: 8.5pt; margin: 0 0 3mm; padding-left: 6mm; }
@media screen {
  body { background: #eef0f3; }
  main { background: #fff; margin: 8mm auto; padding: 12mm; box-shadow: 0 1px 4px rgba(0,0,0,.2); }
}
`;

/** A constant of this module, never data: the one fragment not built by the `html` tag. */
const STYLESHEET = new SafeHtml(CSS);

export interface PageOptions {
  title: string;
  subtitle: string;
  body: SafeHtml;
  sources: readonly CycleSource[];
  /** Signature lines (编制/审核/批准) under a report; a pay slip has none. Default true. */
  signatures?: boolean;
}

/** Where the figures come from, printed at the foot of every report. */
export function sourceLine(s: CycleSource): string {
  const review = s.approvedBy ? `；财务审核 ${s.approvedBy} ${s.approvedAt ?? ''}` : '';
  // The seal and its place in the audit chain: `medcomm audit verify` checks a paper copy against them.
  const seal = s.seal
    ? ` · 封存 seal ${s.seal.slice(0, 16)}${s.chainPosition ? ` · 审计链第 ${s.chainPosition} 条 chain #${s.chainPosition}` : ''}`
    : '';
  return `${s.kind} ${s.period} 第 ${s.revision} 次运行 · 数据版本 v${s.datasetVersion} · ${s.schemeYear} 年考核方案 #${s.schemeHash} · 发起 ${s.startedBy} ${s.startedAt}${review}${seal}`;
}

export function page(options: PageOptions): string {
  return html`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title}</title>
<style>${STYLESHEET}</style>
</head>
<body>
<main>
<header class="title"><h1>${options.title}</h1><p>${options.subtitle}</p></header>
${options.body}
${options.signatures === false ? '' : html`<section class="signatures" aria-label="签字 signatures"><div>编制：</div><div>审核：</div><div>批准：</div></section>`}
<footer class="lineage"><div>数据来源 Lineage：</div>${options.sources.map((s) => html`<div>${sourceLine(s)}</div>`)}<div>金额单位：元。本页由 MedComm Pay 根据已完成周期的存储结果生成，可直接打印（A4）。</div></footer>
</main>
</body>
</html>
`.value;
}

// ── small building blocks ───────────────────────────────────────────────────────────────────────────

/** 1234567 fen → "12,345.67" (integer arithmetic, never a float). */
export function yuan(fen: number): string {
  const [whole = '', fraction = ''] = fenToYuanString(fen).split('.');
  return `${whole.replace(/\B(?=(\d{3})+$)/g, ',')}.${fraction}`;
}

/** "0.83" → "+0.83", "-8.94" stays, null → "—". */
export function signed(change: string | null): SafeHtml {
  if (change === null) return html`<span>—</span>`;
  const negative = change.startsWith('-');
  const zero = /^-?0(\.0+)?$/.test(change);
  return html`<span class="${zero ? '' : negative ? 'down' : 'up'}">${negative || zero ? change : `+${change}`}</span>`;
}

export function statusBadge(status: Status): SafeHtml {
  return html`<span class="badge status-${status}">${STATUS_LABELS[status]}</span>`;
}

export type Cell = HtmlValue | { num: string } | { center: HtmlValue };

function cell(value: Cell): SafeHtml {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof SafeHtml)) {
    if ('num' in value) return html`<td class="num">${value.num}</td>`;
    if ('center' in value) return html`<td class="c">${value.center}</td>`;
  }
  return html`<td>${value as HtmlValue}</td>`;
}

/** A table with a repeating header; `total` is a bold last row. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  total?: readonly Cell[],
): SafeHtml {
  return html`<table><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map(
    (r) => html`<tr>${r.map(cell)}</tr>`,
  )}${total ? html`<tr class="total">${total.map(cell)}</tr>` : ''}</tbody></table>`;
}

export const money = (fen: number) => ({ num: yuan(fen) });

export function figure(caption: string, chart: SafeHtml, after: HtmlValue = ''): SafeHtml {
  return html`<figure><figcaption>${caption}</figcaption>${chart}${after}</figure>`;
}
