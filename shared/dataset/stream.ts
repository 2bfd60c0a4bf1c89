/**
 * The import as a stream (issues 12 and 17): every file but workload.csv is read as `parseDataset` reads
 * it; workload.csv — nine in ten of a dataset's rows, ~150 MB for a province — is decoded a slice at a
 * time (its bytes are never one string) and read row by row, never held: each row is checked (cells, row rule, its key unique, its staff known, its period in the
 * year) as it is read, and a valid row goes, as its JSON, into its institution-month, which is handed to
 * the sink as soon as the file moves on to the next month. The sink (the import service) writes those
 * blobs while the file is still being read; nothing a reader sees changes until the pointer switches.
 *
 * The issues are exactly `parseDataset`'s, in its order (test/unit/dataset/stream.test.ts): the rules
 * about workload rows run here in the same order over the same cells. Workbooks are read whole (an
 * office's workbook is small); their workload sheet is streamed from its rows like a CSV's.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { type Dataset, WorkloadRow } from '../schemas/dataset.js';
import type { WorkloadGroup } from '../store/datasets.js';
import { builtWorker, bundleWorkerFromSources } from '../worker-bundle.js';
import { crossFileIssues, referenceTarget, type Table, type Tables } from './cross.js';
import { type CsvRead, readCsvSlices, readCsvStreamed, readRowsStreamed, type TextSlices } from './csv.js';
import {
  decodeSlices,
  decodeSlicesLimit,
  type Encoding,
  SHARED_FILE_BYTES,
  type SlicesEnd,
  slicing,
} from './decode.js';
import { type ImportIssue, issueAt } from './errors.js';
import { CSV_FORMATS, CSV_KEYS, type CsvKey, SCHEME_FILE } from './formats/index.js';
import { parseScheme } from './formats/scheme.js';
import { v2CrossIssues, withCommunityRows } from './formats/v2-rules.js';
import {
  assemble,
  dropLuhnWhereDigitsLost,
  type FileSource,
  type ImportSummary,
  type MonthlyRowNumbers,
  type ParseOptions,
  type ParseResult,
  readTable,
  sortIssues,
  textOf,
  unexpectedFiles,
} from './parse.js';
import {
  type FromWorker,
  rereadMonths,
  type ToWorker,
  unpackMonth,
  WorkloadReader,
  type WorkloadResults,
  type WorkloadSink,
} from './workload-reader.js';
import { isSheetSource, placeInSheets } from './xlsx.js';

export type { WorkloadGroup, WorkloadSink };

/** How long the parse worker may take to load its code (~0.5 s; 2.7 s seen at load 15) before it is not waited for. */
const READY_MS = 60_000;

/**
 * workload.csv files at least this large are read on a worker thread (tests lower it to see it work);
 * read-dir.ts reads them into shared memory, which the worker reads without a copy.
 */
export const parseThread: { minBytes: number; worker?: URL; earlyMaxBytes: number } = {
  minBytes: SHARED_FILE_BYTES,
  /**
   * Below this (a city's 15 MB) the worker trades memory for time: it starts on workload.csv as soon as
   * staff.csv is read, while this thread reads the other files, and has a young generation of
   * ROOMY_YOUNG_MB. From it (a province's ~150 MB) it starts once they are read and let go, with V8's default.
   */
  earlyMaxBytes: 64 * 1024 * 1024,
};

/**
 * workload.csv read on this thread (a county's 1.5 MB, below `parseThread.minBytes`) is decoded in slices of
 * at most this much: the read yields between slices, and only then do the version's writes go out — with
 * 1 MB slices a county's read yielded once, so its writes began when the parse ended.
 */
const MAIN_THREAD_SLICE_BYTES = 128 * 1024;

/**
 * The worker's young generation below `earlyMaxBytes`: a month's rows live until the month is handed over,
 * and with V8's default (48 MB) the collector copied them again and again — ~15 % of the parse's CPU.
 */
const ROOMY_YOUNG_MB = 128;

/**
 * The worker's file beside a Lambda's bundle (index.mjs): ESM like it. infra/constructs/handler-function.ts
 * bundles parse-worker.ts there for the functions that import (PrepareImport).
 */
export const BUNDLED_PARSE_WORKER = 'parse-worker.mjs';

/**
 * workload.csv read on a worker thread (parse-worker.ts, issue 17): started with the parse, so its code
 * loads while the other files are read here; given the bytes and what the rows are checked against once
 * those files are read; its months go to the sink here in order, each answered when the sink has room.
 * Where no worker can start (a bundle without the worker's file), the read stays on this thread.
 */
class WorkloadWorker {
  /** Set once the thread exists (from sources it starts when its bundle is built). */
  private worker: Worker | undefined;
  private closed = false;
  private readonly started: Promise<boolean>;
  private chain: Promise<void> = Promise.resolve();
  private waiting: { resolve: (message: FromWorker) => void; reject: (error: unknown) => void } | undefined;
  private failure: unknown;

  private constructor(made: Worker | Promise<Worker>) {
    let ready: (ok: boolean) => void = () => undefined;
    this.started = new Promise((resolve) => (ready = resolve));
    const attach = (worker: Worker) => {
      if (this.closed) return void worker.terminate();
      this.worker = worker;
      worker.on('error', (error) => {
        ready(false);
        this.fail(error);
      });
      worker.on('exit', () => {
        ready(false);
        this.fail(new Error('the workload parse worker stopped'));
      });
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') ready(true);
        else if (message.type === 'failed') this.fail(new Error(message.message));
        else
          this.chain = this.chain.then(() => this.take(message)).catch((error: unknown) => this.fail(error));
      });
    };
    if (made instanceof Worker) attach(made);
    else
      made.then(attach, (error: unknown) => {
        ready(false);
        this.fail(error);
      });
  }

  static spawn(options: WorkerOptions = {}): WorkloadWorker | undefined {
    try {
      const here = import.meta.url;
      // A test runs a Lambda bundle's worker (test/infra/parse-worker-bundle.test.ts).
      if (parseThread.worker) return new WorkloadWorker(new Worker(parseThread.worker, options));
      // The CLI's build (bin/build.mjs) has the worker as an entry of its own: plain JavaScript, no tsx.
      const built = builtWorker('parseWorker.mjs');
      if (built) return new WorkloadWorker(new Worker(built, options));
      // Sources (vitest, tsx): bundled here (see fromSources), or before (prepareParseWorker).
      if (here.endsWith('.ts'))
        return new WorkloadWorker(
          sourceBundle.text === undefined
            ? fromSources(here, options)
            : new Worker(sourceBundle.text, { ...options, eval: true }),
        );
      // A Lambda's bundle: the worker beside it (PrepareImport's), else this thread.
      const beside = new URL(`./${BUNDLED_PARSE_WORKER}`, here);
      return existsSync(fileURLToPath(beside)) ? new WorkloadWorker(new Worker(beside, options)) : undefined;
    } catch {
      return undefined; // no module location (a CommonJS bundle): read on this thread
    }
  }

  private sink: WorkloadSink | undefined;
  /** Whether the sink began (its months go to it), known once the other files are read. */
  private gate: Promise<boolean> = Promise.resolve(true);

  private async take(message: FromWorker): Promise<void> {
    if (message.type === 'month') {
      const began = await this.gate;
      if (this.closed) return; // let go before it loaded (`ready`): this thread reads the file
      const sink = this.sink!;
      if (began && sink.open) sink.month(message.period, unpackMonth(message));
      await sink.pause();
      const open = began && sink.open;
      this.worker!.postMessage({ type: open ? 'ack' : 'closed' } satisfies ToWorker);
      if (!open) this.worker!.postMessage({ type: 'ack' } satisfies ToWorker);
      return;
    }
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve(message);
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(this.failure);
  }

  private next(post: ToWorker): Promise<FromWorker> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.worker!.postMessage(post);
    });
  }

  /** Whether the thread exists already (the CLI's build, or sources bundled before): `read` posts at once. */
  get spawned(): boolean {
    return this.worker !== undefined;
  }

  /** Whether the worker started (its code loaded); false: read on this thread. */
  ready(): Promise<boolean> {
    // A worker whose code never loads must not hold the import: after READY_MS it reads on this thread.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), READY_MS);
      timer.unref();
    });
    return Promise.race([this.started, late]).finally(() => clearTimeout(timer));
  }

  /** Reads the file; the months wait for `gate` (the sink's begin) before they go to the sink. */
  async read(
    start: Omit<Extract<ToWorker, { type: 'start' }>, 'type' | 'sliceBytes'>,
    sink: WorkloadSink,
    gate: Promise<boolean>,
  ): Promise<{ read: CsvRead; end: SlicesEnd; results: WorkloadResults }> {
    this.sink = sink;
    this.gate = gate;
    const message = await this.next({ type: 'start', sliceBytes: slicing.bytes, ...start });
    if (message.type !== 'read') throw new Error(`unexpected ${message.type} from the workload parse worker`);
    const { read, end, ...rest } = message;
    const results: WorkloadResults = {
      ...rest,
      finish: async () => {
        const finished = await this.next({ type: 'finish' });
        if (finished.type !== 'finished') throw new Error(`unexpected ${finished.type} from the worker`);
      },
    };
    return { read, end, results };
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}

/**
 * Builds the worker's bundle now when running from the sources (tsx, vitest, the bench), as the CLI's
 * install builds it (bin/build.mjs): a bench step then measures the import as the installed CLI runs it,
 * not esbuild (~0.15 s of CPU in its own process, and the worker's start waiting for it). Elsewhere a no-op.
 */
export async function prepareParseWorker(): Promise<void> {
  const here = import.meta.url;
  if (parseThread.worker || !here.endsWith('.ts')) return;
  // The import falls back as it always did; kept, the worker is spawned at once, as a build's is.
  sourceBundle.text = await bundleFromSources(here).catch(() => undefined);
}

/** The worker's code bundled from the sources by `prepareParseWorker`, once this process made it. */
const sourceBundle: { text?: string | undefined } = {};

function bundleFromSources(here: string): Promise<string> {
  return bundleWorkerFromSources(new URL('./parse-worker.ts', here));
}

/**
 * The worker from the sources (vitest, tsx): parse-worker.ts and its modules bundled in memory by esbuild,
 * once per process (~0.1 s, in esbuild's own process), and run as a script — loading them through tsx took
 * ~0.5 s of this process's CPU at every import, which the bench counted. Through tsx where esbuild cannot.
 */
async function fromSources(here: string, options: WorkerOptions): Promise<Worker> {
  try {
    return new Worker(await bundleFromSources(here), { ...options, eval: true });
  } catch {
    return new Worker(new URL('./parse-worker-boot.mjs', here), {
      ...options,
      workerData: { entry: new URL('./parse-worker.ts', here).href },
    });
  }
}

/** Where each staff id (as its cell reads, trimmed) is in staff.csv's records: the compact key of a person. */
function staffIndexOf(table: Table<unknown> | undefined): Map<string, number> {
  const index = new Map<string, number>();
  const at = table?.index.get('staffId');
  if (!table || at === undefined) return index;
  for (const record of table.records) {
    const id = record.fields[at]!.trim();
    if (!index.has(id)) index.set(id, index.size);
  }
  return index;
}

export type StreamedParseResult =
  | (Extract<ParseResult, { ok: true }> & { streamed: boolean })
  | Extract<ParseResult, { ok: false }>;

/**
 * `parseDataset`, with workload.csv streamed into `sink` (see the file's comment). The dataset returned
 * has no workload rows and its rowNumbers.workload is empty; when the sink took the months (`streamed`)
 * it has no indicator-value, finance or adjustment rows either: they went to the sink's `begin`.
 */
export async function parseDatasetStreamed(
  sources: ReadonlyMap<string, FileSource>,
  sink: WorkloadSink,
  options: ParseOptions = {},
): Promise<StreamedParseResult> {
  const workloadSource = sources.get(CSV_FORMATS.workload.file);
  const worker =
    workloadSource instanceof Uint8Array &&
    workloadSource.length >= parseThread.minBytes &&
    !decodeSlicesLimit(workloadSource, options.maxFileBytes)
      ? WorkloadWorker.spawn(
          workloadSource.length < parseThread.earlyMaxBytes
            ? { resourceLimits: { maxYoungGenerationSizeMb: ROOMY_YOUNG_MB } }
            : {},
        )
      : undefined;
  try {
    return await parseStreamed(sources, sink, options, worker);
  } finally {
    await worker?.close();
  }
}

async function parseStreamed(
  sources: ReadonlyMap<string, FileSource>,
  sink: WorkloadSink,
  options: ParseOptions,
  worker: WorkloadWorker | undefined,
): Promise<StreamedParseResult> {
  const issues: ImportIssue[] = unexpectedFiles(sources.keys());
  const schemeText = textOf(sources, SCHEME_FILE, true, issues, undefined, options.maxFileBytes);
  const parsedScheme = schemeText === undefined ? undefined : parseScheme(schemeText);
  issues.push(...(parsedScheme?.issues ?? []));

  const tables: Record<string, Table<unknown>> = {};
  const summaries = new Map<CsvKey, ImportSummary>();
  const encodings = new Map<string, Encoding>();
  const readKey = (key: CsvKey, into: ImportIssue[]) => {
    const format = CSV_FORMATS[key];
    const source = sources.get(format.file);
    if (isSheetSource(source)) {
      tables[key] = readTable(key, source, into);
      const sheet = `${source.sheet.workbook} › ${source.sheet.name}`;
      summaries.set(key, { file: format.file, rows: tables[key].records.length, encoding: 'XLSX', sheet });
      return;
    }
    const text = textOf(sources, format.file, format.fileRequired, into, encodings, options.maxFileBytes);
    if (text === undefined) return;
    tables[key] = readTable(key, text, into);
    summaries.set(key, {
      file: format.file,
      rows: tables[key].records.length,
      encoding: encodings.get(format.file),
    });
  };
  // staff.csv first: workload.csv's rows are checked against it, so the parse worker reads workload.csv
  // while this thread reads the other files (staff.csv's issues keep their place in the list below).
  const staffIssues: ImportIssue[] = [];
  readKey('staff', staffIssues);
  const typed = tables as Tables;
  const scheme = parsedScheme?.scheme;
  const year = scheme?.year;
  const institutionOf = new Map(
    (typed.staff?.rows.values ?? []).map((s) => [s.staffId, s.institutionId] as const),
  );
  const staffIndex = staffIndexOf(typed.staff);
  const knownStaff = referenceTarget(typed, 'staff', 'staffId');
  const checkStaff = knownStaff !== undefined;
  // The worker's months wait for the sink's begin (`gate`); it groups rows only while the import may go on.
  // A province's file starts after the begin, as the other files' rows are let go: memory comes first there.
  let openGate: (began: boolean) => void = () => undefined;
  let began = false;
  const gate = new Promise<boolean>((resolve) => (openGate = resolve));
  const workloadSource = sources.get(CSV_FORMATS.workload.file);
  const mayGroup = scheme !== undefined && issues.length === 0 && staffIssues.length === 0;
  const readRemote = (first: boolean, bytes: Uint8Array) =>
    worker!.read(
      {
        bytes,
        year,
        staffIndex,
        checkStaff,
        institutionOf,
        grouping: first ? mayGroup : began,
        ...(sink.onlyMonths ? { onlyMonths: [...sink.onlyMonths] } : {}),
      },
      sink,
      gate,
    );
  let early: Promise<Awaited<ReturnType<typeof readRemote>> | undefined> | undefined;
  if (worker && workloadSource instanceof Uint8Array) {
    if (worker.spawned && workloadSource.length < parseThread.earlyMaxBytes) {
      // Posted now, while this thread reads the other files: a promise's turn would come only after them
      // (this thread does not yield until the sink begins). The worker reads it once its code is loaded;
      // one that never loads is let go and the file read here, as below.
      const reading = readRemote(true, workloadSource);
      reading.catch(() => undefined);
      early = worker.ready().then(async (ok) => {
        if (ok) return reading;
        await worker.close();
        return undefined;
      });
    } else
      early = (
        workloadSource.length < parseThread.earlyMaxBytes ? Promise.resolve(true) : gate.then(() => false)
      )
        .then(async (first) => ((await worker.ready()) ? first : undefined))
        .then((first) => (first === undefined ? undefined : readRemote(first, workloadSource)));
  }
  // Awaited below, after the other files: a worker that fails meanwhile is not an unhandled rejection.
  early?.catch(() => undefined);
  for (const key of CSV_KEYS) {
    if (key === 'workload') continue;
    if (key === 'staff') issues.push(...staffIssues);
    else readKey(key, issues);
  }
  // The rules across files, workload.csv's left out (it has no table): its are checked row by row below.
  const cross = withCommunityRows(scheme, typed, crossFileIssues(year, typed));
  const v2 = v2CrossIssues(scheme, typed);
  const before = [...issues, ...cross, ...v2];
  dropLuhnWhereDigitsLost(before);

  const rowsOf = (key: keyof MonthlyRowNumbers) => typed[key]?.rows.records.map((r) => r.row) ?? [];
  const fileRows = {
    indicatorValues: rowsOf('indicatorValues'),
    finance: rowsOf('finance'),
    adjustments: rowsOf('adjustments'),
  };
  let dataset: Dataset | undefined;
  if (before.length === 0 && scheme) {
    dataset = assemble(scheme, typed);
    began = await sink.begin(dataset, fileRows);
    // What follows reads workload.csv alone: the other files' records are not needed any more, and their
    // monthly rows are the sink's now (a province's finance and indicator values are ~800,000 rows).
    for (const table of Object.values(tables)) {
      table.records = [];
      table.rows = { values: [], records: [] };
    }
    if (began) dataset = { ...dataset, indicatorValues: [], finance: [], adjustments: [] };
  }
  openGate(began);

  const workload = new WorkloadReader(year, staffIndex, checkStaff, institutionOf, began ? sink : undefined);
  let results: WorkloadResults = workload;
  const format = CSV_FORMATS.workload;
  const source = sources.get(format.file);
  let read: CsvRead | undefined;
  let text: string | TextSlices | undefined;
  let sheetRows: readonly { row: number; fields: string[] }[] | undefined;
  let summary: ImportSummary | undefined;
  const workloadIssues: ImportIssue[] = [];
  if (isSheetSource(source)) {
    sheetRows = source.sheet.rows;
    read = readRowsStreamed(format.file, sheetRows, format.columns, workload.onRecord);
    const sheet = `${source.sheet.workbook} › ${source.sheet.name}`;
    summary = { file: format.file, rows: workload.count, encoding: 'XLSX', sheet };
  } else if (source instanceof Uint8Array) {
    // Decoded slice by slice as it is read (issue 12): a province's ~150 MB file is never one string.
    const tooLarge = decodeSlicesLimit(source, options.maxFileBytes);
    if (tooLarge) workloadIssues.push(issueAt({ file: format.file }, tooLarge));
    else {
      // Read here, it pauses between smaller slices: the sink's writes go out only when this thread yields.
      const slices = () => decodeSlices(source, Math.min(slicing.bytes, MAIN_THREAD_SLICE_BYTES));
      let done: { read: CsvRead; end: unknown };
      const remote = await early;
      if (remote) {
        done = remote;
        results = remote.results;
      } else {
        const restart = () => workload.restart();
        done = await readCsvSlices(format.file, slices, format.columns, workload.onRecord, restart, () =>
          sink.pause(),
        );
      }
      const end = done.end as SlicesEnd;
      if ('problem' in end) {
        // Not text past that line: the file is refused as decodeFile refuses it, its rows unread.
        workload.restart();
        results = workload;
        workloadIssues.push(issueAt({ file: format.file, row: end.line }, end.problem));
      } else {
        read = done.read;
        text = slices;
        encodings.set(format.file, end.encoding);
        summary = { file: format.file, rows: results.count, encoding: end.encoding };
      }
    }
  } else {
    text = textOf(sources, format.file, format.fileRequired, workloadIssues, encodings, options.maxFileBytes);
    if (typeof text === 'string') {
      read = await readCsvStreamed(
        format.file,
        text,
        format.columns,
        workload.onRecord,
        () => workload.restart(),
        () => sink.pause(),
      );
      summary = { file: format.file, rows: workload.count, encoding: encodings.get(format.file) };
    }
  }
  if (summary) summaries.set('workload', summary);
  if (read) {
    workloadIssues.push(...read.issues);
    if (read.headerUsable) workloadIssues.push(...results.validateIssues);
  }
  const all = [
    ...issues,
    ...workloadIssues,
    ...cross,
    ...results.uniqueIssues,
    ...results.refIssues,
    ...results.periodIssues,
    ...v2,
  ];
  dropLuhnWhereDigitsLost(all);
  if (all.length > 0 || !scheme || !dataset) {
    return { ok: false, issues: placeInSheets(sortIssues(all), sources) };
  }
  // The contract every later stage trusts (assemble checked the rest); a failure here is a bug.
  if (results.first !== undefined) WorkloadRow.parse(results.first);
  await results.finish((periods) =>
    rereadMonths(text, sheetRows, periods, institutionOf, () => sink.pause()),
  );
  const summary_ = CSV_KEYS.flatMap((key) => {
    const entry = summaries.get(key);
    return entry ? [entry] : [];
  });
  return {
    ok: true,
    dataset,
    summary: summary_,
    rowNumbers: { workload: [], ...fileRows },
    streamed: began,
  };
}
