/**
 * §9.1 drafts larger than one DynamoDB item (issue 12, province scale): an institution of 10,000 people
 * drafts ~1 MB of departments and members, over the 400 KB an item may hold. In the store's AWS-limits mode
 * (which refuses an item over 400 KB as AWS does) the draft is stored in pages of ≤ 350 KB named by its
 * hash, the head that points at them written last, and read back whole; a head-in-flight leaves no draft
 * half-read, and the department heads' submission of a 10,000-person department is stored and read back
 * (its amounts in pages the same way: secondary-submission-pages.test.ts takes a 25,000-person department
 * through the service).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemBytes } from '../../../shared/store/aws-limits.js';
import { encode } from '../../../shared/store/codec.js';
import { keys } from '../../../shared/store/keys.js';
import {
  DRAFT_PAGE_BYTES,
  draftPartition,
  type SecondaryDraft,
  type SecondaryRef,
  SecondaryRepository,
  secondaryPartition,
  splitUtf8,
} from '../../../shared/store/secondary.js';
import type { Table } from '../../../shared/store/store.js';
import { type LimitedTable, limitedTable } from './helpers.js';

const ITEM_LIMIT = 400 * 1024;
let store: LimitedTable;
let table: Table;

beforeAll(async () => {
  store = await limitedTable('secpages');
  table = store.table;
});
afterAll(() => store?.close());

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';

/** A synthetic institution of `people` in four departments (the first holds most), Chinese names, long points. */
function syntheticDraft(institutionId: string, people: number): SecondaryDraft {
  const departments = ['内科', '外科', '护理部', '医技科'].map((name, d) => ({
    departmentId: `D${d}`,
    name,
    ...(d === 0 ? { headStaffId: `${institutionId}-000001` } : {}),
    points: `${1234567 + d}/${977 + d}`,
    pool: 0,
    capMultiple: '1.5',
    cap: 0,
    members: [] as SecondaryDraft['departments'][number]['members'],
  }));
  for (let i = 0; i < people; i++) {
    const department = departments[i % 10 < 7 ? 0 : (i % 3) + 1]!;
    const rule = 100_000 + ((i * 7919) % 900_000);
    department.members.push({
      staffId: `${institutionId}-${String(i + 1).padStart(6, '0')}`,
      name: `${SURNAMES[i % SURNAMES.length]}${SURNAMES[(i * 7) % SURNAMES.length]}${i % 2 ? '华' : '明'}`,
      points: `${(i * 104729) % 99991}/${97 + (i % 13)}`,
      rule,
    });
    department.pool += rule;
  }
  for (const d of departments) d.cap = Math.round((1.5 * d.pool) / d.members.length);
  return { institutionId, institutionName: '第一人民医院（院区合并）', departments };
}

describe('a draft over one item (10,000 people) in the AWS-limits mode', () => {
  const ref: SecondaryRef = { communityId: 'province1', period: '2026-01', revision: 1 };
  const draft = syntheticDraft('H0001', 10_000);
  const repo = () => new SecondaryRepository(table);

  it('would be refused as one item (the model refuses what AWS refuses)', async () => {
    const text = encode(draft);
    expect(Buffer.byteLength(text)).toBeGreaterThan(ITEM_LIMIT);
    await expect(
      table.put({ pk: secondaryPartition(ref), sk: 'INST#H0001', type: 'SecondaryDraft', data: text }),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('is stored in pages of at most 350 KB under its own partition and read back whole', async () => {
    await repo().open(ref, ['H0001']);
    await repo().putDraft(ref, draft);
    const pages = await store.plain.queryPrefix<Record<string, unknown>>(draftPartition(ref, 'H0001'));
    expect(pages.length).toBe(Math.ceil(Buffer.byteLength(encode(draft)) / DRAFT_PAGE_BYTES));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const page of pages) expect(itemBytes(page)).toBeLessThanOrEqual(350 * 1024);
    expect(await repo().draft(ref, 'H0001')).toEqual(draft);
    // The window's status reads heads only: each department's headcount without the members.
    const summary = (await repo().draftSummaries(ref)).get('H0001');
    expect(summary?.departments.map((d) => d.people)).toEqual(draft.departments.map((d) => d.members.length));
    expect(summary?.departments.reduce((a, d) => a + d.people, 0)).toBe(10_000);
  }, 120_000);

  it('writes the head last: pages without their head are no draft, and a rewrite switches whole', async () => {
    const other: SecondaryRef = { ...ref, revision: 2 };
    // A write that stops after its pages (the head's update never arrives).
    const failing = store.another();
    failing.update = async () => {
      throw new Error('stopped before the head');
    };
    await expect(new SecondaryRepository(failing).putDraft(other, draft)).rejects.toThrow(/before the head/);
    expect(await store.plain.queryPrefix(draftPartition(other, 'H0001'))).not.toEqual([]);
    expect(await repo().draft(other, 'H0001')).toBeUndefined();
    // Written again (the step retried), then a different draft: each read is one whole draft.
    await repo().putDraft(other, draft);
    expect(await repo().draft(other, 'H0001')).toEqual(draft);
    const smaller = syntheticDraft('H0001', 4_500);
    await repo().putDraft(other, smaller);
    expect(await repo().draft(other, 'H0001')).toEqual(smaller);
  }, 120_000);

  it('takes the split of a 10,000-person department, its amounts read back whole', async () => {
    const one = syntheticDraft('H0002', 10_000);
    const everyone = one.departments.flatMap((d) => d.members);
    const amounts = Object.fromEntries(everyone.map((m) => [m.staffId, m.rule]));
    // The monthly cycle at the window's revision: a submission holds only while it still is (its condition).
    await store.plain.put({
      ...keys.cycle(ref.communityId, 'monthly', ref.period),
      type: 'Cycle',
      revision: ref.revision,
    });
    const submitted = await repo().submit(
      ref,
      {
        institutionId: 'H0002',
        departmentId: 'ALL',
        amounts,
        submittedBy: 'head-h0002',
        submittedAt: new Date().toISOString(),
      },
      undefined,
      { details: { people: everyone.length } },
    );
    expect(submitted.status).toBe('submitted');
    expect((await repo().submission(ref, 'H0002', 'ALL'))?.amounts).toEqual(amounts);
  }, 120_000);
});

describe('splitUtf8', () => {
  it('cuts on character boundaries within the limit, and the pieces join to the text', () => {
    const text = `${'医'.repeat(1000)}a${'😀'.repeat(500)}${'b'.repeat(7)}`;
    for (const limit of [4, 5, 7, 100, 1001]) {
      const pieces = splitUtf8(text, limit);
      expect(pieces.join('')).toBe(text);
      for (const p of pieces) {
        expect(Buffer.byteLength(p)).toBeLessThanOrEqual(limit);
        expect(p).not.toContain('\uFFFD');
      }
    }
    expect(splitUtf8('short', 100)).toEqual(['short']);
  });
});
