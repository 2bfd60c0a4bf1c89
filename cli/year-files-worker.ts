/**
 * The thread that writes a year's files while the main thread runs its cycles (year-files-thread.ts):
 * YearFiles over a connection of its own to the same table, its workbooks built here in turn. It keeps
 * the process's CPU priority: at nice 10 it took no longer on a quiet machine, but a demo year beside two
 * busy processes took 44–54 s instead of 14–15 s (issue 17). Messages are handled in the order they come:
 * each completed cycle's files, then `finish` (the year's own files and the summary) or `abandon`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { thrown } from '../shared/reports/file-jobs.js';
import type { ExportEntry } from '../shared/reports/index.js';
import { YearFiles } from '../shared/reports/year-files.js';
import { openStore } from '../shared/store/index.js';
import { yearSummary } from './summary.js';
import type { FromYearFilesThread, ToYearFilesThread, YearFilesThreadData } from './year-files-thread.js';

const port = parentPort!;
const data = workerData as YearFilesThreadData;

const repos = openStore({ endpoint: data.endpoint, tableName: data.tableName });
let entry: ExportEntry | undefined;
const opening = YearFiles.open(repos, data.communityId, data.year, data.outDir, {
  ...data.options,
  // The main thread holds the audit chain: the entry goes back to it.
  recordExport: async (_communityId, made) => {
    entry = made;
  },
});

const answer = (message: FromYearFilesThread) => port.postMessage(message);

port.on('message', (message: ToYearFilesThread) => {
  if (message.type === 'completed') {
    // A failed open fails `finish`; YearFiles keeps a failed cycle's error for it too.
    opening.then(
      (files) => files.completed(message.cycle),
      () => undefined,
    );
    return;
  }
  if (message.type === 'abandon') {
    opening
      .then((files) => files.abandon())
      .then(
        () => answer({ type: 'abandoned' }),
        () => answer({ type: 'abandoned' }),
      )
      .finally(() => repos.table.doc.destroy());
    return;
  }
  opening
    .then(async (files) => {
      const written = await files.finish();
      const summary = await yearSummary(repos, data.communityId, data.year, written.data);
      answer({
        type: 'finished',
        results: written.results,
        reports: written.reports,
        summary,
        ...(entry ? { entry } : {}),
      });
    })
    .catch((error: unknown) => answer({ type: 'failed', error: thrown(error) }))
    .finally(() => repos.table.doc.destroy());
});
