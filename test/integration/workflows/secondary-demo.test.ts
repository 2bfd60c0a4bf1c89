/**
 * The demo's department heads and approvers (shared/demo/secondary.ts), who act on every department at
 * once and hand the services what their views showed (issue 17): the month pays exactly as the calls one
 * after another did — every department submitted, all but the month's one approved — and the audit
 * chain holds one entry per call, in one verified chain. What a caller hands over is checked by the
 * writes' conditions: a stale view is refused (of the submission, or of the window since closed), and so
 * is a forged submitter (four eyes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvedSplits, decideSplit, refOf, submitSplit } from '../../../shared/app/secondary-service.js';
import { demoSecondary } from '../../../shared/demo/secondary.js';
import { ReviewStateError } from '../../../shared/errors.js';
import type { LocalRuntime } from '../../../shared/local/runtime.js';
import type { CycleRecord } from '../../../shared/store/cycles.js';
import { MANUAL_MONTH, openManualMonth, startManualMonth } from './secondary-setup.js';

const { community, period } = MANUAL_MONTH;

describe('the demo’s §9.1 users', () => {
  let rt: LocalRuntime;
  beforeAll(async () => {
    rt = await openManualMonth('secondary-demo');
  }, 120_000);
  afterAll(() => rt?.close());

  it('submit and approve every department at once; the month closes and pays, one audit entry per call', async () => {
    await startManualMonth(rt);
    const cycle = (await rt.repos.cycles.get(community, 'monthly', period)) as CycleRecord;
    expect(cycle.status).toBe('running');
    const ref = refOf(cycle);
    const window = (await rt.repos.secondary.window(ref))!;
    const departments = new Map<string, string[]>();
    for (const id of window.institutionIds) {
      const draft = await rt.repos.secondary.draft(ref, id);
      departments.set(
        id,
        (draft?.departments ?? []).filter((d) => d.members.length > 0).map((d) => d.departmentId),
      );
    }
    const before = (await rt.repos.audit.entries(community)).length;

    await demoSecondary(rt.repos, rt.workflows, cycle, 'office1');

    expect((await rt.repos.cycles.get(community, 'monthly', period))?.status).toBe('completed');
    const states = await rt.repos.secondary.submissionStates(ref);
    let calls = 0;
    for (const [institutionId, ids] of departments) {
      const mine = states.filter((s) => s.institutionId === institutionId);
      expect(mine.map((s) => s.departmentId).sort()).toEqual([...ids].sort());
      // One department per institution is left waiting each month; the rest are approved by its user.
      expect(mine.filter((s) => s.status === 'submitted')).toHaveLength(1);
      for (const s of mine.filter((x) => x.status === 'approved'))
        expect(s).toMatchObject({ decidedBy: `institution-demo-${institutionId}`, version: 2 });
      calls += ids.length * 2 - 1;
    }
    const entries = await rt.repos.audit.entries(community);
    const made = entries.slice(before);
    const decisions = made.filter((e) => e.action === 'secondary.submit' || e.action === 'secondary.approve');
    expect(decisions).toHaveLength(calls);
    // Each department's approval comes after its submission in the chain.
    for (const approval of decisions.filter((e) => e.action === 'secondary.approve')) {
      const submitted = decisions.find(
        (e) => e.action === 'secondary.submit' && e.subject === approval.subject,
      );
      expect(submitted!.sequence).toBeLessThan(approval.sequence);
    }
    expect(await rt.repos.audit.verify(community)).toMatchObject({ ok: true, entries: entries.length });

    // The pay step's approved splits: a waiting institution's as approved; one that never waited (no
    // departments) has none, and no query is made for it (the window's ids are read once per process).
    const done = (await rt.repos.cycles.get(community, 'monthly', period))!;
    const c01 = await approvedSplits(rt.repos, done, 'C01');
    expect([...(c01?.keys() ?? [])].sort()).toEqual(
      states
        .filter((s) => s.institutionId === 'C01' && s.status === 'approved')
        .map((s) => s.departmentId)
        .sort(),
    );
    const doc = rt.repos.table.doc;
    const send = doc.send;
    const sent: string[] = [];
    doc.send = ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
      sent.push(command.constructor.name);
      return (send as (...args: unknown[]) => unknown).call(doc, command, ...rest);
    }) as unknown as typeof doc.send;
    try {
      expect(await approvedSplits(rt.repos, done, 'T01')).toBeUndefined();
    } finally {
      doc.send = send;
    }
    expect(sent).toEqual([]);
  });
});

describe('what a caller hands over is checked by the writes', () => {
  let rt: LocalRuntime;
  beforeAll(async () => {
    rt = await openManualMonth('secondary-seen');
  }, 120_000);
  afterAll(() => rt?.close());

  it('refuses a stale view of the submission, and a forged submitter (the head approving their own)', async () => {
    await startManualMonth(rt);
    const cycle = (await rt.repos.cycles.get(community, 'monthly', period)) as CycleRecord;
    const ref = refOf(cycle);
    const draft = (await rt.repos.secondary.draft(ref, 'C01'))!;
    const department = draft.departments.find((d) => d.members.length >= 2)!;
    const where = {
      communityId: community,
      period,
      institutionId: 'C01',
      departmentId: department.departmentId,
    };
    const amounts = new Map(department.members.map((m) => [m.staffId, m.rule]));
    const headUser = 'head-c01';
    const seen = { revision: cycle.revision };

    const first = await submitSplit(
      rt.repos,
      { ...where, amounts, seen: { ...seen, previous: undefined } },
      { by: headUser },
    );
    // A view that showed no submission, after one was made: refused, not overwritten.
    await expect(
      submitSplit(rt.repos, { ...where, amounts, seen: { ...seen, previous: undefined } }, { by: headUser }),
    ).rejects.toBeInstanceOf(ReviewStateError);
    // Submitted again on the view of the first: version 2.
    const second = await submitSplit(
      rt.repos,
      { ...where, amounts, seen: { ...seen, previous: first } },
      { by: headUser },
    );
    expect(second.version).toBe(2);
    // Approving the first version (stale): refused.
    await expect(
      decideSplit(
        rt.repos,
        { ...where, approve: true, seen: { ...seen, submission: first } },
        { by: 'institution-user' },
      ),
    ).rejects.toBeInstanceOf(ReviewStateError);
    // The head hands over the current version with someone else as its submitter: the service's four-eyes
    // check passes on it, the write's condition on the stored submitter does not.
    await expect(
      decideSplit(
        rt.repos,
        {
          ...where,
          approve: true,
          seen: { ...seen, submission: { ...second, submittedBy: 'someone-else' } },
        },
        { by: headUser },
      ),
    ).rejects.toBeInstanceOf(ReviewStateError);
    expect((await rt.repos.secondary.submission(ref, 'C01', department.departmentId))?.status).toBe(
      'submitted',
    );
    // The real approver, on the current version.
    const approved = await decideSplit(
      rt.repos,
      { ...where, approve: true, seen: { ...seen, submission: second } },
      { by: 'institution-user' },
    );
    expect(approved).toMatchObject({ status: 'approved', version: 3, submittedBy: headUser });

    // A view that showed the window open, after the office closed it: the write's condition refuses it.
    const open = (await rt.repos.secondary.window(ref))!;
    expect(await rt.repos.secondary.close(ref, 'office1', {})).toBe(true);
    const other = draft.departments.find((d) => d !== department && d.members.length > 0)!;
    await expect(
      submitSplit(
        rt.repos,
        {
          ...where,
          departmentId: other.departmentId,
          amounts: new Map(other.members.map((m) => [m.staffId, m.rule])),
          seen: { ...seen, window: open, previous: undefined },
        },
        { by: 'head-other' },
      ),
    ).rejects.toThrow(/closed/);
    expect(await rt.repos.secondary.submission(ref, 'C01', other.departmentId)).toBeUndefined();
    expect(await rt.repos.audit.verify(community)).toMatchObject({ ok: true });
  });
});

describe('a view of the month’s revision', () => {
  let rt: LocalRuntime;
  beforeAll(async () => {
    rt = await openManualMonth('secondary-revision');
  }, 120_000);
  afterAll(() => rt?.close());

  it('spares the read of the cycle, and is refused by the write once the month is another revision', async () => {
    await startManualMonth(rt);
    const cycle = (await rt.repos.cycles.get(community, 'monthly', period)) as CycleRecord;
    const ref = refOf(cycle);
    const window = (await rt.repos.secondary.window(ref))!;
    const draft = (await rt.repos.secondary.draft(ref, 'C01'))!;
    const [one, two] = draft.departments.filter((d) => d.members.length > 0);
    const split = (d: typeof one) => new Map(d!.members.map((m) => [m.staffId, m.rule]));
    const where = { communityId: community, period, institutionId: 'C01' };
    const seen = { revision: cycle.revision, window, previous: undefined };

    // With the view, the cycle record is not read: the write's condition holds it to that revision.
    const doc = rt.repos.table.doc;
    const send = doc.send;
    const cycleReads: string[] = [];
    doc.send = ((
      command: { constructor: { name: string }; input?: { Key?: { sk?: string } } },
      ...rest: unknown[]
    ) => {
      if (command.input?.Key?.sk?.startsWith('CYCLE#')) cycleReads.push(command.constructor.name);
      return (send as (...args: unknown[]) => unknown).call(doc, command, ...rest);
    }) as unknown as typeof doc.send;
    try {
      await submitSplit(
        rt.repos,
        { ...where, departmentId: one!.departmentId, amounts: split(one), seen },
        { by: 'head-one' },
      );
    } finally {
      doc.send = send;
    }
    expect(cycleReads).toEqual([]);

    // The month recomputed meanwhile (its record now names the next revision, which has no window yet):
    // the view's write is refused by its condition, the call is made again on the month as read, and
    // nothing is written for the revision the view showed.
    const key = { pk: `COMMUNITY#${community}`, sk: `CYCLE#monthly#${period}` };
    expect(await rt.repos.table.get(key)).toMatchObject({ revision: cycle.revision });
    await rt.repos.table.update({
      Key: key,
      UpdateExpression: 'SET revision = :next',
      ExpressionAttributeValues: { ':next': cycle.revision + 1 },
    });
    await expect(
      submitSplit(
        rt.repos,
        { ...where, departmentId: two!.departmentId, amounts: split(two), seen },
        { by: 'head-two' },
      ),
    ).rejects.toThrow(/window/);
    expect(await rt.repos.secondary.submission(ref, 'C01', two!.departmentId)).toBeUndefined();
    expect(await rt.repos.audit.verify(community)).toMatchObject({ ok: true });
  });
});
