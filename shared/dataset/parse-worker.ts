/**
 * The thread that reads workload.csv for a streamed import (issue 17): decoding, the fast reader, every
 * row's checks and the JSON of each institution-month run here, so the import's main thread only encodes
 * pages, hashes and writes — on two cores the parse and the writes overlap instead of taking turns. The
 * reading is stream.ts's own (`WorkloadReader`, `readCsvSlices`, `rereadMonths`): the same issues and the
 * same months as reading on the main thread. The protocol is `WorkloadWorker`'s (stream.ts).
 */
import { parentPort } from 'node:worker_threads';
import { readCsvSlices } from './csv.js';
import { decodeSlices, type SlicesEnd, slicing } from './decode.js';
import { CSV_FORMATS } from './formats/index.js';
import {
  AHEAD_CHARS,
  type FromWorker,
  MONTHS_AHEAD,
  packMonth,
  rereadMonths,
  type ToWorker,
  WorkloadReader,
  type WorkloadSink,
} from './workload-reader.js';

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

let open = true;
let outstanding = 0;
/** The text lengths of the months not yet answered, oldest first, and their sum. */
const sizes: number[] = [];
let aheadChars = 0;
let acked: (() => void) | undefined;
let finishing: (() => void) | undefined;
/** The only months the main thread's sink takes, when it names them. */
let onlyMonths: ReadonlySet<string> | undefined;

/**
 * The main thread's sink as the reader sees it: months go out as messages, unanswered at most MONTHS_AHEAD
 * or AHEAD_CHARS of text, whichever is more (a city's months while the other files are read there).
 */
const remote: WorkloadSink = {
  get open() {
    return open;
  },
  get onlyMonths() {
    return onlyMonths;
  },
  begin: async () => false, // the main thread began
  month(period, workload) {
    outstanding++;
    const packed = packMonth(workload);
    sizes.push(packed.text.length);
    aheadChars += packed.text.length;
    port.postMessage({ type: 'month', period, ...packed } satisfies FromWorker, [
      packed.counts.buffer as ArrayBuffer,
      packed.lengths.buffer as ArrayBuffer,
      packed.rows.buffer as ArrayBuffer,
    ]);
  },
  async pause() {
    while (outstanding >= MONTHS_AHEAD && aheadChars >= AHEAD_CHARS)
      await new Promise<void>((resolve) => (acked = resolve));
    await new Promise((resolve) => setImmediate(resolve)); // messages (a closed sink) get in
  },
};

async function run(start: Extract<ToWorker, { type: 'start' }>) {
  slicing.bytes = start.sliceBytes;
  onlyMonths = start.onlyMonths && new Set(start.onlyMonths);
  const format = CSV_FORMATS.workload;
  const workload = new WorkloadReader(
    start.year,
    start.staffIndex,
    start.checkStaff,
    start.institutionOf,
    start.grouping ? remote : undefined,
  );
  const slices = () => decodeSlices(start.bytes);
  const pause = () => remote.pause();
  const done = await readCsvSlices(
    format.file,
    slices,
    format.columns,
    workload.onRecord,
    () => workload.restart(),
    pause,
  );
  const end = done.end as SlicesEnd;
  if ('problem' in end) workload.restart();
  post({
    type: 'read',
    read: { ...done.read, records: [] },
    end: 'problem' in end ? { ...end, problem: { ...end.problem } } : end,
    count: workload.count,
    first: workload.first,
    validateIssues: workload.validateIssues,
    uniqueIssues: workload.uniqueIssues,
    refIssues: workload.refIssues,
    periodIssues: workload.periodIssues,
  });
  await new Promise<void>((resolve) => (finishing = resolve));
  await workload.finish((periods) => rereadMonths(slices, undefined, periods, start.institutionOf, pause));
  post({ type: 'finished' });
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'ack') {
    outstanding--;
    aheadChars -= sizes.shift() ?? 0;
    acked?.();
    acked = undefined;
  } else if (message.type === 'closed') open = false;
  else if (message.type === 'finish') finishing?.();
  else if (message.type === 'start')
    run(message).catch((error: unknown) =>
      post({ type: 'failed', message: String((error as Error)?.stack ?? error) }),
    );
});
post({ type: 'ready' });
