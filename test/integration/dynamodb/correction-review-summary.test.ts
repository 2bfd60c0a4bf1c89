/**
 * Finance's review queue (issue 12) answered a summary per institution and the lines that fit 1 MB, but
 * built it by reading every difference page of the correction: at a province tens of MB inside the 29 s
 * API function. Each institution's summary (people, lines, difference, the byte size of its lines, its
 * page count) is now stored with its pages (`DIFFSUM#{institution}`, written once), and the queue reads
 * the summaries and only the pages of the institutions whose lines fit. Corrections stored before the
 * summaries are still read from every page. Against DynamoDB Local in the AWS-limits mode.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputePeriod } from '../../../functions/recompute-period.js';
import { correctionReview } from '../../../shared/app/correction-review.js';
import { startCorrection } from '../../../shared/app/correction-service.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { runCycleToEnd } from '../../../shared/app/year-runner.js';
import { openLocalRuntime } from '../../../shared/local/runtime.js';
import { itemBytes } from '../../../shared/store/aws-limits.js';
import type { Item, Key } from '../../../shared/store/batch.js';
import { encode } from '../../../shared/store/codec.js';
import type { CorrectionLine, CorrectionRecord } from '../../../shared/store/corrections.js';
import { encodeArrayPages } from '../../../shared/store/datasets.js';
import { repositories } from '../../../shared/store/index.js';
import { resultsPartition } from '../../../shared/store/results.js';
import { Table } from '../../../shared/store/store.js';
import { tinyAs } from '../../reliability/helpers.js';
import { dynamoEndpoint, type LimitedTable, limitedTable } from './helpers.js';

/** A Table that notes the sort key of every item it reads. */
class CountingTable extends Table {
  read: string[] = [];
  override async get<T = Item>(key: Key, consistent?: boolean): Promise<T | undefined> {
    const item = await super.get<T>(key, consistent);
    if (item) this.read.push(String(key.sk));
    return item;
  }
  override async queryPrefix<T = Item>(
    pk: string,
    prefix?: string,
    options?: Parameters<Table['queryPrefix']>[2],
  ): Promise<T[]> {
    const items = await super.queryPrefix<T>(pk, prefix, options);
    this.read.push(...items.map((i) => String((i as Item).sk)));
    return items;
  }
  override async batchGet<T = Item>(keysToGet: readonly Key[]): Promise<T[]> {
    const items = await super.batchGet<T>(keysToGet);
    this.read.push(...items.map((i) => String((i as Item).sk)));
    return items;
  }
}

let store: LimitedTable;
let counting: CountingTable;

beforeAll(async () => {
  store = await limitedTable('corrsum');
  counting = new CountingTable(store.table.doc, store.table.name);
});
afterAll(() => store?.close());

const COMPONENTS = ['reward', 'fiscalTopUp', 'allowance'];
/** A 64-character Chinese id (the longest an import accepts), distinct by its number. */
const longId = (stem: string, n: number) => `${stem.repeat(60)}${String(n).padStart(4, '0')}`;

/** `people` staff with a line for each of `components` components; differences of both signs. */
function linesOf(institution: number, people: number, components = 3): CorrectionLine[] {
  const out: CorrectionLine[] = [];
  for (let i = 0; i < people; i++) {
    const staffId = longId('员', institution * 10_000 + i);
    for (let c = 0; c < components; c++) {
      const difference = (i % 3 === 0 ? -1 : 1) * (137 * (i + 1) + c);
      out.push({ staffId, component: COMPONENTS[c]!, old: 500_000, new: 500_000 + difference, difference });
    }
  }
  return out;
}

/** What the queue must answer for an institution, computed from its lines here. */
const expected = (institutionId: string, lines: CorrectionLine[]) => ({
  institutionId,
  people: new Set(lines.map((l) => l.staffId)).size,
  lines: lines.length,
  difference: lines.reduce((sum, l) => sum + l.difference, 0),
});

const byId = <T extends { institutionId: string }>(rows: T[]) =>
  [...rows].sort((a, b) =>
    a.institutionId < b.institutionId ? -1 : a.institutionId > b.institutionId ? 1 : 0,
  );

function recordOf(ref: { period: string; revision: number }, lines: number): CorrectionRecord {
  return {
    communityId: 'province1',
    kind: 'quarterly',
    period: ref.period,
    revision: ref.revision,
    status: 'awaiting_review',
    baseRevision: 1,
    datasetVersion: 4,
    startedBy: 'office1',
    startedAt: '2026-04-10T08:00:00.000Z',
    totals: { old: 0, new: 0, difference: 0, people: 0, lines },
    version: 1,
  };
}

describe('per-institution summaries of a correction', () => {
  const ref = { communityId: 'province1', kind: 'quarterly' as const, period: '2026-Q1', revision: 2 };
  const institutions = [
    { id: longId('院', 3), lines: linesOf(3, 1_000) }, // ~900 KB: several pages
    { id: longId('院', 1), lines: linesOf(1, 7, 2) },
    { id: 'C02', lines: linesOf(2, 1, 1) },
  ];

  it('are written with the pages and read in one query: counts, bytes and pages of 64-character Chinese ids', async () => {
    const repos = repositories(store.table);
    for (const { id, lines } of institutions) await repos.corrections.putDifferences(ref, id, lines);
    const summaries = await repos.corrections.differenceSummaries(ref);
    const pageCount = async (id: string) =>
      (await store.plain.queryPrefix(resultsPartition(ref), `DIFF#${id}#`)).length;
    expect(byId(summaries)).toEqual(
      await Promise.all(
        byId(institutions.map((i) => ({ institutionId: i.id, lines: i.lines }))).map(
          async ({ institutionId, lines }) => ({
            ...expected(institutionId, lines),
            bytes: Buffer.byteLength(JSON.stringify(lines)),
            pages: await pageCount(institutionId),
          }),
        ),
      ),
    );
    const big = summaries.find((s) => s.institutionId === institutions[0]!.id)!;
    expect(big.pages).toBeGreaterThanOrEqual(3);
    expect(big.people).toBe(1_000);
    expect(big.lines).toBe(3_000);
    // Small items: 3,100 institutions of such ids are ~2 MB, two 1 MB query pages (well under 400 KB each).
    const items = await store.plain.queryPrefix(resultsPartition(ref), 'DIFFSUM#');
    expect(items).toHaveLength(3);
    for (const item of items) expect(itemBytes(item)).toBeLessThan(700);
    expect(Math.max(...items.map((i) => itemBytes(i))) * 3_100).toBeLessThan(2 * 1024 * 1024);
  }, 60_000);

  it('a run going on after a stop writes the same again as a no-op, and the summary it never wrote', async () => {
    const repos = repositories(store.table);
    const before = await store.plain.queryPrefix(resultsPartition(ref));
    // Stopped between an institution's pages and its summary.
    await store.plain.delete({ pk: resultsPartition(ref), sk: `DIFFSUM#${institutions[1]!.id}` });
    for (const { id, lines } of institutions) await repos.corrections.putDifferences(ref, id, lines);
    expect(await store.plain.queryPrefix(resultsPartition(ref))).toEqual(before);
  }, 60_000);

  it('different content is refused: other lines, or a summary that differs from the lines', async () => {
    const repos = repositories(store.table);
    const [, small] = institutions;
    const changed = small!.lines.map((l, i) => (i === 0 ? { ...l, difference: l.difference + 1 } : l));
    await expect(repos.corrections.putDifferences(ref, small!.id, changed)).rejects.toThrow(
      /已写入不同内容.*different content/,
    );
    const key = { pk: resultsPartition(ref), sk: `DIFFSUM#${small!.id}` };
    const stored = (await store.plain.get<Item & { data: string }>(key))!;
    await store.plain.put({ ...stored, data: encode({ ...JSON.parse(stored.data), people: 99 }) });
    try {
      await expect(repos.corrections.putDifferences(ref, small!.id, small!.lines)).rejects.toThrow(
        /DIFFSUM#.*已写入不同内容.*different content/,
      );
    } finally {
      await store.plain.put(stored);
    }
  });
});

describe('the review queue reads the summaries and only the pages of the lines it answers', () => {
  const ref = { communityId: 'province1', kind: 'quarterly' as const, period: '2026-Q2', revision: 3 };
  // Five institutions written out of id order; the third in id order is the large one.
  const written = [
    { id: 'H05', lines: linesOf(5, 4) },
    { id: 'H01', lines: linesOf(11, 6) },
    { id: 'H03', lines: linesOf(13, 1_000) },
    { id: longId('卫', 2), lines: linesOf(12, 2, 1) },
    { id: 'H02', lines: linesOf(12, 5, 2) },
  ];
  const inOrder = byId(written.map((w) => ({ institutionId: w.id, lines: w.lines })));
  const total = written.reduce((sum, w) => sum + w.lines.length, 0);
  const bytes = (lines: CorrectionLine[]) => Buffer.byteLength(JSON.stringify(lines));

  beforeAll(async () => {
    const repos = repositories(store.table);
    for (const { id, lines } of written) await repos.corrections.putDifferences(ref, id, lines);
  }, 60_000);

  it('cut at the budget: the pages of the institutions that fit, none beyond, the summary of all', async () => {
    // Room for H01 and H02, not for H03 (the large one): H05 and the Chinese id, which would fit, are
    // left out too, so the lines answered are a prefix in id order.
    const budget =
      bytes(inOrder[0]!.lines) + bytes(inOrder[1]!.lines) + Math.floor(bytes(inOrder[2]!.lines) / 2);
    counting.read = [];
    const review = await correctionReview(repositories(counting), recordOf(ref, total), budget);
    expect(review.summary).toEqual(inOrder.map((d) => expected(d.institutionId, d.lines)));
    expect(review.differences).toEqual(inOrder.slice(0, 2));
    expect(review.differencesComplete).toBe(false);
    expect(review.counts).toEqual({
      institutions: 5,
      institutionsIncluded: 2,
      lines: total,
      linesIncluded: inOrder[0]!.lines.length + inOrder[1]!.lines.length,
    });
    const pages = counting.read.filter((sk) => sk.startsWith('DIFF#'));
    expect(pages.sort()).toEqual(['DIFF#H01#000', 'DIFF#H02#000']);
    expect(counting.read.filter((sk) => sk.startsWith('DIFFSUM#'))).toHaveLength(5);
  });

  it('within the budget: every line, complete', async () => {
    counting.read = [];
    const review = await correctionReview(repositories(counting), recordOf(ref, total), 10_000_000);
    expect(review.differences).toEqual(inOrder);
    expect(review.differencesComplete).toBe(true);
    expect(review.counts.linesIncluded).toBe(total);
  });

  it('a correction stored before the summaries (pages only, lines > 0) is read from its pages, the same answer', async () => {
    const old = { communityId: 'province1', kind: 'quarterly' as const, period: '2026-Q3', revision: 2 };
    // As putDifferences wrote them before: the pages (cut by size), no summary.
    for (const { id, lines } of written)
      for (const [page, data] of encodeArrayPages(lines).texts.entries())
        await store.plain.put({
          pk: resultsPartition(old),
          sk: `DIFF#${id}#${String(page).padStart(3, '0')}`,
          type: 'CorrectionDiff',
          institutionId: id,
          data,
        });
    const pageCount = (await store.plain.queryPrefix(resultsPartition(old), 'DIFF#')).length;
    const budget = bytes(inOrder[0]!.lines) + bytes(inOrder[1]!.lines) + 10;
    counting.read = [];
    const before = await correctionReview(repositories(counting), recordOf(old, total), budget);
    expect(pageCount).toBeGreaterThan(5);
    expect(counting.read.filter((sk) => sk.startsWith('DIFF#'))).toHaveLength(pageCount);
    counting.read = [];
    const now = await correctionReview(repositories(counting), recordOf(ref, total), budget);
    expect(counting.read.filter((sk) => sk.startsWith('DIFF#'))).toHaveLength(2);
    expect(before).toEqual(now);
    expect(before.summary).toEqual(inOrder.map((d) => expected(d.institutionId, d.lines)));
  }, 60_000);
});

describe('a correction started for real stores summaries that add up to its record', () => {
  it('the queue reads them, not every page, and answers what every page gives', async () => {
    const C = 'county8';
    const runtime = await openLocalRuntime({
      endpoint: dynamoEndpoint(),
      tableName: `correction-summary-${randomBytes(4).toString('hex')}`,
      workflows: { retryIntervalMs: 0 },
    });
    try {
      const { repos } = runtime;
      await importDataset(repos, { files: tinyAs(C) }, 'office1');
      const JAN = { kind: 'monthly' as const, period: '2026-01' };
      await runCycleToEnd(repos, runtime.workflows, {
        communityId: C,
        ...JAN,
        by: 'office1',
        approver: 'finance1',
      });
      // Workload points of two people of C01 and C02 moved.
      const files = tinyAs(C);
      files['workload.csv'] = files['workload.csv']!.split('\n')
        .map((line) => {
          if (!line.startsWith('2026-01,C01-001,') && !line.startsWith('2026-01,C02-001,')) return line;
          const cells = line.split(',');
          cells[2] = String(Number(cells[2]) + 100);
          return cells.join(',');
        })
        .join('\n');
      const record = await startCorrection(repos, recomputePeriod, {
        communityId: C,
        ...JAN,
        source: { files },
        by: 'office1',
        reason: 'test',
      });
      const every = byId(await repos.corrections.differences(record));
      expect(every.length).toBeGreaterThanOrEqual(2);
      const summaries = await repos.corrections.differenceSummaries(record);
      expect(summaries.reduce((sum, s) => sum + s.lines, 0)).toBe(record.totals.lines);
      expect(summaries.reduce((sum, s) => sum + s.people, 0)).toBe(record.totals.people);
      expect(summaries.reduce((sum, s) => sum + s.difference, 0)).toBe(record.totals.difference);

      // Room for the first institution's lines only.
      const counted = new CountingTable(repos.table.doc, repos.table.name);
      const budget = Buffer.byteLength(JSON.stringify(every[0]!.lines)) + 1;
      const review = await correctionReview(repositories(counted), record, budget);
      expect(review.summary).toEqual(every.map((d) => expected(d.institutionId, d.lines)));
      expect(review.differences).toEqual(every.slice(0, 1));
      expect(review.differencesComplete).toBe(false);
      expect(counted.read.filter((sk) => sk.startsWith('DIFF#'))).toEqual([
        `DIFF#${every[0]!.institutionId}#000`,
      ]);
    } finally {
      await runtime.close();
    }
  }, 240_000);
});
