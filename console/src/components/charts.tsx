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

/** Quantile q of sorted numbers (linear between the two nearest ranks). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface PeerBand {
  median: (number | null)[];
  q1: (number | null)[];
  q3: (number | null)[];
}

/** Per period, the median and quartiles of a group's scores (periods where no one has a score: null). */
export function peerBand(series: readonly Series[], periods: number): PeerBand {
  const band: PeerBand = { median: [], q1: [], q3: [] };
  for (let i = 0; i < periods; i++) {
    const values = series
      .map((s) => s.values[i])
      .filter((v): v is number => v !== null && v !== undefined)
      .sort((a, b) => a - b);
    band.median.push(values.length ? quantile(values, 0.5) : null);
    band.q1.push(values.length ? quantile(values, 0.25) : null);
    band.q3.push(values.length ? quantile(values, 0.75) : null);
  }
  return band;
}

/**
 * One institution's score by quarter against its peer group: the group's interquartile band and median
 * behind the institution's own line (instead of a line per institution).
 */
export function PeerTrendChart({
  title,
  categories,
  selected,
  peers,
  labels,
  max = 100,
}: {
  title: string;
  categories: readonly string[];
  selected: Series;
  /** Every institution of the selected one's peer group (itself included). */
  peers: readonly Series[];
  labels: { median: string; band: string };
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
  const band = peerBand(peers, categories.length);
  const at = (values: (number | null)[]) =>
    values.map((v, i) => (v === null ? null : ([x(i), y(v)] as const))).filter((p) => p !== null);
  const upper = at(band.q3);
  const lower = at(band.q1).reverse();
  const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(2));
  const description = categories
    .map(
      (c, i) =>
        `${c}: ${selected.name} ${fmt(selected.values[i])}, ${labels.median} ${fmt(band.median[i])}, ${labels.band} ${fmt(band.q1[i])}–${fmt(band.q3[i])}`,
    )
    .join('; ');
  const line = (values: readonly (number | null)[]) =>
    values
      .map((v, i) => (v === null ? null : `${x(i)},${y(v)}`))
      .filter((p): p is string => p !== null)
      .join(' ');
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
        {upper.length > 0 && (
          <polygon
            points={[...upper, ...lower].map(([a, b]) => `${a},${b}`).join(' ')}
            fill="#c9d8ec"
            stroke="none"
          />
        )}
        {upper.length === 1 && (
          <line
            x1={upper[0]![0]}
            x2={upper[0]![0]}
            y1={upper[0]![1]}
            y2={lower[0]![1]}
            stroke="#9db8dd"
            stroke-width="10"
          />
        )}
        <polyline
          points={line(band.median)}
          fill="none"
          stroke="#4a5568"
          stroke-width="2"
          stroke-dasharray="5 4"
        />
        <polyline points={line(selected.values)} fill="none" stroke={PALETTE[1]} stroke-width="2.5" />
        {selected.values.map((v, i) =>
          v === null ? null : <circle key={categories[i]} cx={x(i)} cy={y(v)} r="4" fill={PALETTE[1]} />,
        )}
        <rect x={pad.left + plotW + 14} y={pad.top} width="12" height="12" fill={PALETTE[1]} />
        <text x={pad.left + plotW + 30} y={pad.top + 10} font-size="12" fill="#1a202c">
          {selected.name}
        </text>
        <line
          x1={pad.left + plotW + 14}
          x2={pad.left + plotW + 26}
          y1={pad.top + 24}
          y2={pad.top + 24}
          stroke="#4a5568"
          stroke-width="2"
          stroke-dasharray="4 3"
        />
        <text x={pad.left + plotW + 30} y={pad.top + 28} font-size="12" fill="#1a202c">
          {labels.median}
        </text>
        <rect x={pad.left + plotW + 14} y={pad.top + 38} width="12" height="12" fill="#c9d8ec" />
        <text x={pad.left + plotW + 30} y={pad.top + 48} font-size="12" fill="#1a202c">
          {labels.band}
        </text>
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}

/** Score distributions as small multiples: one strip per group (e.g. institution kind), a dot per score. */
export function DistributionStrips({
  title,
  groups,
  max = 100,
}: {
  title: string;
  groups: readonly { label: string; values: readonly { name: string; value: number }[] }[];
  max?: number;
}) {
  const id = useId();
  const labelWidth = 130;
  const stripWidth = 420;
  const rowHeight = 34;
  const height = groups.length * rowHeight + 26;
  const sx = (v: number) => labelWidth + Math.max(0, Math.min(1, v / max)) * stripWidth;
  const description = groups
    .map((g) => `${g.label}: ${g.values.map((v) => `${v.name} ${v.value.toFixed(2)}`).join(', ')}`)
    .join('; ');
  return (
    <figure class="chart">
      <svg
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
        viewBox={`0 0 ${labelWidth + stripWidth + 20} ${height}`}
        width="100%"
        style={{ maxWidth: `${labelWidth + stripWidth + 20}px` }}
      >
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{description}</desc>
        {[0, 25, 50, 75, 100].map((v) => (
          <g key={v}>
            <line x1={sx(v)} x2={sx(v)} y1={4} y2={height - 20} stroke="#e2e6ec" />
            <text x={sx(v)} y={height - 6} font-size="11" text-anchor="middle" fill="#3d4451">
              {v}
            </text>
          </g>
        ))}
        {groups.map((g, k) => {
          const cy = 6 + k * rowHeight + rowHeight / 2;
          const sorted = g.values.map((v) => v.value).sort((a, b) => a - b);
          const med = sorted.length ? quantile(sorted, 0.5) : null;
          return (
            <g key={g.label}>
              <rect x={labelWidth} y={cy - 12} width={stripWidth} height={24} fill="#f4f6f8" />
              <text x={labelWidth - 8} y={cy + 4} font-size="12" text-anchor="end" fill="#1a202c">
                {g.label} ({g.values.length})
              </text>
              {g.values.map((v) => (
                <circle key={v.name} cx={sx(v.value)} cy={cy} r="4.5" fill={PALETTE[0]} fill-opacity="0.65">
                  <title>{`${v.name} ${v.value.toFixed(2)}`}</title>
                </circle>
              ))}
              {med !== null && (
                <line x1={sx(med)} x2={sx(med)} y1={cy - 12} y2={cy + 12} stroke="#b4462b" stroke-width="2" />
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}
