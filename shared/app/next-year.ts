/**
 * The next year's starting files from a completed annual appraisal (issue 11): institutions.csv with
 * each member's next approved total T′ (DOMAIN.md §5.5) and leaders.csv with the leader salaries the
 * appraisal set, plus the scheme carried to the new year — so the office does not retype them. The rest
 * of the next year's dataset (staff, indicators, monthly rows, insurance) the office brings as usual.
 */
import { csv, field, yuan } from '../demo/format.js';
import { bilingual, PrerequisiteError } from '../errors.js';
import type { AnnualSettlementResult } from '../schemas/results.js';
import { canonicalJson } from '../store/audit.js';
import type { Repositories } from '../store/index.js';

export async function nextYearFiles(
  repos: Repositories,
  communityId: string,
  year: number,
): Promise<Record<string, string>> {
  const annual = await repos.cycles.get(communityId, 'annual', String(year));
  if (annual?.status !== 'completed') {
    throw new PrerequisiteError(
      bilingual(
        `${year} 年考核尚未完成（${annual?.status ?? '未开始'}），没有下一年度的核定总量`,
        `the ${year} annual appraisal is not completed (${annual?.status ?? 'not started'}); there are no next-year totals yet`,
      ),
    );
  }
  const [settlement, institutions, scheme] = await Promise.all([
    repos.results.document<AnnualSettlementResult>(annual, 'SETTLEMENT'),
    repos.datasets.institutions(communityId, annual.datasetVersion),
    repos.datasets.scheme(communityId, annual.datasetVersion),
  ]);
  if (!settlement) throw new PrerequisiteError(`annual ${year} r${annual.revision} has no settlement`);
  const next = new Map(settlement.institutions.map((i) => [i.institutionId, i.nextApprovedTotal]));
  const rows = [...institutions]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((i) =>
      [
        field(i.id),
        field(i.name),
        i.kind,
        String(i.funding),
        String(i.tier),
        String(i.servedPopulation),
        yuan(next.get(i.id) ?? i.approvedTotal),
      ].join(','),
    );
  const leaders = settlement.leaders.map((l) => `${field(l.staffId)},${yuan(l.salary)}`);
  const nextScheme = JSON.parse(canonicalJson({ ...scheme, year: year + 1 })) as Record<string, unknown>;
  return {
    'institutions.csv': csv('id,name,kind,funding,tier,servedPopulation,approvedTotal', rows),
    'leaders.csv': csv('staffId,targetAnnualSalary', leaders),
    'scheme.json': `${JSON.stringify(nextScheme, null, 2)}\n`,
  };
}
