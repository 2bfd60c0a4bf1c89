/**
 * A scheme simulation (模拟测算, issue 15) as a job of the API's long work (issue 12): a year of a province
 * recomputed under a draft does not fit the API's 30 s. The route checks the draft and the version it
 * names at once (a form error names file, row and column; an unknown version is 404) and records the
 * request; the runner (shared/api/jobs.ts) simulates and records the answer the route used to give.
 */
import { schemesOf } from '../app/scheme-service.js';
import {
  parseSchemeDraft,
  type SchemeDraft,
  simulateScheme,
  simulationProvenance,
} from '../app/simulation.js';
import type { PersonDiff } from '../app/simulation-diff.js';
import { bilingual, NotFoundError } from '../errors.js';
import type { Repositories } from '../store/index.js';

/** What `POST /api/simulations` takes (and its job records): a stored version, or the draft's files. */
export interface SimulationRequest {
  year: number;
  version?: number;
  files?: { 'scheme.json'?: string; 'indicators.csv'?: string };
  months?: number[];
}

const byDifference = (a: PersonDiff, b: PersonDiff) =>
  b.difference - a.difference || (a.staffId < b.staffId ? -1 : 1);

/** The draft of the request: a stored version's content, or its files read with the import's rules. */
export async function simulationDraft(
  repos: Repositories,
  communityId: string,
  request: SimulationRequest,
): Promise<SchemeDraft> {
  if (request.version !== undefined) {
    const record = await schemesOf(repos).get(communityId, request.year, request.version);
    if (!record)
      throw new NotFoundError(
        bilingual(
          `没有 ${request.year} 年方案第 ${request.version} 版`,
          `no ${request.year} scheme v${request.version}`,
        ),
      );
    return { scheme: record.scheme, indicators: record.indicators } as SchemeDraft;
  }
  const files = request.files;
  return files && (files['scheme.json'] !== undefined || files['indicators.csv'] !== undefined)
    ? parseSchemeDraft({
        ...(files['scheme.json'] !== undefined ? { scheme: files['scheme.json'] } : {}),
        ...(files['indicators.csv'] !== undefined ? { indicators: files['indicators.csv'] } : {}),
      })
    : {};
}

/** The simulation's answer: counts, distribution, the 20 largest gains and losses, every institution. */
export async function simulationAnswer(
  repos: Repositories,
  communityId: string,
  by: string,
  request: SimulationRequest,
) {
  const draft = await simulationDraft(repos, communityId, request);
  const s = await simulateScheme(repos, {
    communityId,
    year: request.year,
    draft: { scheme: draft.scheme, indicators: draft.indicators } as SchemeDraft,
    ...(request.months ? { months: request.months } : {}),
    by,
  });
  const people = [...s.diff.people].sort(byDifference);
  const named = (p: PersonDiff) => ({ ...p, name: s.staffNames[p.staffId] ?? '' });
  return {
    ...simulationProvenance(s),
    counts: s.diff.counts,
    summary: s.diff.summary,
    distribution: s.diff.distribution,
    community: s.diff.community,
    changedFiles: s.diff.changedFiles,
    gains: people
      .filter((p) => p.difference > 0)
      .slice(0, 20)
      .map(named),
    losses: people
      .filter((p) => p.difference < 0)
      .reverse()
      .slice(0, 20)
      .map(named),
    institutions: s.diff.institutions.map((i) => ({
      ...i,
      name: s.institutionNames[i.institutionId] ?? '',
    })),
  };
}
