/**
 * Schemes (考核方案, issue 15): the versions of a year and the one in force, drafting and editing (office),
 * submitting, the committee's decision (four eyes), publishing, a readable diff, and simulating a draft
 * (模拟测算) against the year's results. Drafts arrive as the dataset's own files (scheme.json,
 * indicators.csv) as text and are read with the import's rules, so a form error names file, row and column.
 */
import { z } from 'zod';
import { apiHandler, route } from '../../shared/api/handler.js';
import { startJob } from '../../shared/api/jobs.js';
import { simulationDraft } from '../../shared/api/simulation-job.js';
import { diffSchemes } from '../../shared/app/scheme-diff.js';
import {
  createSchemeDraft,
  decideScheme,
  publishScheme,
  schemeInForce,
  schemesOf,
  submitScheme,
  updateSchemeDraft,
} from '../../shared/app/scheme-service.js';
import { parseSchemeDraft, type SchemeDraft } from '../../shared/app/simulation.js';
import { bilingual, NotFoundError } from '../../shared/errors.js';
import type { Repositories } from '../../shared/store/index.js';
import type { SchemeVersion } from '../../shared/store/schemes.js';

const Year = z.coerce
  .number({ message: '年度应为 YYYY / year is YYYY' })
  .int()
  .min(2000, '年度应为 YYYY / year is YYYY')
  .max(2100, '年度应为 YYYY / year is YYYY');
const Version = z.coerce
  .number({ message: '版本应为正整数 / version is a positive integer' })
  .int()
  .positive();
const VersionRef = z.object({ year: Year, version: Version });

/** The draft's files as text, named as in a dataset folder. */
const DraftFiles = z
  .object({ 'scheme.json': z.string().optional(), 'indicators.csv': z.string().optional() })
  .strict();

const draftOf = (files: z.infer<typeof DraftFiles> | undefined): SchemeDraft =>
  files && (files['scheme.json'] !== undefined || files['indicators.csv'] !== undefined)
    ? parseSchemeDraft({
        ...(files['scheme.json'] !== undefined ? { scheme: files['scheme.json'] } : {}),
        ...(files['indicators.csv'] !== undefined ? { indicators: files['indicators.csv'] } : {}),
      })
    : {};

/** A version without its content (the list). */
const summary = ({ scheme: _s, indicators: _i, ...rest }: SchemeVersion) => rest;

async function yearOf(repos: Repositories, communityId: string, year: number | undefined): Promise<number> {
  if (year !== undefined) return year;
  const current = await repos.datasets.current(communityId);
  if (!current) throw new NotFoundError(bilingual('还没有导入数据集', 'no dataset imported yet'));
  return current.year;
}

async function versionSide(repos: Repositories, communityId: string, year: number, which: string) {
  if (which === 'current') {
    const inForce = await schemeInForce(repos, communityId, year);
    if (!inForce)
      throw new NotFoundError(bilingual(`${year} 年没有现行方案`, `no scheme in force for ${year}`));
    return inForce;
  }
  const record = await schemesOf(repos).get(communityId, year, Number(which));
  if (!record)
    throw new NotFoundError(bilingual(`没有 ${year} 年方案第 ${which} 版`, `no ${year} scheme v${which}`));
  return record;
}

export const handler = apiHandler('schemes', {
  'GET /api/schemes': route({
    query: z.object({ year: Year.optional() }),
    run: async ({ query, community }, { repos }) => {
      const communityId = community;
      const year = await yearOf(repos, communityId, query.year);
      const [inForce, versions] = await Promise.all([
        schemeInForce(repos, communityId, year),
        schemesOf(repos).list(communityId, year),
      ]);
      return {
        json: {
          communityId,
          year,
          inForce: inForce ?? null,
          versions: versions.map(summary),
          pending: versions.filter((v) => ['draft', 'submitted', 'approved'].includes(v.status)).map(summary),
        },
      };
    },
  }),
  'POST /api/schemes': route({
    body: z.object({ year: Year, files: DraftFiles.optional(), basedOn: Version.optional() }),
    run: async ({ body, caller, community }, { repos }) => {
      const communityId = community;
      const record = await createSchemeDraft(repos, {
        communityId,
        year: body.year,
        by: caller.user,
        ...draftOf(body.files),
        ...(body.basedOn !== undefined ? { basedOn: body.basedOn } : {}),
      });
      return { status: 201, json: record };
    },
  }),
  'GET /api/schemes/{year}/{version}': route({
    params: VersionRef,
    run: async ({ params, community }, { repos }) => {
      const communityId = community;
      return { json: await versionSide(repos, communityId, params.year, String(params.version)) };
    },
  }),
  'POST /api/schemes/{year}/{version}': route({
    params: VersionRef,
    body: z.object({ files: DraftFiles }),
    run: async ({ params, body, caller, community }, { repos }) => {
      const communityId = community;
      return {
        json: await updateSchemeDraft(repos, {
          communityId,
          ...params,
          by: caller.user,
          ...draftOf(body.files),
        }),
      };
    },
  }),
  'GET /api/schemes/{year}/{version}/diff': route({
    params: VersionRef,
    query: z.object({
      against: z.union([z.literal('current'), z.string().regex(/^\d+$/)]).default('current'),
    }),
    run: async ({ params, query, community }, { repos }) => {
      const communityId = community;
      const from = await versionSide(repos, communityId, params.year, query.against);
      const to = await versionSide(repos, communityId, params.year, String(params.version));
      return { json: { from: query.against, to: params.version, changes: diffSchemes(from, to) } };
    },
  }),
  'POST /api/schemes/{year}/{version}/submit': route({
    params: VersionRef,
    run: async ({ params, caller, community }, { repos }) => ({
      json: await submitScheme(repos, {
        communityId: community,
        ...params,
        by: caller.user,
      }),
    }),
  }),
  'POST /api/schemes/{year}/{version}/approve': route({
    params: VersionRef,
    run: async ({ params, caller, community }, { repos }) => ({
      json: await decideScheme(repos, {
        communityId: community,
        ...params,
        by: caller.user,
        approve: true,
      }),
    }),
  }),
  'POST /api/schemes/{year}/{version}/reject': route({
    params: VersionRef,
    body: z.object({
      reason: z
        .string({ message: '退回必须填写原因 / a rejection needs a reason' })
        .trim()
        .min(1, '退回必须填写原因 / a rejection needs a reason'),
    }),
    run: async ({ params, body, caller, community }, { repos }) => ({
      json: await decideScheme(repos, {
        communityId: community,
        ...params,
        by: caller.user,
        approve: false,
        reason: body.reason,
      }),
    }),
  }),
  'POST /api/schemes/{year}/{version}/publish': route({
    params: VersionRef,
    run: async ({ params, caller, community }, { repos }) => ({
      json: await publishScheme(repos, {
        communityId: community,
        ...params,
        by: caller.user,
      }),
    }),
  }),
  'POST /api/simulations': route({
    body: z.object({
      year: Year,
      /** A stored version to simulate, or the draft's files. */
      version: Version.optional(),
      files: DraftFiles.optional(),
      months: z.array(z.number().int().min(1).max(12)).min(1).optional(),
    }),
    // A job (issue 12): the draft and the version are checked here, the year is simulated by the runner.
    run: async (input, deps) => {
      await simulationDraft(deps.repos, input.community, input.body);
      return startJob(input, deps, 'simulation', { ...input.body });
    },
  }),
});
