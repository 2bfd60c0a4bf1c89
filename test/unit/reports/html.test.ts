import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { annualAppraisalReport } from '../../../shared/reports/annual.js';
import { quarterlyBulletinReport } from '../../../shared/reports/bulletin.js';
import { renderAnnualHtml } from '../../../shared/reports/html/annual.js';
import { renderBulletinHtml } from '../../../shared/reports/html/bulletin.js';
import { escapeHtml, html } from '../../../shared/reports/html/escape.js';
import { renderMonthlyHtml } from '../../../shared/reports/html/monthly.js';
import { monthlyDispatchReport } from '../../../shared/reports/monthly.js';
import { institution } from '../domain/builders.js';
import { ACCOUNTS, dataset, FORMULA_NAME, monthly, quarter, year } from './builders.js';
import { unbalancedTags } from './well-formed.js';

const pages = () => {
  const data = year();
  return {
    monthly: renderMonthlyHtml(monthlyDispatchReport(monthly('2026-03'))),
    bulletin: renderBulletinHtml(quarterlyBulletinReport(quarter(2), [quarter(1), quarter(2)])),
    annual: renderAnnualHtml(annualAppraisalReport(data)),
  };
};

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

/** Every start tag of the page (text is escaped, so a '<' in the page always opens real markup). */
const tagsOf = (page: string) => page.match(/<[a-zA-Z][^>]*>/g) ?? [];

/** The page with every <svg>…</svg> and the <style> block removed: what a reader sees as text. */
const withoutCharts = (page: string) =>
  page.replace(/<svg[\s\S]*?<\/svg>/g, '').replace(/<style>[\s\S]*?<\/style>/, '');

describe.each(Object.entries(pages()))('the %s report page', (_name, page) => {
  it('is one complete HTML document in Chinese', () => {
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(count(page, /<html[\s>]/g)).toBe(1);
    expect(count(page, /<\/html>/g)).toBe(1);
    expect(count(page, /<body>/g)).toBe(1);
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('<meta charset="utf-8">');
  });

  it('closes every element it opens, in order', () => {
    expect(unbalancedTags(page)).toEqual([]);
    expect(unbalancedTags('<div><p>x</div>')).not.toEqual([]);
  });

  it('prints on A4 with repeated table headers and no split rows', () => {
    expect(page).toMatch(/@page\s*\{[^}]*size:\s*A4/);
    expect(page).toContain('thead { display: table-header-group; }');
    expect(page).toContain('break-inside: avoid');
  });

  it('draws its charts as inline SVG and needs no script and nothing from outside', () => {
    expect(count(page, /<svg class="chart"/g)).toBeGreaterThanOrEqual(2);
    expect(page).not.toMatch(/<script/i);
    const elements = tagsOf(page);
    expect(
      elements.filter((t) => /^<(link|img|iframe|object|embed|script|base|meta http-equiv)/i.test(t)),
    ).toEqual([]);
    expect(elements.filter((t) => /\s(src|href|xlink:href|on[a-z]+)\s*=/i.test(t))).toEqual([]);
    const css = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
    expect(css).not.toMatch(/@import|url\(/i);
    expect(page).not.toMatch(/https?:\/\//);
  });

  it('escapes every name from the data: a script tag appears only as text', () => {
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;县医院');
    expect(page).not.toContain('<script>alert');
  });

  it('never shows a bank account, whole or in part', () => {
    for (const account of Object.values(ACCOUNTS)) {
      expect(page).not.toContain(account);
      expect(page).not.toContain(account.slice(-8));
    }
  });

  it('names its source: cycle revision, dataset version and scheme', () => {
    expect(page).toContain('数据版本 v3');
    expect(page).toMatch(/第 \d+ 次运行/);
    expect(page).toContain('#abc123def4567890');
  });

  it('shows a formula-like name as plain text (the sheets guard it; a page has nothing to evaluate)', () => {
    expect(page).toContain(FORMULA_NAME);
  });
});

describe('report pages: what each one says', () => {
  const { monthly: m, bulletin: b, annual: a } = pages();

  it('the dispatch report lists the staff without workload escaped, and the basic-share warning', () => {
    expect(m).toContain('&lt;img src=x onerror=alert(1)&gt;（C01-002，外科）');
    expect(m).not.toContain('<img src=x');
    expect(m).toContain('基础性绩效占比 92.31%');
    expect(m).toContain('电子健康档案&lt;使用率&gt;');
  });

  it('the bulletin shows the red list with the township and the trend over Q1 and Q2', () => {
    const redList = /<div class="red-list">([\s\S]*?)<\/div>/.exec(b)![1]!;
    expect(redList).toContain(FORMULA_NAME);
    expect(redList).toContain('55.25');
    expect(redList).not.toContain('县疾控中心');
    expect(b).toContain('>2026-Q1</text>');
    expect(b).toContain('>2026-Q2</text>');
    expect(b).toContain('<polyline');
  });

  it('the bulletin grid prints attainment cut to one decimal, coloured by status', () => {
    expect(b).toMatch(
      /class="cell status-red"><title>[^<]*<\/title><rect[^>]*fill="#ef9a9a"[^>]*\/><text[^>]*>79\.9%<\/text>/,
    );
    expect(b).not.toContain('>80.0%<');
  });

  it('the annual report shows the lineage table, the leaders and the settlements', () => {
    expect(a).toContain('附：资金来源追溯');
    // Runs of months from the same revision and dataset version are shown as one range; March's rerun stands apart.
    expect(a).toContain(
      '月度 2026-01～2026-02（2 期） · r1 · 数据 v2 · 方案 2026；月度 2026-03 · r2 · 数据 v2 · 方案 2026；月度 2026-04～2026-06（3 期） · r1 · 数据 v2',
    );
    expect(a).toContain('月度 2026-07～2026-12（6 期） · r1 · 数据 v3');
    expect(a).toContain('负责人年薪');
    expect(a).toContain('180,000.00');
    expect(a).toContain('医保基金打包结算');
    expect(withoutCharts(a)).toContain('6,440.03');
  });

  it('an attribute cannot be broken out of: quotes in a name are escaped inside aria-label and title', () => {
    const data = year();
    const hostile = '"><svg onload=alert(1)>';
    data.annual!.dataset = dataset({
      institutions: [
        institution({ id: 'C01', name: hostile, kind: 'county_hospital' }),
        ...dataset().institutions.slice(1),
      ],
    });
    const page = renderAnnualHtml(annualAppraisalReport(data));
    expect(page).not.toContain(hostile);
    expect(page).not.toMatch(/<svg onload/i);
    expect(page).toContain('&quot;&gt;&lt;svg onload=alert(1)&gt;');
  });
});

describe('the escaping html tag', () => {
  it('escapes the five HTML-special characters and nothing else', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeHtml('=1+2 职工')).toBe('=1+2 职工');
  });

  it('escapes interpolated strings, keeps fragments it built, flattens arrays and drops null/false', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${['<', html`<br>`]}${null}${false}${0}</p>`.value).toBe(
      '<p><b>&lt;i&gt;</b>&lt;<br>0</p>',
    );
  });

  it('never lets markup or a quote through from any string, and decodes back to it (property)', () => {
    const decode = (t: string) =>
      t.replace(
        /&(lt|gt|quot|#39|amp);/g,
        (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e] as string,
      );
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom('<script>', '<img src=x>', '"><b>', "'><svg/onload=1>", '&lt;'),
        (noise, payload) => {
          const text = noise + payload + noise;
          const out = html`<td title="${text}">${text}</td>`.value;
          // Exactly the markup written here: two tags and the two quotes of the attribute.
          expect(count(out, /</g)).toBe(2);
          expect(count(out, />/g)).toBe(2);
          expect(count(out, /"/g)).toBe(2);
          const [, attr, body] = /^<td title="([^"]*)">([^<]*)<\/td>$/.exec(out)!;
          expect(decode(attr!)).toBe(text);
          expect(decode(body!)).toBe(text);
        },
      ),
    );
  });
});
