/**
 * What finance's review queue shows of a correction awaiting review (issue 12): a summary of every
 * institution (people, lines, difference) and the lines of the first institutions in id order within a
 * byte budget, so that a province's correction (a line for each of 350,000 people, tens of MB) fits the
 * API's answer. Built from the per-institution summaries stored with the lines (`DIFFSUM#`, one paged
 * query) and the pages of the institutions that fit only; a correction stored before those summaries
 * existed is read from every page as it was.
 */
import type { CorrectionLine, CorrectionRecord, DifferenceSummary } from '../store/corrections.js';
import type { Repositories } from '../store/index.js';

/** One institution's share of a correction: distinct people, lines, and the difference in fen. */
export interface InstitutionDifference {
  institutionId: string;
  people: number;
  lines: number;
  difference: number;
}

export interface CorrectionReview {
  summary: InstitutionDifference[];
  differences: { institutionId: string; lines: CorrectionLine[] }[];
  differencesComplete: boolean;
  counts: { institutions: number; institutionsIncluded: number; lines: number; linesIncluded: number };
}

const byInstitution = (a: { institutionId: string }, b: { institutionId: string }) =>
  a.institutionId < b.institutionId ? -1 : a.institutionId > b.institutionId ? 1 : 0;

/** A correction's summary per institution, with the lines of the institutions that fit `budget` bytes. */
export async function correctionReview(
  repos: Repositories,
  correction: CorrectionRecord,
  budget: number,
): Promise<CorrectionReview> {
  const stored = await repos.corrections.differenceSummaries(correction);
  // Written with every institution's pages before the record, so they add up to its lines; a correction
  // recorded before summaries were stored has none (and lines), and is read from its pages.
  if (stored.reduce((sum, s) => sum + s.lines, 0) !== correction.totals.lines)
    return fromEveryPage(repos, correction, budget);
  const all = [...stored].sort(byInstitution);
  const fit: DifferenceSummary[] = [];
  let used = 0;
  for (const s of all) {
    if (used + s.bytes > budget) break;
    used += s.bytes;
    fit.push(s);
  }
  const differences = fit.length > 0 ? await repos.corrections.differencesOf(correction, fit) : [];
  return answer(
    all.map(({ institutionId, people, lines, difference }) => ({ institutionId, people, lines, difference })),
    differences,
  );
}

/** Every page of the correction read and summed here (corrections stored before the summaries). */
async function fromEveryPage(
  repos: Repositories,
  correction: CorrectionRecord,
  budget: number,
): Promise<CorrectionReview> {
  const all = (await repos.corrections.differences(correction)).sort(byInstitution);
  const differences: CorrectionReview['differences'] = [];
  let used = 0;
  for (const d of all) {
    const size = Buffer.byteLength(JSON.stringify(d.lines));
    if (used + size > budget) break;
    used += size;
    differences.push(d);
  }
  return answer(
    all.map(({ institutionId, lines }) => ({
      institutionId,
      people: new Set(lines.map((l) => l.staffId)).size,
      lines: lines.length,
      difference: lines.reduce((sum, l) => sum + l.difference, 0),
    })),
    differences,
  );
}

function answer(summary: InstitutionDifference[], differences: CorrectionReview['differences']) {
  return {
    summary,
    differences,
    differencesComplete: differences.length === summary.length,
    counts: {
      institutions: summary.length,
      institutionsIncluded: differences.length,
      lines: summary.reduce((sum, s) => sum + s.lines, 0),
      linesIncluded: differences.reduce((sum, d) => sum + d.lines.length, 0),
    },
  };
}
