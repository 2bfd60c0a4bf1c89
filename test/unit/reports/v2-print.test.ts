/** DOMAIN.md §9 in the printed reports: departments and fiscal claims (monthly), S_c (bulletin, annual). */
import { describe, expect, it } from 'vitest';
import { quarterlyBulletinReport } from '../../../shared/reports/bulletin.js';
import { renderBulletinHtml } from '../../../shared/reports/html/bulletin.js';
import { renderMonthlyHtml } from '../../../shared/reports/html/monthly.js';
import { monthlyDispatchReport } from '../../../shared/reports/monthly.js';
import { monthly, quarter, storedMonthlyReport } from './builders.js';

describe('§9 in the printed reports', () => {
  it('shows each department’s P_d, pool and mode, and the fiscal claim, only when present', () => {
    const stored = storedMonthlyReport('2026-03');
    const [first, ...rest] = stored.institutions;
    const v2 = {
      ...stored,
      institutions: [
        {
          ...first!,
          fiscalClaim: 123_456,
          departments: [{ departmentId: '外科', points: '301/2', pool: 226_667, mode: 'rule' as const }],
        },
        ...rest,
      ],
    };
    const page = renderMonthlyHtml(monthlyDispatchReport(monthly('2026-03', { report: v2 })));
    expect(page).toContain('科室二次分配');
    expect(page).toContain('150.50');
    expect(page).toContain('财政保底补足申请');
    expect(page).toContain('1,234.56');
    const plain = renderMonthlyHtml(monthlyDispatchReport(monthly('2026-03')));
    expect(plain).not.toContain('科室二次分配');
    expect(plain).not.toContain('财政保底补足申请');
  });

  it('shows S_c and its indicators in the bulletin', () => {
    const q = { ...quarter(2), community: { score: '87.50', indicators: [] } };
    const report = quarterlyBulletinReport(q, [quarter(1), q]);
    expect(report.communityOwn?.score).toBe('87.50');
    expect(renderBulletinHtml(report)).toContain('总院自身得分 S_c');
    expect(renderBulletinHtml(quarterlyBulletinReport(quarter(2), [quarter(1), quarter(2)]))).not.toContain(
      'S_c',
    );
  });
});
