import { describe, expect, it } from 'vitest';
import { barChart, clip, lineChart, niceMax, statusGrid } from '../../../shared/reports/html/charts.js';
import { trendFigure } from '../../../shared/reports/html/parts.js';

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

describe('bar chart', () => {
  it('draws one bar per item, scaled to the axis maximum, labels escaped', () => {
    const svg = barChart({
      title: 'scores',
      max: 100,
      bars: [
        { label: '<b>县医院</b>', value: 100, display: '100.00', fill: '#111' },
        { label: '乡镇', value: 50, display: '50.00', fill: '#222' },
      ],
    }).value;
    expect(count(svg, /<g class="bar">/g)).toBe(2);
    const widths = [...svg.matchAll(/<rect x="168" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[0]).toBeCloseTo(2 * widths[1]!, 0);
    expect(svg).toContain('&lt;b&gt;县医院&lt;/b&gt;');
    expect(svg).not.toContain('<b>');
  });

  it('marks grade thresholds that fall on the axis', () => {
    const svg = barChart({
      title: 't',
      max: 100,
      markers: [
        { value: 60, label: '合格 60' },
        { value: 0, label: 'none' },
      ],
      bars: [{ label: 'a', value: 70, display: '70', fill: '#000' }],
    }).value;
    expect(count(svg, /class="marker"/g)).toBe(1);
    expect(svg).toContain('合格 60');
  });

  it('says there is no data rather than drawing an empty frame', () => {
    expect(barChart({ title: 't', bars: [] }).value).toContain('暂无数据');
  });

  it('rounds the axis up to a number whose fifths read well', () => {
    expect(niceMax(3_020_475)).toBe(4_000_000);
    expect(niceMax(100)).toBe(100);
    expect(niceMax(101)).toBe(150);
    expect(niceMax(0)).toBe(1);
  });
});

describe('line chart', () => {
  it('breaks a line where a quarter has no score and still marks lone points', () => {
    const svg = lineChart({
      title: 'trend',
      periods: ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4'],
      series: [{ label: '县医院', values: [70, null, 72, 74] }],
    }).value;
    expect(count(svg, /<polyline/g)).toBe(1);
    expect(count(svg, /<circle/g)).toBe(3);
    for (const q of ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']) expect(svg).toContain(`>${q}</text>`);
  });

  it('draws a single quarter as points and gives every series a legend entry', () => {
    const svg = lineChart({
      title: 't',
      periods: ['2026-Q1'],
      series: [
        { label: 'a', values: [60] },
        { label: 'b', values: [80] },
      ],
    }).value;
    expect(count(svg, /<polyline/g)).toBe(0);
    expect(count(svg, /<circle/g)).toBe(2);
    expect(count(svg, /<g class="legend">/g)).toBe(2);
  });

  it('says there is no data when no quarter has a score', () => {
    expect(
      lineChart({ title: 't', periods: ['2026-Q1'], series: [{ label: 'a', values: [null] }] }).value,
    ).toContain('暂无数据');
  });
});

describe('status grid', () => {
  it('colours each cell by status and leaves not-applicable cells blank', () => {
    const svg = statusGrid({
      title: 'grid',
      columns: ['1', '2'],
      rows: [
        { label: '县医院', cells: [{ status: 'green', text: '100.0%', title: 'x' }, null] },
        {
          label: '乡镇',
          cells: [
            { status: 'grey', text: '缺', title: 'y' },
            { status: 'red', text: '10.0%', title: 'z' },
          ],
        },
      ],
    }).value;
    expect(count(svg, /class="cell status-/g)).toBe(3);
    expect(svg).toContain('fill="#a5d6a7"');
    expect(svg).toContain('fill="#ef9a9a"');
    expect(svg).toContain('>—</text>');
  });
});

describe('clip', () => {
  it('keeps short labels and cuts long ones by display width with an ellipsis', () => {
    expect(clip('县医院', 26)).toBe('县医院');
    const long = '县疾病预防控制中心与医防融合管理中心办公室';
    const cut = clip(long, 26);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.length).toBeLessThan(long.length);
  });
});

describe('status grid with many indicators', () => {
  it('widens past the page (scaled down by its viewBox) and prints the short text in narrow cells', () => {
    const columns = Array.from({ length: 24 }, (_, i) => String(i + 1));
    const svg = statusGrid({
      title: 'grid',
      columns,
      rows: [
        {
          label: '乡镇',
          cells: columns.map(() => ({ status: 'amber' as const, text: '83.5%', short: '83', title: 't' })),
        },
      ],
    }).value;
    const width = Number(/viewBox="0 0 (\d+(?:\.\d+)?)/.exec(svg)![1]);
    expect(width).toBeGreaterThan(680);
    expect(count(svg, />83<\/text>/g)).toBe(24);
    expect(svg).not.toContain('83.5%</text>');
    expect(svg).toContain('格内数字为得分率（%）');
  });
});

describe('trend figure', () => {
  const trend = (n: number) => ({
    periods: ['2026-Q1', '2026-Q2'],
    series: Array.from({ length: n }, (_, i) => ({
      institutionId: `T${String(i).padStart(2, '0')}`,
      name: `乡镇${i}`,
      scores: ['70.00', '72.00'],
    })),
  });
  const groups = (n: number) => [
    { label: '县级医院组', institutionIds: ['T00'] },
    {
      label: '基层医疗机构组',
      institutionIds: Array.from({ length: n - 1 }, (_, i) => `T${String(i + 1).padStart(2, '0')}`),
    },
  ];

  it('draws one chart while the lines can still be followed', () => {
    expect(count(trendFigure('走势', trend(12), groups(12)).value, /<svg/g)).toBe(1);
  });

  it('draws one chart per peer group for a larger county, every institution in one of them', () => {
    const out = trendFigure('走势', trend(31), groups(31)).value;
    expect(count(out, /<svg/g)).toBe(2);
    expect(out).toContain('走势：基层医疗机构组');
    expect(count(out, /<g class="series">/g)).toBe(31);
  });
});
