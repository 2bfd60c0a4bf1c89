/**
 * Cycles near the floor (issue 17) without giving up any check: the step that writes an institution's pay
 * lines seals them as it writes (shared/app/seals.ts sealedGroup: `SEAL#{institution}` and the institution's
 * seal and paid totals on its write guard), so CompleteCycle and BuildMonthlyReport no longer read every
 * pay line back. What they build that way must be exactly what reading every item gives: the same seal as
 * `computeSeal` (which `audit verify` and every export still recompute from the items) and a byte-identical
 * dispatch report. And a revision's per-institution items live in its shards (results layout 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMonthlyReport } from '../../../shared/app/reports.js';
import { computeSeal, SEALING_STEP, sealFromGuards } from '../../../shared/app/seals.js';
import { runCycleToEnd } from '../../../shared/app/year-runner.js';
import type { LocalRuntime } from '../../../shared/local/runtime.js';
import type { CycleRecord } from '../../../shared/store/cycles.js';
import type { Repositories } from '../../../shared/store/index.js';
import { importAs, openTestRuntime } from '../../reliability/helpers.js';

const C = 'sealw';
let rt: LocalRuntime;
const cycles: CycleRecord[] = [];

beforeAll(async () => {
  rt = await openTestRuntime();
  await importAs(rt.repos, C);
  for (const [kind, period] of [
    ['monthly', '2026-01'],
    ['monthly', '2026-02'],
    ['monthly', '2026-03'],
    ['quarterly', '2026-Q1'],
  ] as const)
    cycles.push(
      await runCycleToEnd(rt.repos, rt.workflows, {
        communityId: C,
        kind,
        period,
        by: 'office1',
        approver: 'finance1',
      }),
    );
}, 180_000);

afterAll(async () => {
  await rt?.close();
});

/** The same repositories with every write guard hidden: what a revision written before looks like. */
function withoutGuards(repos: Repositories): Repositories {
  const results = Object.create(repos.results) as Repositories['results'];
  results.guards = async () => [];
  return { ...repos, results };
}

describe('sealed as written', () => {
  it("each completed cycle's seal, made from its guards, is the seal computed from every stored item", async () => {
    for (const cycle of cycles) {
      expect(cycle.status).toBe('completed');
      const fromGuards = await sealFromGuards(rt.repos, cycle);
      expect(fromGuards, `${cycle.kind} ${cycle.period}`).toBeDefined();
      const fromItems = await computeSeal(rt.repos, cycle);
      expect(fromGuards!.total).toBe(fromItems.total);
      expect(fromGuards!.institutions).toEqual(fromItems.institutions);
      expect(cycle.seal).toBe(fromItems.total);
      // The lines' hashes verify names a changed line by were written by the pay step, as computed now.
      for (const [institutionId, lines] of Object.entries(fromItems.lines)) {
        const [stored] = await rt.repos.results.parts(cycle, `SEAL#${institutionId}`);
        expect(stored).toEqual(lines);
      }
      expect(
        (await rt.repos.results.guards(cycle, SEALING_STEP[cycle.kind])).length,
        `${cycle.kind} ${cycle.period}: one sealed guard per institution`,
      ).toBe(Object.keys(fromItems.institutions).length);
    }
  });

  it('without guards (results written before) the seal falls back to reading every item', async () => {
    expect(await sealFromGuards(withoutGuards(rt.repos), cycles[0]!)).toBeUndefined();
  });

  it('the dispatch report from the recorded totals is byte-identical to the one summed from every pay line', async () => {
    for (const cycle of cycles.filter((c) => c.kind === 'monthly')) {
      const stored = await rt.repos.results.document(cycle, 'REPORT');
      const fromGuards = await buildMonthlyReport(rt.repos, cycle);
      const fromLines = await buildMonthlyReport(withoutGuards(rt.repos), cycle);
      expect(JSON.stringify(fromGuards)).toBe(JSON.stringify(fromLines));
      expect(JSON.stringify(fromGuards)).toBe(JSON.stringify(stored));
      expect(fromGuards.totals.gross).toBeGreaterThan(0);
    }
  });

  it("a revision's per-institution items are in its shards, its own partition keeps the documents", async () => {
    for (const cycle of cycles) {
      expect(await rt.repos.results.shards(cycle)).toBeGreaterThan(0);
      const own = await rt.repos.table.queryPrefix<{ sk: string }>(
        `RESULT#${C}#${cycle.kind}#${cycle.period}#r001`,
      );
      expect(own.map((i) => i.sk).filter((sk) => /^(INST|PAY|ALLOC|ONCE|SEAL)#/.test(sk))).toEqual([]);
      expect(own.map((i) => i.sk)).toContain('SEAL');
    }
  });
});
