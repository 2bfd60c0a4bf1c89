/**
 * Inline SVG charts (no chart library): a horizontal bar chart and a line chart. Each is an image with
 * a title and a text description for screen readers; the same figures are always in a table nearby.
 */
import { useId } from 'preact/hooks';

export interface Bar {
  label: string;
  value: number;
  /** Printed after the bar, e.g. the grade. */
  note?: string;
}

const PALETTE = ['#1f5fa8', '#b4462b', '#2e7d4f', '#7a4fa3', '#8a6d00', '#0f7c86', '#a3326b', '#4a5568'];

export function BarChart({ title, bars, max = 100 }: { title: string; bars: readonly Bar[]; max?: number }) {
  const id = useId();
  const rowHeight = 28;
  const labelWidth = 150;
  const barWidth = 360;
  const height = bars.length * rowHeight + 30;
  const scale = (v: number) => Math.max(0, Math.min(1, v / max)) * barWidth;
  const description = bars.map((b) => `${b.label} ${b.value}${b.note ? ` ${b.note}` : ''}`).join('; ');
  return (
    <figure class="chart">
      <svg
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
        viewBox={`0 0 ${labelWidth + barWidth + 110} ${height}`}
        width="100%"
        style={{ maxWidth: `${labelWidth + barWidth + 110}px` }}
      >
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{description}</desc>
        {[0, 0.25, 0.5, 0.75, 1].map((f) => (
          <g key={f}>
            <line
              x1={labelWidth + f * barWidth}
              x2={labelWidth + f * barWidth}
              y1={4}
              y2={height - 22}
              stroke="#d0d5dd"
            />
            <text
              x={labelWidth + f * barWidth}
              y={height - 6}
              font-size="11"
              text-anchor="middle"
              fill="#3d4451"
            >
              {Math.round(f * max)}
            </text>
          </g>
        ))}
        {bars.map((b, i) => {
          const y = 6 + i * rowHeight;
          return (
            <g key={b.label}>
              <text x={labelWidth - 8} y={y + 15} font-size="13" text-anchor="end" fill="#1a202c">
                {b.label}
              </text>
              <rect
                x={labelWidth}
                y={y + 2}
                width={scale(b.value)}
                height={rowHeight - 10}
                fill={PALETTE[0]}
                rx="2"
              />
              <text x={labelWidth + scale(b.value) + 6} y={y + 15} font-size="12" fill="#1a202c">
                {b.value.toFixed(2)}
                {b.note ? ` ${b.note}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}

export interface Series {
  name: string;
  values: readonly (number | null)[];
}

export function LineChart({
  title,
  categories,
  series,
  max = 100,
}: {
  title: string;
  categories: readonly string[];
  series: readonly Series[];
  max?: number;
}) {
  const id = useId();
  const width = 620;
  const height = 240;
  const pad = { left: 40, right: 190, top: 12, bottom: 30 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const x = (i: number) =>
    pad.left + (categories.length === 1 ? plotW / 2 : (i / (categories.length - 1)) * plotW);
  const y = (v: number) => pad.top + plotH - Math.max(0, Math.min(1, v / max)) * plotH;
  const description = series
    .map((s) => `${s.name}: ${s.values.map((v, i) => `${categories[i]} ${v ?? '—'}`).join(', ')}`)
    .join('; ');
  return (
    <figure class="chart">
      <svg
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        style={{ maxWidth: `${width}px` }}
      >
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{description}</desc>
        {[0, 25, 50, 75, 100].map((v) => (
          <g key={v}>
            <line x1={pad.left} x2={pad.left + plotW} y1={y(v)} y2={y(v)} stroke="#d0d5dd" />
            <text x={pad.left - 6} y={y(v) + 4} font-size="11" text-anchor="end" fill="#3d4451">
              {v}
            </text>
          </g>
        ))}
        {categories.map((c, i) => (
          <text key={c} x={x(i)} y={height - 8} font-size="11" text-anchor="middle" fill="#3d4451">
            {c}
          </text>
        ))}
        {series.map((s, k) => {
          const color = PALETTE[k % PALETTE.length];
          const points = s.values
            .map((v, i) => (v === null ? null : `${x(i)},${y(v)}`))
            .filter((p): p is string => p !== null);
          return (
            <g key={s.name}>
              {points.length > 1 && (
                <polyline points={points.join(' ')} fill="none" stroke={color} stroke-width="2" />
              )}
              {s.values.map((v, i) =>
                v === null ? null : <circle key={categories[i]} cx={x(i)} cy={y(v)} r="3.5" fill={color} />,
              )}
              <rect x={pad.left + plotW + 14} y={pad.top + k * 18} width="12" height="12" fill={color} />
              <text x={pad.left + plotW + 30} y={pad.top + k * 18 + 10} font-size="12" fill="#1a202c">
                {s.name}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}
