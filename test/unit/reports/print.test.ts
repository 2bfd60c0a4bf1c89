/**
 * Printed reports (issue 14): page numbers on every page, signature lines (编制/审核/批准), exact ratios
 * printed as decimals (never as a fraction), and 缺报 meaning due and not submitted.
 */
import { describe, expect, it } from 'vitest';
import { annualAppraisalReport } from '../../../shared/reports/annual.js';
import { quarterlyBulletinReport } from '../../../shared/reports/bulletin.js';
import { renderAnnualHtml } from '../../../shared/reports/html/annual.js';
import { renderBulletinHtml } from '../../../shared/reports/html/bulletin.js';
import { renderMonthlyHtml } from '../../../shared/reports/html/monthly.js';
import { monthlyDispatchReport } from '../../../shared/reports/monthly.js';
import { dataset, monthly, quarter, year } from './builders.js';

const RAW_FRACTION = /\d+\/\d{2,}/;
/** The page as a reader sees it: no style block, no charts, no tags. */
const visibleText = (page: string) =>
  page
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<svg[\s\S]*?<\/svg>/g, '')
    .replace(/<[^>]+>/g, ' ');

describe('every printed report', () => {
  const data = year();
  const pages = {
    monthly: renderMonthlyHtml(monthlyDispatchReport(monthly('2026-03'))),
    bulletin: renderBulletinHtml(quarterlyBulletinReport(quarter(2), [quarter(1), quarter(2)])),
    annual: renderAnnualHtml(annualAppraisalReport(data)),
  };

  it.each(Object.entries(pages))(
    '%s: numbers its pages "第 n 页 / 共 m 页" in the page margin',
    (_n, page) => {
      expect(page).toMatch(
        /@bottom-center\s*\{\s*content:\s*"第 " counter\(page\) " 页 \/ 共 " counter\(pages\) " 页"/,
      );
    },
  );

  it.each(Object.entries(pages))('%s: ends with the signature lines 编制、审核、批准', (_n, page) => {
    const text = visibleText(page);
    expect(text).toMatch(/编制：[\s\S]*审核：[\s\S]*批准：/);
  });

  it.each(Object.entries(pages))('%s: repeats table headers on every printed page', (_n, page) => {
    expect(page).toContain('thead { display: table-header-group; }');
  });

  it('prints the public-health quality factor as a decimal, not as its exact fraction', () => {
    const y = year();
    y.annual!.settlement.publicHealth.rows[1]!.quality = '410355706900026289/528071506872212160';
    const page = renderAnnualHtml(annualAppraisalReport(y));
    const text = visibleText(page);
    expect(text).not.toMatch(RAW_FRACTION);
    expect(text).toContain('0.7771');
  });
});

describe('缺报 in a bulletin', () => {
  const withCadence = (cadence: 'monthly' | 'annual') => {
    const q = quarter(1);
    const d = dataset();
    q.dataset = { ...d, indicators: d.indicators.map((i) => (i.id === 'records' ? { ...i, cadence } : i)) };
    return quarterlyBulletinReport(q, [q]);
  };

  it('is an indicator due in the quarter and not submitted', () => {
    const report = withCadence('monthly');
    expect(report.institutions.every((i) => i.missingIndicators.includes('records'))).toBe(true);
    expect(renderBulletinHtml(report)).toContain('缺报指标');
  });

  it('is not an annual indicator in Q1, which is listed apart as not yet due (and still scores 0)', () => {
    const report = withCadence('annual');
    for (const i of report.institutions) {
      expect(i.missingIndicators).not.toContain('records');
      expect(i.notDueIndicators).toContain('records');
      expect(i.indicators.find((l) => l.indicatorId === 'records')!.score).toBe('0.00');
    }
    expect(renderBulletinHtml(report)).toContain('未到报送期');
  });
});
