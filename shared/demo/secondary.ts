/**
 * The demo's department heads and institution users (DOMAIN.md §9.1 manual mode), so `npm start` runs a
 * manual year unattended: each head starts from the rule split and moves 2 % of the largest amount to the
 * smallest (within the cap), `depthead-demo-<institution>-<department>` submits it, and
 * `institution-demo-<institution>` approves — except one department per institution each month, left
 * unapproved to show the rule split taking over on close; then `office-demo` closes the window.
 */
import type { ExecutionPort } from '../app/cycle-service.js';
import { closeWindow, decideSplit, refOf, submitSplit } from '../app/secondary-service.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import type { DraftDepartment } from '../store/secondary.js';

/**
 * The head's amounts: the rule split with 2 % of the largest moved to the smallest, then held to the cap
 * (the rule split itself may exceed it: §9.1 caps manual amounts only), the excess spread over the others.
 */
export function demoSplit(d: DraftDepartment): Map<string, number> {
  const amounts = new Map(d.members.map((m) => [m.staffId, m.rule]));
  if (d.members.length < 2) return amounts;
  const sorted = [...d.members].sort((a, b) => a.rule - b.rule || (a.staffId < b.staffId ? -1 : 1));
  const low = sorted[0]!;
  const high = sorted.at(-1)!;
  const moved = Math.floor(high.rule * 0.02);
  amounts.set(low.staffId, low.rule + moved);
  amounts.set(high.staffId, high.rule - moved);
  if (d.cap === undefined) return amounts;
  const cap = d.cap;
  let excess = 0;
  for (const [id, a] of amounts)
    if (a > cap) {
      excess += a - cap;
      amounts.set(id, cap);
    }
  for (const m of sorted) {
    if (excess === 0) break;
    const give = Math.min(excess, cap - amounts.get(m.staffId)!);
    amounts.set(m.staffId, amounts.get(m.staffId)! + give);
    excess -= give;
  }
  return amounts;
}

/**
 * The store as the demo's users see it this month: one read of each institution's draft, shared by the
 * head's submission and the approval of each department (the services read it again for every call:
 * 29 reads of the largest hospital's draft a month, ~50 ms of a month's ~0.5 s of splits on disk). A draft
 * is written once when the window opens and does not change while it is open, which is when these run.
 */
function sharingDrafts(repos: Repositories): Repositories {
  const drafts = new Map<string, ReturnType<Repositories['secondary']['draft']>>();
  const secondary: Repositories['secondary'] = Object.create(repos.secondary);
  secondary.draft = (ref, institutionId) => {
    const key = `${ref.communityId}\u0000${ref.period}\u0000${ref.revision}\u0000${institutionId}`;
    let draft = drafts.get(key);
    if (!draft) {
      draft = repos.secondary.draft(ref, institutionId);
      drafts.set(key, draft);
    }
    return draft;
  };
  return { ...repos, secondary };
}

export async function demoSecondary(
  store: Repositories,
  port: ExecutionPort,
  cycle: CycleRecord,
  office: string,
): Promise<void> {
  const repos = sharingDrafts(store);
  const ref = refOf(cycle);
  const window = await repos.secondary.window(ref);
  if (window?.status !== 'open') return;
  // Every department's head and approver at once, as people would be: the reads of one call overlap the
  // others' writes, and the audit trail takes their entries one at a time (AuditRepository.append).
  const calls: Promise<unknown>[] = [];
  for (const institutionId of window.institutionIds) {
    const draft = await repos.secondary.draft(ref, institutionId);
    const departments = draft?.departments ?? [];
    // The department left waiting this month: a different one each month.
    const month = Number(cycle.period.slice(5));
    const unapproved = departments[month % Math.max(1, departments.length)]?.departmentId;
    for (const d of departments) {
      if (d.members.length === 0) continue;
      const head = `depthead-demo-${institutionId}-${d.departmentId}`;
      const where = {
        communityId: cycle.communityId,
        period: cycle.period,
        institutionId,
        departmentId: d.departmentId,
      };
      const call = (async () => {
        // The head's view showed no submission yet; the approver approves the version submitted.
        const seen = { revision: cycle.revision, window };
        const submission = await submitSplit(
          repos,
          { ...where, amounts: demoSplit(d), seen: { ...seen, previous: undefined } },
          { by: head },
        );
        if (d.departmentId === unapproved) return;
        await decideSplit(
          repos,
          { ...where, approve: true, seen: { ...seen, submission } },
          { by: `institution-demo-${institutionId}` },
        );
      })();
      // Observed now (a failure is reported below, after every call has settled), not left unhandled while
      // the next institution's draft is read.
      call.catch(() => undefined);
      calls.push(call);
    }
  }
  // Every call settles before the window closes; the first failure is the one reported.
  const settled = await Promise.allSettled(calls);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  await closeWindow(store, port, { communityId: cycle.communityId, period: cycle.period }, { by: office });
}
