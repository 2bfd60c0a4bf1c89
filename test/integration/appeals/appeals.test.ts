/**
 * Appeals (申诉/复核, issue 14) on DynamoDB Local and the real state machines: filed only while the period's
 * publication window is open, only for the institution's own staff and applicable indicators; decided by
 * someone other than the appellant; an accepted appeal opens a correction (DOMAIN.md §7.1) whose
 * differences finance approves and the next open month pays; every filing and decision is in the audit
 * trail, written with it; an annual appeal can only be rejected (§7.1 corrects months and quarters only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputePeriod } from '../../../functions/recompute-period.js';
import {
  acceptAppeal,
  appealsOf,
  fileAppeal,
  listAppeals,
  rejectAppeal,
} from '../../../shared/app/appeal-service.js';
import { decideCorrection } from '../../../shared/app/correction-service.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { publish } from '../../../shared/app/publication-service.js';
import { runCycleToEnd } from '../../../shared/app/year-runner.js';
import { DatasetInvalidError } from '../../../shared/dataset/index.js';
import type { LocalRuntime } from '../../../shared/local/runtime.js';
import type { Appeal } from '../../../shared/store/appeals.js';
import { openTestRuntime, runFirstQuarter, tinyAs } from '../../reliability/helpers.js';

let rt: LocalRuntime;
const c = 'appeals';
const files = tinyAs(c);

const run = (kind: 'monthly' | 'quarterly', period: string) =>
  runCycleToEnd(rt.repos, rt.workflows, {
    communityId: c,
    kind,
    period,
    by: 'office1',
    approver: 'finance1',
  });

/** A row of a tiny CSV file by its first cells. */
const rowOf = (name: string, prefix: string) => {
  const text = files[name] as string;
  const [header] = text.split('\n');
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  if (!line) throw new Error(`${name} has no row ${prefix}`);
  return { header: header!, cells: line.split(',') };
};

const grossOf = async (period: string, revision: number) => {
  const pages = await rt.repos.results.payLines<{ staffId: string; gross: number; adjustment: number }>({
    communityId: c,
    kind: 'monthly',
    period,
    revision,
  });
  return new Map(pages.flatMap((p) => p.lines).map((l) => [l.staffId, l]));
};

beforeAll(async () => {
  rt = await openTestRuntime();
  await importDataset(rt.repos, { files }, 'office1');
  await runFirstQuarter(rt, c);
}, 300_000);

afterAll(async () => {
  await rt?.close();
});

const personAppeal = (extra: Partial<Parameters<typeof fileAppeal>[1]> = {}) => ({
  communityId: c,
  kind: 'monthly' as const,
  period: '2026-02',
  institutionId: 'C01',
  target: { type: 'person' as const, staffId: 'C01-001' },
  reason: '2 月手术工分漏记 120 分',
  attachments: ['手术记录-0212.pdf', '排班表.xlsx'],
  by: 'member1',
  ...extra,
});

describe('the window', () => {
  it('refuses an appeal before the period is published, and after its window closed', async () => {
    await expect(fileAppeal(rt.repos, personAppeal())).rejects.toThrow(
      /尚未公示[\s\S]*has not been published/,
    );
    await publish(rt.repos, {
      communityId: c,
      kind: 'quarterly',
      period: '2026-Q1',
      from: '2026-04-01T00:00:00Z',
      to: '2026-04-08T00:00:00Z',
      by: 'office1',
    });
    await expect(fileAppeal(rt.repos, personAppeal(), new Date('2026-04-09T00:00:00Z'))).rejects.toThrow(
      /公示期[\s\S]*is not open/,
    );
    await expect(fileAppeal(rt.repos, personAppeal(), new Date('2026-03-31T23:00:00Z'))).rejects.toThrow(
      /is not open/,
    );
    expect(await listAppeals(rt.repos, c)).toEqual([]);
  }, 60_000);
});

describe('filing, scope and four eyes', () => {
  let filed: Appeal;

  beforeAll(async () => {
    // Q1's window from now on (publishing again replaces the window).
    await publish(rt.repos, {
      communityId: c,
      kind: 'quarterly',
      period: '2026-Q1',
      to: '2099-01-01T00:00:00Z',
      by: 'office1',
    });
  }, 60_000);

  it('a member appeals only its own staff and the indicators that apply to it', async () => {
    await expect(
      fileAppeal(rt.repos, personAppeal({ target: { type: 'person', staffId: 'C02-001' } })),
    ).rejects.toThrow(/C02-001 is not on C01's staff/);
    await expect(
      fileAppeal(
        rt.repos,
        personAppeal({
          kind: 'quarterly',
          period: '2026-Q1',
          target: { type: 'indicator', indicatorId: 'nope' },
        }),
      ),
    ).rejects.toThrow(/no indicator nope applies to C01/);
    await expect(
      fileAppeal(
        rt.repos,
        personAppeal({ target: { type: 'indicator', indicatorId: 'primary_visit_share' } }),
      ),
    ).rejects.toThrow(/quarterly or annual/);
    await expect(fileAppeal(rt.repos, personAppeal({ reason: '  ' }))).rejects.toThrow(/needs a reason/);
    // A month not yet run has nothing to appeal, even inside the window of its year.
    await expect(fileAppeal(rt.repos, personAppeal({ period: '2026-04' }))).rejects.toThrow(
      /has not been published|not completed/,
    );
  }, 60_000);

  it('files an appeal with its audit entry, numbered in its year', async () => {
    const before = (await rt.repos.audit.entries(c)).length;
    filed = await fileAppeal(rt.repos, personAppeal());
    expect(filed).toMatchObject({
      id: '2026-0001',
      status: 'open',
      institutionId: 'C01',
      target: { type: 'person', staffId: 'C01-001' },
      attachments: ['手术记录-0212.pdf', '排班表.xlsx'],
      filedBy: 'member1',
    });
    const entries = await rt.repos.audit.entries(c);
    expect(entries).toHaveLength(before + 1);
    expect(entries.at(-1)).toMatchObject({
      actor: 'member1',
      action: 'appeal.file',
      subject: 'appeal 2026-0001 monthly 2026-02 C01',
    });
    expect(await appealsOf(rt.repos).get(c, '2026-0001')).toEqual(filed);
    const second = await fileAppeal(
      rt.repos,
      personAppeal({
        kind: 'quarterly',
        period: '2026-Q1',
        institutionId: 'C02',
        target: { type: 'indicator', indicatorId: 'primary_visit_share' },
        by: 'member2',
      }),
    );
    expect(second.id).toBe('2026-0002');
    expect((await listAppeals(rt.repos, c, { institutionId: 'C02' })).map((a) => a.id)).toEqual([
      '2026-0002',
    ]);
  }, 60_000);

  it('the appellant may not decide its own appeal; a rejection needs a reason and is audited', async () => {
    await expect(
      rejectAppeal(rt.repos, { communityId: c, id: '2026-0002', by: 'member2', reason: '不成立' }),
    ).rejects.toThrow(/four eyes/);
    await expect(
      rejectAppeal(rt.repos, { communityId: c, id: '2026-0002', by: 'office1', reason: ' ' }),
    ).rejects.toThrow(/needs a reason/);
    const rejected = await rejectAppeal(rt.repos, {
      communityId: c,
      id: '2026-0002',
      by: 'office1',
      reason: '指标值与上报系统一致',
    });
    expect(rejected).toMatchObject({ status: 'rejected', decision: { accepted: false, by: 'office1' } });
    expect((await rt.repos.audit.entries(c)).at(-1)).toMatchObject({
      actor: 'office1',
      action: 'appeal.reject',
      details: { reason: '指标值与上报系统一致' },
    });
    // Decided once: a second decision is refused, naming who decided.
    await expect(
      rejectAppeal(rt.repos, { communityId: c, id: '2026-0002', by: 'office2', reason: 'x' }),
    ).rejects.toThrow(/already decided by office1/);
  }, 60_000);

  it('an accepted appeal opens a correction that finance approves and April pays', async () => {
    const { header, cells } = rowOf('workload.csv', '2026-02,C01-001,');
    const corrected = [...cells];
    corrected[2] = String(Number(cells[2]) + 120);
    // Rows outside the appeal (another institution's staff, another month) are refused, naming the row.
    const outside = `${header}\n${corrected.join(',')}\n2026-02,C02-001,100,90,20,20\n2026-03,C01-001,1,90,20,20\n`;
    const refusal = await acceptAppeal(rt.repos, recomputePeriod, {
      communityId: c,
      id: '2026-0001',
      by: 'office1',
      reason: '核实漏记',
      rows: { 'workload.csv': outside },
    }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(DatasetInvalidError);
    expect((refusal as DatasetInvalidError).issues).toEqual([
      expect.objectContaining({ file: 'workload.csv', row: 3, column: 'staffId', value: 'C02-001' }),
      expect.objectContaining({ file: 'workload.csv', row: 4, column: 'period', value: '2026-03' }),
    ]);
    await expect(
      acceptAppeal(rt.repos, recomputePeriod, {
        communityId: c,
        id: '2026-0001',
        by: 'member1',
        reason: '核实漏记',
        rows: { 'workload.csv': `${header}\n${corrected.join(',')}\n` },
      }),
    ).rejects.toThrow(/four eyes/);

    const { appeal, correction } = await acceptAppeal(rt.repos, recomputePeriod, {
      communityId: c,
      id: '2026-0001',
      by: 'office1',
      reason: '核实漏记',
      rows: { 'workload.csv': `${header}\n${corrected.join(',')}\n` },
    });
    expect(appeal).toMatchObject({
      status: 'accepted',
      decision: { accepted: true, by: 'office1', reason: '核实漏记' },
      correction: { kind: 'monthly', period: '2026-02', revision: correction.revision },
    });
    expect(correction).toMatchObject({ status: 'awaiting_review', reason: '申诉 2026-0001: 核实漏记' });
    expect(correction.totals.people).toBeGreaterThan(1); // more points for one moves shares within C01
    const actions = (await rt.repos.audit.entries(c)).slice(-2);
    expect(actions.map((e) => e.action)).toEqual(['correction.start', 'appeal.accept']);
    expect(actions[1]!.details).toMatchObject({ correction: `monthly 2026-02 r${correction.revision}` });

    // Finance reviews it (four eyes against the office user who accepted), then April pays the difference.
    await expect(
      decideCorrection(rt.repos, {
        communityId: c,
        kind: 'monthly',
        period: '2026-02',
        by: 'office1',
        approve: true,
      }),
    ).rejects.toThrow(/four eyes/);
    const approved = await decideCorrection(rt.repos, {
      communityId: c,
      kind: 'monthly',
      period: '2026-02',
      by: 'finance1',
      approve: true,
    });
    expect(approved.postedTo).toBe('2026-04');
    const [before, after] = [await grossOf('2026-02', 1), await grossOf('2026-02', correction.revision)];
    const april = await run('monthly', '2026-04');
    const aprilLines = await grossOf('2026-04', april.revision);
    const own = new Map<string, number>();
    for (const line of (files['adjustments.csv'] as string).split('\n').slice(1)) {
      const [period, staffId, amount] = line.split(',');
      if (period === '2026-04')
        own.set(staffId!, (own.get(staffId!) ?? 0) + Math.round(Number(amount) * 100));
    }
    let moved = 0;
    for (const [staffId, line] of after) {
      const difference = line.gross - (before.get(staffId)?.gross ?? 0);
      expect([staffId, (aprilLines.get(staffId)?.adjustment ?? 0) - (own.get(staffId) ?? 0)]).toEqual([
        staffId,
        difference,
      ]);
      moved += difference;
    }
    expect(moved).toBe(correction.totals.difference);
  }, 240_000);
});

describe('annual appeals', () => {
  it('can only be rejected: §7.1 has no correction of the annual result', async () => {
    // An annual appeal as filing would store it (running a whole year here would only repeat the window check).
    const appeal: Appeal = {
      communityId: c,
      id: '2026-0099',
      year: 2026,
      number: 99,
      kind: 'annual',
      period: '2026',
      institutionId: 'C01',
      target: { type: 'indicator', indicatorId: 'primary_visit_share' },
      reason: '年度指标值有误',
      attachments: [],
      filedBy: 'member1',
      filedAt: new Date().toISOString(),
      status: 'open',
      version: 1,
    };
    await rt.repos.table.transact([appealsOf(rt.repos).fileAction(appeal)]);
    await expect(
      acceptAppeal(rt.repos, recomputePeriod, {
        communityId: c,
        id: '2026-0099',
        by: 'office1',
        reason: '同意',
        rows: { 'indicator-values.csv': 'x' },
      }),
    ).rejects.toThrow(/§7\.1 corrects completed months and quarters only/);
    expect((await appealsOf(rt.repos).get(c, '2026-0099'))?.status).toBe('open');
  }, 60_000);
});
