/**
 * Secondary distribution in manual mode (科室二次分配, DOMAIN.md §9.1): a department head sees the
 * department's pool and people with the rule split as the default and submits amounts; another user of
 * the institution approves or rejects; the office closes the window, which lets the month pay. The role
 * matrix (roles.ts) lets each group reach its routes; the service keeps a head to their own department and
 * an institution user to their own institution (the token's custom:institutionId / custom:departmentId).
 */
import { z } from 'zod';
import type { Caller } from '../../shared/api/auth.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { problem } from '../../shared/api/http.js';
import {
  closeWindow,
  decideSplit,
  departmentView,
  parseAmountsCsv,
  type SecondaryActor,
  SubmissionInvalidError,
  submitSplit,
  windowStatus,
} from '../../shared/app/secondary-service.js';

const Month = z.object({ period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM') });
const DepartmentRef = Month.extend({
  institutionId: z.string().min(1).max(64),
  departmentId: z.string().min(1).max(64),
});
/**
 * Amounts per staff id in yuan (strings, ≤ 2 decimals), or the CSV a head pasted or uploaded. The API's
 * 1 MiB body cap (shared/api/handler.ts) bounds it first: ~20,000 lines, more than any department.
 */
const SubmitBody = z.union([
  z.object({ amounts: z.record(z.string().min(1).max(64), z.string().max(32)) }),
  z.object({ csv: z.string().min(1).max(1_000_000), file: z.string().max(200).optional() }),
]);
const RejectBody = z.object({ reason: z.string().trim().min(1).max(500) });

/** The caller as the service checks them: the scoped role they act in, with its scope. */
function actorOf(caller: Caller): SecondaryActor {
  const scoped = (['dept_head', 'institution'] as const).find((g) => caller.groups.includes(g));
  const unscoped = caller.groups.some((g) => g === 'office' || g === 'finance' || g === 'auditor');
  if (scoped && !unscoped && !caller.institutionId)
    throw problem(
      403,
      `${caller.user} 的令牌没有所属机构（custom:institutionId）/ ${caller.user}'s token names no institution (custom:institutionId)`,
    );
  return {
    by: caller.user,
    ...(scoped && !unscoped ? { role: scoped } : {}),
    ...(caller.institutionId ? { institutionId: caller.institutionId } : {}),
    ...(caller.departmentId ? { departmentId: caller.departmentId } : {}),
  };
}

function amountsOf(body: z.infer<typeof SubmitBody>): Map<string, number> {
  if ('csv' in body) return parseAmountsCsv(body.csv, body.file ?? 'amounts.csv');
  const header = 'staffId,amount';
  const rows = Object.entries(body.amounts).map(([id, yuan]) => `${id},${yuan}`);
  return parseAmountsCsv([header, ...rows].join('\n'), 'amounts');
}

export const handler = apiHandler('secondary', {
  'GET /api/secondary/{period}': route({
    params: Month,
    run: async ({ params, caller, community }, { repos }) => ({
      json: await windowStatus(repos, { communityId: community, period: params.period }, actorOf(caller)),
    }),
  }),
  'GET /api/secondary/{period}/departments/{institutionId}/{departmentId}': route({
    params: DepartmentRef,
    run: async ({ params, caller, community }, { repos }) => ({
      json: await departmentView(repos, { communityId: community, ...params }, actorOf(caller)),
    }),
  }),
  'POST /api/secondary/{period}/departments/{institutionId}/{departmentId}': route({
    params: DepartmentRef,
    body: SubmitBody,
    run: async ({ params, body, caller, community }, { repos }) => {
      try {
        const submission = await submitSplit(
          repos,
          { communityId: community, ...params, amounts: amountsOf(body) },
          actorOf(caller),
        );
        return { status: 201, json: submission };
      } catch (error) {
        // Every problem with the person it names, for the form to mark the rows.
        if (error instanceof SubmissionInvalidError)
          throw problem(422, error.message, error.problems as unknown as Record<string, unknown>[]);
        throw error;
      }
    },
  }),
  'POST /api/secondary/{period}/departments/{institutionId}/{departmentId}/approve': route({
    params: DepartmentRef,
    run: async ({ params, caller, community }, { repos }) => ({
      json: await decideSplit(repos, { communityId: community, ...params, approve: true }, actorOf(caller)),
    }),
  }),
  'POST /api/secondary/{period}/departments/{institutionId}/{departmentId}/reject': route({
    params: DepartmentRef,
    body: RejectBody,
    run: async ({ params, body, caller, community }, { repos }) => ({
      json: await decideSplit(
        repos,
        { communityId: community, ...params, approve: false, reason: body.reason },
        actorOf(caller),
      ),
    }),
  }),
  'POST /api/secondary/{period}/close': route({
    params: Month,
    run: async ({ params, caller, community }, { repos, executions }) => ({
      json: await closeWindow(
        repos,
        executions,
        { communityId: community, period: params.period },
        actorOf(caller),
      ),
    }),
  }),
});
