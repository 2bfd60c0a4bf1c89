/**
 * Charts as inline SVG, drawn here so a report needs no script, no font and no file beside it, prints
 * the same everywhere and can be archived as one page. Geometry uses plain numbers (it is drawing, not
 * money); every label goes through the escaping `html` tag.
 */
import { html, join, type SafeHtml } from './escape.js';

export const STATUS_FILL = { green: '#a5d6a7', amber: '#ffe082', red: '#ef9a9a', grey: '#e0e0e0' } as const;
export type StatusKey = keyof typeof STATUS_FILL;

/** Distinguishable on screen and still apart in greyscale print (paired with dash patterns). */
const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
];
const DASHES = ['', '6 3', '2 2', '8 3 2 3'];

const WIDTH = 680;
const f = (n: number) => (Math.round(n * 10) / 10).toString();

/** Display width: CJK and other wide characters count two. */
function units(text: string): number {
  let w = 0;
  for (const ch of text) w += (ch.codePointAt(0) ?? 0) >= 0x2e80 ? 2 : 1;
  return w;
}

/** Cuts a label to `max` display units with an ellipsis; the full text stays in a <title>. */
export function clip(text: string, max: number): string {
  if (units(text) <= max) return text;
  let out = '';
  for (const ch of text) {
    if (units(out + ch) > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

function svg(width: number, height: number, label: string, body: SafeHtml): SafeHtml {
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${label}" font-size="11">${body}</svg>`;
}

/** A round axis maximum (1, 1.5, 2, … 8 × 10^k) at or above `value`, so five ticks read as round numbers. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10])
    if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function ticks(min: number, max: number, count: number): number[] {
  const step = (max - min) / count;
  return Array.from({ length: count + 1 }, (_, i) => min + i * step);
}

function empty(title: string): SafeHtml {
  return svg(
    WIDTH,
    60,
    title,
    html`<text x="${WIDTH / 2}" y="34" text-anchor="middle" fill="#666">暂无数据 no data</text>`,
  );
}

export interface Bar {
  label: string;
  value: number;
  /** What is printed at the end of the bar ("70.36", "¥30,204.75"). */
  display: string;
  fill: string;
}

export interface BarChartOptions {
  title: string;
  bars: readonly Bar[];
  /** Axis maximum; default the largest value. */
  max?: number;
  /** Vertical reference lines, e.g. grade thresholds. */
  markers?: readonly { value: number; label: string }[];
  tickFormat?: (value: number) => string;
}

/** Horizontal bars, one per row, labelled on the left (long Chinese names fit). */
export function barChart(options: BarChartOptions): SafeHtml {
  const { bars } = options;
  if (bars.length === 0) return empty(options.title);
  const labelWidth = 168;
  const valueWidth = 92;
  const rowHeight = 20;
  const top = 14;
  const x0 = labelWidth;
  const x1 = WIDTH - valueWidth;
  const max = options.max ?? niceMax(Math.max(...bars.map((b) => b.value), 0));
  const scale = (v: number) => x0 + (max > 0 ? (Math.max(0, Math.min(v, max)) / max) * (x1 - x0) : 0);
  const plotBottom = top + bars.length * rowHeight;
  const height = plotBottom + 24;
  const tickFormat = options.tickFormat ?? ((v: number) => f(v));

  const grid = ticks(0, max || 1, 5).map(
    (t) =>
      html`<line x1="${f(scale(t))}" y1="${top}" x2="${f(scale(t))}" y2="${plotBottom}" stroke="#ddd"/><text x="${f(scale(t))}" y="${plotBottom + 14}" text-anchor="middle" fill="#555">${tickFormat(t)}</text>`,
  );
  const markers = (options.markers ?? [])
    .filter((m) => m.value > 0 && m.value <= max)
    .map(
      (m) =>
        html`<line class="marker" x1="${f(scale(m.value))}" y1="${top - 4}" x2="${f(scale(m.value))}" y2="${plotBottom}" stroke="#555" stroke-dasharray="3 3"/><text x="${f(scale(m.value))}" y="${top - 5}" text-anchor="middle" font-size="9" fill="#333">${m.label}</text>`,
    );
  const rows = bars.map((b, i) => {
    const y = top + i * rowHeight;
    return html`<g class="bar"><title>${b.label}: ${b.display}</title><text x="${labelWidth - 6}" y="${y + 14}" text-anchor="end">${clip(b.label, 26)}</text><rect x="${x0}" y="${y + 3}" width="${f(scale(b.value) - x0)}" height="${rowHeight - 6}" fill="${b.fill}"/><text x="${f(scale(b.value) + 4)}" y="${y + 14}">${b.display}</text></g>`;
  });
  return svg(WIDTH, height, options.title, join([...grid, ...markers, ...rows]));
}

export interface LineSeries {
  label: string;
  values: readonly (number | null)[];
}

export interface LineChartOptions {
  title: string;
  periods: readonly string[];
  series: readonly LineSeries[];
  /** Axis range; default from the data, rounded out to tens within 0–100. */
  min?: number;
  max?: number;
}

/** One line per series across the periods; a missing value breaks the line. Legend below the plot. */
export function lineChart(options: LineChartOptions): SafeHtml {
  const { periods, series } = options;
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  if (periods.length === 0 || values.length === 0) return empty(options.title);
  const min = options.min ?? Math.max(0, Math.floor((Math.min(...values) - 5) / 10) * 10);
  const max = options.max ?? Math.min(100, Math.ceil((Math.max(...values) + 5) / 10) * 10);
  const left = 44;
  const right = WIDTH - 20;
  const top = 14;
  const plotHeight = 220;
  const bottom = top + plotHeight;
  const span = max - min || 1;
  const x = (i: number) =>
    periods.length === 1 ? (left + right) / 2 : left + 30 + (i * (right - left - 60)) / (periods.length - 1);
  const y = (v: number) => bottom - ((v - min) / span) * plotHeight;

  const grid = ticks(min, max, Math.max(1, Math.round(span / 10))).map(
    (t) =>
      html`<line x1="${left}" y1="${f(y(t))}" x2="${right}" y2="${f(y(t))}" stroke="#ddd"/><text x="${left - 6}" y="${f(y(t) + 4)}" text-anchor="end" fill="#555">${f(t)}</text>`,
  );
  const xLabels = periods.map(
    (p, i) => html`<text x="${f(x(i))}" y="${bottom + 16}" text-anchor="middle">${p}</text>`,
  );

  const lines = series.map((s, k) => {
    const color = PALETTE[k % PALETTE.length] as string;
    const dash = DASHES[Math.floor(k / PALETTE.length) % DASHES.length] as string;
    // Consecutive present values form one segment.
    const segments: string[][] = [];
    let current: string[] = [];
    s.values.forEach((v, i) => {
      if (v === null) {
        if (current.length) segments.push(current);
        current = [];
      } else current.push(`${f(x(i))},${f(y(v))}`);
    });
    if (current.length) segments.push(current);
    const paths = segments
      .filter((seg) => seg.length > 1)
      .map(
        (seg) =>
          html`<polyline points="${seg.join(' ')}" fill="none" stroke="${color}" stroke-width="1.8" stroke-dasharray="${dash}"/>`,
      );
    const dots = s.values.map((v, i) =>
      v === null
        ? ''
        : html`<circle cx="${f(x(i))}" cy="${f(y(v))}" r="2.8" fill="${color}"><title>${s.label} ${periods[i]}: ${v.toFixed(2)}</title></circle>`,
    );
    return html`<g class="series">${paths}${dots}</g>`;
  });

  const columns = 3;
  const legendTop = bottom + 42;
  const legend = series.map((s, k) => {
    const color = PALETTE[k % PALETTE.length] as string;
    const dash = DASHES[Math.floor(k / PALETTE.length) % DASHES.length] as string;
    const lx = left + (k % columns) * ((right - left) / columns);
    const ly = legendTop + Math.floor(k / columns) * 16;
    return html`<g class="legend"><line x1="${f(lx)}" y1="${ly - 4}" x2="${f(lx + 18)}" y2="${ly - 4}" stroke="${color}" stroke-width="2" stroke-dasharray="${dash}"/><text x="${f(lx + 22)}" y="${ly}">${clip(s.label, 30)}</text></g>`;
  });
  const height = legendTop + Math.ceil(series.length / columns) * 16 + 4;
  return svg(
    WIDTH,
    height,
    options.title,
    join([
      ...grid,
      html`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#555"/>`,
      ...xLabels,
      ...lines,
      ...legend,
    ]),
  );
}

export interface GridCell {
  status: StatusKey;
  text: string;
  /** Shown instead of `text` when many columns make cells narrow (e.g. "79" for "79.9%"). */
  short?: string;
  title: string;
}

export interface StatusGridOptions {
  title: string;
  /** Column headers: short keys (numbers) explained by a legend the caller prints under the chart. */
  columns: readonly string[];
  rows: readonly { label: string; cells: readonly (GridCell | null)[] }[];
}

/** Institutions × indicators, each cell coloured by status (green/amber/red/grey) with its attainment. */
export function statusGrid(options: StatusGridOptions): SafeHtml {
  const { columns, rows } = options;
  if (columns.length === 0 || rows.length === 0) return empty(options.title);
  const labelWidth = 168;
  // Past ~17 columns the grid grows wider than the page and is scaled down to fit (viewBox).
  const cellWidth = Math.max(30, Math.min(56, (WIDTH - labelWidth) / columns.length));
  const narrow = cellWidth < 44;
  const rowHeight = 18;
  const top = 20;
  const width = labelWidth + columns.length * cellWidth + 2;
  const headers = columns.map(
    (c, j) =>
      html`<text x="${f(labelWidth + j * cellWidth + cellWidth / 2)}" y="${top - 6}" text-anchor="middle" font-weight="bold">${c}</text>`,
  );
  const body = rows.map((row, i) => {
    const y = top + i * rowHeight;
    const cells = row.cells.map((cell, j) => {
      const cx = labelWidth + j * cellWidth;
      if (!cell) {
        return html`<rect x="${f(cx)}" y="${y}" width="${f(cellWidth)}" height="${rowHeight}" fill="#fff" stroke="#fff"/><text x="${f(cx + cellWidth / 2)}" y="${y + 13}" text-anchor="middle" fill="#aaa">—</text>`;
      }
      return html`<g class="cell status-${cell.status}"><title>${row.label} · ${cell.title}</title><rect x="${f(cx)}" y="${y}" width="${f(cellWidth)}" height="${rowHeight}" fill="${STATUS_FILL[cell.status]}" stroke="#fff"/><text x="${f(cx + cellWidth / 2)}" y="${y + 13}" text-anchor="middle" font-size="9.5">${narrow ? (cell.short ?? cell.text) : cell.text}</text></g>`;
    });
    return html`<text x="${labelWidth - 6}" y="${y + 13}" text-anchor="end">${clip(row.label, 26)}</text>${cells}`;
  });
  const legendY = top + rows.length * rowHeight + 16;
  const legend = (
    [
      ['green', '达标 ≥95%'],
      ['amber', '预警 ≥80%'],
      ['red', '未达标 <80%'],
      ['grey', '缺报'],
    ] as const
  ).map(
    ([status, label], k) =>
      html`<rect x="${labelWidth + k * 100}" y="${legendY - 10}" width="12" height="12" fill="${STATUS_FILL[status]}"/><text x="${labelWidth + k * 100 + 16}" y="${legendY}">${label}</text>`,
  );
  const note = narrow
    ? html`<text x="${labelWidth + 400}" y="${legendY}" fill="#555">格内数字为得分率（%）</text>`
    : '';
  return svg(
    Math.max(width, labelWidth + 520),
    legendY + 8,
    options.title,
    join([...headers, ...body, ...legend, note]),
  );
}
