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
  const record = await repos.cycles.get(cycle.communityId, cycle.kind, cycle.period);
  if (!record || record.revision !== cycle.revision || record.status !== 'running') {
    throw new ReviewStateError(
      bilingual(
        `周期 ${cycle.kind} ${cycle.period} 第 ${cycle.revision} 版不在运行中`,
        `cycle ${cycle.kind} ${cycle.period} revision ${cycle.revision} is not running (found ${record?.status ?? 'none'} r${record?.revision ?? '-'})`,
      ),
    );
  }
  const scheme = await repos.datasets.scheme(cycle.communityId, cycle.datasetVersion);
  await checkPrerequisites(repos, cycle.communityId, cycle.kind, cycle.period, scheme.year);
  const institutions = await repos.datasets.institutions(cycle.communityId, cycle.datasetVersion);
  // Every institution, and (§9.1 manual mode) those whose department heads split their pools first.
  const { stored, refs } = cycleBatches(
    institutions.map((i) => i.id).sort(),
    await manualInstitutions(repos, cycle),
  );
  // Stored before the references leave: every Map iteration reads its batch from here. The revision's
  // result layout is settled here too, once, so the batches' guarded writes start with their guards.
  await Promise.all([
    ...stored.map(({ list, batches }) => repos.batches.put(cycle, list, batches)),
    ...(institutions.length > 0 ? [repos.results.prepareLayout(cycle, institutions.length)] : []),
  ]);
  return { ...refs, approved: record.decision?.approved === true };
}
