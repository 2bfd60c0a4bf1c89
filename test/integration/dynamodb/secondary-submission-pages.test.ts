/**
 * §9.1 at province scale (issue 12): a department of 25,000 people. Its head's amounts are ~570 KB of JSON,
 * and as one submission item they would pass DynamoDB's 400 KB — which the store's AWS-limits mode refuses
 * as AWS does. Through the service calls the API and the CLI make (show, submit, approve or reject, status,
 * close, and the pay step's approved splits), the amounts go to pages of ≤ 350 KB named by their hash,
 * written before the one transaction that puts the submission with its audit entry; a decision updates the
 * state and leaves the amounts where they are; a submission written before paging (amounts on the item)
 * reads and decides as it did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvedSplits,
  closeWindow,
  decideSplit,
  departmentView,
  parseAmountsCsv,
  type SecondaryActor,
  submitSplit,
  windowStatus,
} from '../../../shared/app/secondary-service.js';
import { itemBytes } from '../../../shared/store/aws-limits.js';
import { encode } from '../../../shared/store/codec.js';
import { type Repositories, repositories } from '../../../shared/store/index.js';
import {
  amountsPartition,
  DRAFT_PAGE_BYTES,
  INLINE_AMOUNTS_BYTES,
  type SecondaryDraft,
  type SecondaryRef,
  secondaryPartition,
} from '../../../shared/store/secondary.js';
import type { Table } from '../../../shared/store/store.js';
import { type LimitedTable, limitedTable } from './helpers.js';

const ITEM_LIMIT = 400 * 1024;
const PEOPLE = 25_000;
const community = 'province1';
const period = '2026-01';
const institutionId = 'H00001';

let store: LimitedTable;
let repos: Repositories;
/** The same table without the model: to look at what was stored. */
let plain: Table;
let ref: SecondaryRef;

const head: SecondaryActor = { by: 'head-big', role: 'dept_head', institutionId, departmentId: 'D0' };
const approver: SecondaryActor = { by: 'inst-big', role: 'institution', institutionId };

/** A hospital whose department D0 has 25,000 people on the month's payroll (ids as long as a province's). */
function bigDraft(): SecondaryDraft {
  const members = Array.from({ length: PEOPLE }, (_, i) => ({
    staffId: `${institutionId}-${String(i + 1).padStart(6, '0')}`,
    name: `职工${i + 1}`,
    points: `${(i * 104729) % 99991}/${97 + (i % 13)}`,
    rule: 100_000 + ((i * 7919) % 900_000),
  }));
  const pool = members.reduce((a, m) => a + m.rule, 0);
  const small = [{ staffId: `${institutionId}-900001`, name: '张明', points: '5/1', rule: 300_000 }];
  return {
    institutionId,
    institutionName: '省人民医院',
    departments: [
      {
        departmentId: 'D0',
        name: '全院',
        headStaffId: members[0]!.staffId,
        points: '1/1',
        pool,
        capMultiple: '3',
        cap: Math.round((3 * pool) / PEOPLE),
        members,
      },
      { departmentId: 'D1', name: '药剂科', points: '5/1', pool: 300_000, members: small },
    ],
  };
}

/** The rule split with `step` fen moved from every even person to the next: Σ = X_d, within the cap. */
function shifted(draft: SecondaryDraft, step: number): Map<string, number> {
  const members = draft.departments[0]!.members;
  const amounts = new Map(members.map((m) => [m.staffId, m.rule]));
  for (let i = 0; i + 1 < members.length; i += 2) {
    amounts.set(members[i]!.staffId, members[i]!.rule - step);
    amounts.set(members[i + 1]!.staffId, members[i + 1]!.rule + step);
  }
  return amounts;
}

const where = { communityId: community, period, institutionId, departmentId: 'D0' };

beforeAll(async () => {
  store = await limitedTable('secsub');
  repos = repositories(store.table);
  plain = store.plain;
  const { cycle } = await repos.cycles.start({
    communityId: community,
    kind: 'monthly',
    period,
    by: 'office1',
    datasetVersion: 1,
  });
  ref = { communityId: community, period, revision: cycle.revision };
  await repos.secondary.open(ref, [institutionId]);
  await repos.secondary.putDraft(ref, bigDraft());
}, 120_000);
afterAll(() => store?.close());

describe('a department of 25,000 people in the AWS-limits mode', () => {
  const draft = bigDraft();

  it('would be refused as one submission item (the model refuses what AWS refuses)', async () => {
    const amounts = Object.fromEntries(shifted(draft, 1));
    expect(Buffer.byteLength(encode(amounts))).toBeGreaterThan(INLINE_AMOUNTS_BYTES);
    const item = { pk: secondaryPartition(ref), sk: 'SUB#H00001#TRY', type: 'SecondarySubmission', amounts };
    expect(itemBytes(item)).toBeGreaterThan(ITEM_LIMIT);
    await expect(repos.table.put(item)).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('is submitted, rejected, submitted again and approved through the service, its amounts in pages', async () => {
    const first = shifted(draft, 100);
    const submitted = await submitSplit(repos, { ...where, amounts: first }, head);
    expect(submitted).toMatchObject({ status: 'submitted', version: 1, submittedBy: head.by });

    // One small head in the window's partition, the amounts in pages of ≤ 350 KB beside it.
    const stored = await plain.get<Record<string, unknown>>({
      pk: secondaryPartition(ref),
      sk: 'SUB#H00001#D0',
    });
    expect(stored).not.toHaveProperty('amounts');
    expect(itemBytes(stored!)).toBeLessThan(2_000);
    const pages = await plain.queryPrefix<Record<string, unknown>>(amountsPartition(ref, institutionId));
    const bytes = Buffer.byteLength(
      encode(Object.fromEntries([...first].sort(([a], [b]) => (a < b ? -1 : 1)))),
    );
    expect(pages.length).toBe(Math.ceil(bytes / DRAFT_PAGE_BYTES));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const page of pages) expect(itemBytes(page)).toBeLessThanOrEqual(350 * 1024);

    // What the head and the approver see is the whole submission.
    const view = await departmentView(repos, where, head);
    expect(view.department.members).toHaveLength(PEOPLE);
    expect(new Map(Object.entries(view.submission!.amounts))).toEqual(first);

    const rejected = await decideSplit(repos, { ...where, approve: false, reason: '请核对' }, approver);
    expect(rejected).toMatchObject({ status: 'rejected', reason: '请核对', version: 2 });
    expect((await repos.secondary.submission(ref, institutionId, 'D0'))?.amounts).toEqual(
      Object.fromEntries(first),
    );

    // A new submission replaces the rejected one whole — this time as the CSV the API and the CLI take
    // (~550 KB for 25,000 rows, inside the API's 2 MB) — and the approval keeps its amounts.
    const second = shifted(draft, 250);
    const csv = ['staffId,amount', ...[...second].map(([id, fen]) => `${id},${(fen / 100).toFixed(2)}`)].join(
      '\n',
    );
    expect(csv.length).toBeLessThan(2_000_000);
    await submitSplit(repos, { ...where, amounts: parseAmountsCsv(csv, 'amounts.csv') }, head);
    const approved = await decideSplit(repos, { ...where, approve: true }, approver);
    expect(approved).toMatchObject({ status: 'approved', decidedBy: approver.by, version: 4 });
    const after = await repos.secondary.submission(ref, institutionId, 'D0');
    expect(after).toMatchObject({ status: 'approved', version: 4, submittedBy: head.by });
    expect(new Map(Object.entries(after!.amounts))).toEqual(second);

    // The pay step's approved splits: the department's 25,000 amounts, summing to its pool.
    const cycle = (await repos.cycles.get(community, 'monthly', period))!;
    const splits = await approvedSplits(repos, cycle, institutionId);
    expect(splits?.get('D0')).toEqual(second);
    expect([...splits!.get('D0')!.values()].reduce((a, b) => a + b, 0)).toBe(draft.departments[0]!.pool);
  }, 180_000);

  it('a submission written before paging (amounts on its item) reads, decides and pays as before', async () => {
    const old = {
      institutionId,
      departmentId: 'D1',
      amounts: { [`${institutionId}-900001`]: 300_000 },
      status: 'submitted',
      submittedBy: 'head-d1',
      submittedAt: '2026-02-01T00:00:00.000Z',
      version: 1,
    };
    await plain.put({
      pk: secondaryPartition(ref),
      sk: 'SUB#H00001#D1',
      type: 'SecondarySubmission',
      ...old,
    });
    const view = await departmentView(repos, { ...where, departmentId: 'D1' }, approver);
    expect(view.submission).toMatchObject({ amounts: old.amounts, status: 'submitted' });
    await decideSplit(repos, { ...where, departmentId: 'D1', approve: true }, approver);
    const stored = await plain.get<Record<string, unknown>>({
      pk: secondaryPartition(ref),
      sk: 'SUB#H00001#D1',
    });
    expect(stored).toMatchObject({ amounts: old.amounts, status: 'approved', version: 2 });
    const cycle = (await repos.cycles.get(community, 'monthly', period))!;
    expect((await approvedSplits(repos, cycle, institutionId))?.get('D1')).toEqual(
      new Map(Object.entries(old.amounts)),
    );
  }, 60_000);

  it("the window's status and its close read no amounts: each department's state and headcount", async () => {
    const status = await windowStatus(repos, { communityId: community, period });
    expect(status.institutions[0]?.departments).toEqual([
      expect.objectContaining({
        departmentId: 'D0',
        people: PEOPLE,
        status: 'approved',
        decidedBy: approver.by,
      }),
      expect.objectContaining({ departmentId: 'D1', people: 1, status: 'approved' }),
    ]);
    const resumed: string[][] = [];
    const closed = await closeWindow(
      repos,
      { resumeSecondary: async (_cycle, _window, tokens) => void resumed.push([...tokens]) },
      { communityId: community, period },
      { by: 'office1' },
    );
    expect(closed.approved).toBe(2);
    expect(resumed).toEqual([[]]);
  }, 60_000);

  it('pages whose transaction is refused name no submission (the window closed meanwhile)', async () => {
    const amounts = Object.fromEntries(shifted(draft, 7));
    await expect(
      repos.secondary.submit(
        ref,
        {
          institutionId,
          departmentId: 'D2',
          amounts,
          submittedBy: head.by,
          submittedAt: new Date().toISOString(),
        },
        undefined,
        { details: { people: PEOPLE } },
      ),
    ).rejects.toMatchObject({ code: 'conditional_failed' });
    expect(await repos.secondary.submission(ref, institutionId, 'D2')).toBeUndefined();
    expect((await repos.secondary.submissionStates(ref)).map((s) => s.departmentId)).toEqual(['D0', 'D1']);
  }, 60_000);
});

describe("the window's waiting ids at a province's size", () => {
  /** 3,100 institutions with 64-character Chinese ids (the import accepts them): ~600 KB of JSON. */
  const provinceIds = Array.from(
    { length: 3_100 },
    (_, i) => `${'省'.repeat(58)}${String(i).padStart(6, '0')}`,
  );

  it('opens in the AWS-limits mode with its ids in pages, and reads them back whole', async () => {
    const wide: SecondaryRef = { communityId: community, period: '2026-02', revision: 1 };
    const asOneItem = { pk: secondaryPartition(wide), sk: 'WINDOW-TRY', institutionIds: provinceIds };
    expect(itemBytes(asOneItem)).toBeGreaterThan(ITEM_LIMIT);

    const opened = await repos.secondary.open(wide, provinceIds);
    expect(opened.institutionIds).toEqual(provinceIds);
    const item = await plain.get<Record<string, unknown>>({ pk: secondaryPartition(wide), sk: 'WINDOW' });
    expect(item).not.toHaveProperty('institutionIds');
    expect(itemBytes(item!)).toBeLessThan(2_000);
    // A fresh repository (another process) reads the pages; opening again leaves the window as it is.
    const other = repositories(store.another());
    expect((await other.secondary.window(wide))?.institutionIds).toEqual(provinceIds);
    expect((await other.secondary.open(wide, provinceIds.slice(1))).institutionIds).toEqual(provinceIds);
  });

  it('reads a window stored with its ids on the item (before paging) as it is', async () => {
    const old: SecondaryRef = { communityId: community, period: '2026-03', revision: 1 };
    await plain.put({
      pk: secondaryPartition(old),
      sk: 'WINDOW',
      type: 'SecondaryWindow',
      status: 'open',
      institutionIds: ['H00001', 'H00002'],
      openedAt: '2026-04-01T00:00:00.000Z',
    });
    expect(await repos.secondary.window(old)).toEqual({
      status: 'open',
      institutionIds: ['H00001', 'H00002'],
      openedAt: '2026-04-01T00:00:00.000Z',
    });
  });
});
