/**
 * DOMAIN.md §9.1 manual mode through the synthesized monthly state machine on the local engine and a real
 * DynamoDB Local: the month waits for the department heads (a task token per institution), heads submit
 * amounts checked to the fen and against the cap, another user of the institution approves (four eyes),
 * the office closes the window, and the month pays the approved splits and the rule split elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeWindow,
  decideSplit,
  departmentView,
  type SecondaryActor,
  SubmissionInvalidError,
  submitSplit,
  windowStatus,
} from '../../../shared/app/secondary-service.js';
import { FourEyesError, ReviewStateError } from '../../../shared/errors.js';
import type { LocalRuntime } from '../../../shared/local/runtime.js';
import type { DraftDepartment } from '../../../shared/store/secondary.js';
import { MANUAL_MONTH, openManualMonth, startManualMonth } from './secondary-setup.js';

const { community, period } = MANUAL_MONTH;
let rt: LocalRuntime;

const head = (institutionId: string, departmentId: string, by: string): SecondaryActor => ({
  by,
  role: 'dept_head',
  institutionId,
  departmentId,
});
const institutionUser = (institutionId: string, by: string): SecondaryActor => ({
  by,
  role: 'institution',
  institutionId,
});
const office: SecondaryActor = { by: 'office1', role: 'office' };

interface PayRow {
  staffId: string;
  reward: number;
}

beforeAll(async () => {
  rt = await openManualMonth('secondary');
}, 120_000);

afterAll(() => rt?.close());

async function department(institutionId: string, departmentId: string): Promise<DraftDepartment> {
  const view = await departmentView(
    rt.repos,
    { communityId: community, period, institutionId, departmentId },
    office,
  );
  return view.department;
}

/** A split that differs from the rule split: the first member gets 60 % of the pool, the rest share the remainder. */
function shifted(d: DraftDepartment): Map<string, number> {
  const first = Math.floor(d.pool * 0.6);
  const others = d.members.slice(1);
  const rest = d.pool - first;
  const amounts = new Map<string, number>([[d.members[0]!.staffId, first]]);
  others.forEach((m, i) => {
    amounts.set(m.staffId, Math.floor(rest / others.length) + (i === 0 ? rest % others.length : 0));
  });
  return amounts;
}

describe('a manual month (§9.1) on the local engine', () => {
  let nursing: DraftDepartment; // C01/护理部: submitted and approved at once
  let publicHealth: DraftDepartment; // C02/公卫科: submitted first, approved after 护理部
  let imaging: DraftDepartment; // C01/医技科: submitted, never approved → rule split on close

  it('waits for the department heads after computing the department pools', async () => {
    const { cycle } = await startManualMonth(rt);
    expect(rt.workflows.lastOutcome).toBe('paused');
    const now = await rt.repos.cycles.get(community, 'monthly', period);
    expect(now?.status).toBe('running');
    const status = await windowStatus(rt.repos, { communityId: community, period });
    expect(status.window?.status).toBe('open');
    expect(status.institutions.map((i) => i.institutionId)).toEqual(['C01', 'C02']);
    expect(await rt.repos.results.payLines({ ...cycle })).toEqual([]);
    nursing = await department('C01', '护理部');
    publicHealth = await department('C02', '公卫科');
    imaging = await department('C01', '医技科');
    for (const d of [nursing, publicHealth, imaging]) {
      expect(d.members.length).toBeGreaterThanOrEqual(2);
      expect(d.members.reduce((a, m) => a + m.rule, 0)).toBe(d.pool);
    }
    expect(nursing.cap).toBe(Math.round((1.5 * nursing.pool) / nursing.members.length));
  });

  it('refuses a cap breach naming the person and the excess, and a sum off by a fen', async () => {
    const [a, b] = nursing.members;
    const overCap = new Map([
      [a!.staffId, nursing.cap! + 1],
      [b!.staffId, nursing.pool - nursing.cap! - 1],
    ]);
    const error = await submitSplit(
      rt.repos,
      { communityId: community, period, institutionId: 'C01', departmentId: '护理部', amounts: overCap },
      head('C01', '护理部', 'head-c01-nursing'),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(SubmissionInvalidError);
    expect(error.message).toContain(`${a!.staffId}`);
    expect(error.message).toContain('by 0.01 yuan');
    expect(error.message).toContain('超出 0.01 元');
    const offByAFen = shifted(nursing);
    offByAFen.set(b!.staffId, offByAFen.get(b!.staffId)! + 1);
    await expect(
      submitSplit(
        rt.repos,
        { communityId: community, period, institutionId: 'C01', departmentId: '护理部', amounts: offByAFen },
        head('C01', '护理部', 'head-c01-nursing'),
      ),
    ).rejects.toThrow(/0\.01 too much/);
    expect(
      await rt.repos.secondary.submission({ communityId: community, period, revision: 1 }, 'C01', '护理部'),
    ).toBeUndefined();
  });

  it('keeps a head to their own department', async () => {
    await expect(
      submitSplit(
        rt.repos,
        {
          communityId: community,
          period,
          institutionId: 'C01',
          departmentId: '医技科',
          amounts: shifted(imaging),
        },
        head('C01', '护理部', 'head-c01-nursing'),
      ),
    ).rejects.toBeInstanceOf(FourEyesError);
  });

  it('takes submissions, and four eyes: neither the submitter nor a head approves', async () => {
    await submitSplit(
      rt.repos,
      {
        communityId: community,
        period,
        institutionId: 'C02',
        departmentId: '公卫科',
        amounts: shifted(publicHealth),
      },
      head('C02', '公卫科', 'head-c02-ph'),
    );
    await submitSplit(
      rt.repos,
      {
        communityId: community,
        period,
        institutionId: 'C01',
        departmentId: '护理部',
        amounts: shifted(nursing),
      },
      head('C01', '护理部', 'head-c01-nursing'),
    );
    await submitSplit(
      rt.repos,
      {
        communityId: community,
        period,
        institutionId: 'C01',
        departmentId: '医技科',
        amounts: shifted(imaging),
      },
      head('C01', '医技科', 'head-c01-imaging'),
    );
    // The submitter, even holding the institution role, cannot approve their own split.
    await expect(
      decideSplit(
        rt.repos,
        { communityId: community, period, institutionId: 'C01', departmentId: '护理部', approve: true },
        institutionUser('C01', 'head-c01-nursing'),
      ),
    ).rejects.toBeInstanceOf(FourEyesError);
    // A head never approves, not even another department's split.
    await expect(
      decideSplit(
        rt.repos,
        { communityId: community, period, institutionId: 'C01', departmentId: '护理部', approve: true },
        head('C01', '医技科', 'head-c01-imaging'),
      ),
    ).rejects.toBeInstanceOf(FourEyesError);
    // A user of another institution cannot approve it either.
    await expect(
      decideSplit(
        rt.repos,
        { communityId: community, period, institutionId: 'C01', departmentId: '护理部', approve: true },
        institutionUser('C02', 'inst-c02'),
      ),
    ).rejects.toBeInstanceOf(FourEyesError);
    const approved = await decideSplit(
      rt.repos,
      { communityId: community, period, institutionId: 'C01', departmentId: '护理部', approve: true },
      institutionUser('C01', 'inst-c01'),
    );
    expect(approved).toMatchObject({
      status: 'approved',
      decidedBy: 'inst-c01',
      submittedBy: 'head-c01-nursing',
    });
    // Approved late: 公卫科 submitted before 护理部 but is approved after it.
    await decideSplit(
      rt.repos,
      { communityId: community, period, institutionId: 'C02', departmentId: '公卫科', approve: true },
      institutionUser('C02', 'inst-c02'),
    );
    await expect(
      submitSplit(
        rt.repos,
        {
          communityId: community,
          period,
          institutionId: 'C01',
          departmentId: '护理部',
          amounts: shifted(nursing),
        },
        head('C01', '护理部', 'head-c01-nursing'),
      ),
    ).rejects.toBeInstanceOf(ReviewStateError);
    const entries = await rt.repos.audit.entries(community);
    const actions = entries.map((e) => `${e.action} ${e.actor}`);
    expect(actions).toContain('secondary.submit head-c01-nursing');
    expect(actions).toContain('secondary.approve inst-c01');
    expect(actions).toContain('secondary.approve inst-c02');
  });

  it('closes: approved splits are paid, the unapproved department gets the rule split, Σ = pool to the fen', async () => {
    await expect(
      closeWindow(rt.repos, rt.workflows, { communityId: community, period }, office),
    ).resolves.toMatchObject({ approved: 2 });
    const cycle = await rt.repos.cycles.get(community, 'monthly', period);
    expect(cycle?.status).toBe('completed');
    const byInstitution = await rt.repos.results.payLines<PayRow>({
      communityId: community,
      kind: 'monthly',
      period,
      revision: cycle!.revision,
    });
    const reward = new Map(byInstitution.flatMap((g) => g.lines.map((l) => [l.staffId, l.reward] as const)));
    for (const [staffId, fen] of shifted(nursing)) expect(reward.get(staffId), staffId).toBe(fen);
    for (const [staffId, fen] of shifted(publicHealth)) expect(reward.get(staffId), staffId).toBe(fen);
    expect(
      [...shifted(nursing)].some(([id, fen]) => nursing.members.find((m) => m.staffId === id)!.rule !== fen),
    ).toBe(true);
    for (const m of imaging.members) expect(reward.get(m.staffId), m.staffId).toBe(m.rule);
    const results = await rt.repos.results.institutions<{
      institutionId: string;
      distributable: number;
      undistributed: number;
      departments: { departmentId: string; pool: number; mode: string }[];
    }>({ communityId: community, kind: 'monthly', period, revision: cycle!.revision });
    for (const id of ['C01', 'C02']) {
      const result = results.find((r) => r.institutionId === id)!;
      const lines = byInstitution.find((g) => g.institutionId === id)!.lines;
      expect(lines.reduce((a, l) => a + l.reward, 0) + result.undistributed).toBe(result.distributable);
    }
    const c01 = results.find((r) => r.institutionId === 'C01')!;
    expect(c01.departments.find((d) => d.departmentId === '护理部')).toMatchObject({
      pool: nursing.pool,
      mode: 'manual',
    });
    expect(c01.departments.find((d) => d.departmentId === '医技科')?.mode).toBe('rule');
    const status = await windowStatus(rt.repos, { communityId: community, period });
    expect(status.window).toMatchObject({ status: 'closed', closedBy: 'office1' });
    expect(
      status.institutions.flatMap((i) =>
        i.departments.map((d) => `${i.institutionId}/${d.departmentId} ${d.status}`),
      ),
    ).toEqual(expect.arrayContaining(['C01/护理部 approved', 'C02/公卫科 approved', 'C01/医技科 submitted']));
  });

  it('refuses anything after the close, naming who closed it', async () => {
    await expect(
      decideSplit(
        rt.repos,
        { communityId: community, period, institutionId: 'C01', departmentId: '医技科', approve: true },
        institutionUser('C01', 'inst-c01'),
      ),
    ).rejects.toThrow(/closed .*office1/);
    await expect(
      closeWindow(rt.repos, rt.workflows, { communityId: community, period }, office),
    ).rejects.toBeInstanceOf(ReviewStateError);
  });
});
