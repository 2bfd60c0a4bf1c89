/**
 * First step of every cycle: confirms the cycle record is this run's revision and still running, checks
 * the prerequisites again (the record may be old), cuts the institution ids into batches and stores them
 * under the revision (shared/store/batches.ts), and hands the Maps references to the batches — keys only,
 * one Map iteration per batch, the same size whatever the ids' length — and whether finance already
 * approved this revision (a resumed run must not ask again). The batches are a function of the cycle's
 * dataset version: a retried or resumed PrepareCycle stores the same items again.
 */
import { cycleBatches } from '../shared/app/institution-batches.js';
import { checkPrerequisites } from '../shared/app/prerequisites.js';
import { manualInstitutions } from '../shared/app/secondary-service.js';
import { store } from '../shared/config.js';
import { bilingual, ReviewStateError } from '../shared/errors.js';
import { CycleExecutionInput, type PreparedCycle } from '../shared/schemas/events.js';

export async function handler(event: unknown): Promise<PreparedCycle> {
  const { cycle } = CycleExecutionInput.parse(event);
  const repos = store();
  // The reads that follow the record's check go out with it (one round trip instead of three in a row);
  // nothing is written before the check, and its error still comes first (the others are awaited after).
  const recordRead = repos.cycles.get(cycle.communityId, cycle.kind, cycle.period);
  const prerequisites = repos.datasets
    .scheme(cycle.communityId, cycle.datasetVersion)
    .then((scheme) => checkPrerequisites(repos, cycle.communityId, cycle.kind, cycle.period, scheme.year));
  const idLists = Promise.all([
    repos.datasets.institutions(cycle.communityId, cycle.datasetVersion),
    manualInstitutions(repos, cycle),
  ]);
  // Settled here if the record's check throws first (no unhandled rejection); awaited below otherwise.
  prerequisites.catch(() => undefined);
  idLists.catch(() => undefined);
  const record = await recordRead;
  if (!record || record.revision !== cycle.revision || record.status !== 'running') {
    throw new ReviewStateError(
      bilingual(
        `周期 ${cycle.kind} ${cycle.period} 第 ${cycle.revision} 版不在运行中`,
        `cycle ${cycle.kind} ${cycle.period} revision ${cycle.revision} is not running (found ${record?.status ?? 'none'} r${record?.revision ?? '-'})`,
      ),
    );
  }
  await prerequisites;
  const [institutions, manual] = await idLists;
  // Every institution, and (§9.1 manual mode) those whose department heads split their pools first.
  const { stored, refs } = cycleBatches(institutions.map((i) => i.id).sort(), manual);
  // Stored before the references leave: every Map iteration reads its batch from here. The revision's
  // result layout is settled here too, once, so the batches' guarded writes start with their guards.
  await Promise.all([
    ...stored.map(({ list, batches }) => repos.batches.put(cycle, list, batches)),
    ...(institutions.length > 0 ? [repos.results.prepareLayout(cycle, institutions.length)] : []),
  ]);
  return { ...refs, approved: record.decision?.approved === true };
}
