/**
 * The streamed import (shared/dataset/stream.ts) against the whole-file one (parseDataset): the same
 * issues in the same order for every broken dataset of the corpus, and for valid data the same month
 * blobs (hash and pages) in the same index order — whether workload.csv is sorted by month, sorted by
 * person (every month handed over too early, read again), or read by csv-parse after the fast reader
 * gave up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsv, readCsvStreamed } from '../../../shared/dataset/csv.js';
import { SLICE_BYTES, slicing } from '../../../shared/dataset/decode.js';
import { CSV_FORMATS } from '../../../shared/dataset/formats/index.js';
import { type FileSource, parseDataset } from '../../../shared/dataset/parse.js';
import {
  parseDatasetStreamed,
  parseThread,
  prepareParseWorker,
  type WorkloadSink,
} from '../../../shared/dataset/stream.js';
import { generateCounty } from '../../../shared/demo/index.js';
import { encodeGbk } from '../../../shared/export/bank-gbk.js';
import type { Dataset } from '../../../shared/schemas/dataset.js';
import {
  encodeMonthPages,
  type MonthBlob,
  monthRowsByInstitution,
  type OtherFileRows,
  VersionWriter,
  type WorkloadGroup,
  type WriterStore,
} from '../../../shared/store/datasets.js';
import { BAD_CASES } from '../../fixtures/bad/cases.js';

const MIN_BYTES = parseThread.minBytes;
const TINY_DIR = fileURLToPath(new URL('../../fixtures/tiny/dataset', import.meta.url));
const tinyFiles = (): Record<string, string> =>
  Object.fromEntries(
    readdirSync(TINY_DIR).map((name) => [
      name,
      readFileSync(`${TINY_DIR}/${name}`, 'utf8').replaceAll('\r\n', '\n'),
    ]),
  );

/** A sink that encodes each month as the import's writer does, and writes nothing. */
class RecordingSink implements WorkloadSink {
  open = true;
  writer: VersionWriter | undefined;
  readonly months = new Map<string, MonthBlob[]>();
  handed = 0;
  async begin(dataset: Dataset, fileRows: OtherFileRows): Promise<boolean> {
    const store = {} as WriterStore; // never used: nothing is put
    this.writer = new VersionWriter(store, async () => 1, 'c', new Set(), dataset, fileRows);
    return true;
  }
  month(period: string, workload: Map<string, WorkloadGroup>): void {
    this.handed++;
    this.months.set(period, this.writer!.month(period, workload));
  }
  async pause(): Promise<void> {}
  /** Every month's blobs after the parse: the workload's, then months only the other files have. */
  blobs() {
    for (const period of this.writer!.otherMonths())
      this.months.set(period, this.writer!.month(period, new Map()));
    return [...this.months].map(([period, blobs]) => [
      period,
      blobs.map((b) => [b.institutionId, b.blob.hash, b.blob.texts]),
    ]);
  }
}

const sourcesOf = (files: Record<string, string | Uint8Array>) =>
  new Map<string, FileSource>(Object.entries(files));

function expectedBlobs(dataset: Dataset) {
  return [...monthRowsByInstitution(dataset)].map(([period, byInstitution]) => [
    period,
    [...byInstitution].map(([institutionId, rows]) => {
      const blob = encodeMonthPages(rows);
      return [institutionId, blob.hash, blob.texts];
    }),
  ]);
}

async function expectSameAsWhole(files: Record<string, string | Uint8Array>) {
  const whole = parseDataset(sourcesOf(files));
  const sink = new RecordingSink();
  const streamed = await parseDatasetStreamed(sourcesOf(files), sink);
  expect(whole.ok).toBe(true);
  expect(streamed.ok).toBe(true);
  if (!whole.ok || !streamed.ok) return sink;
  expect(streamed.summary).toEqual(whole.summary);
  // The monthly rows went to the sink: workload.csv's month by month, the other files' in `begin`.
  const { workload, indicatorValues, finance, adjustments } = whole.dataset;
  expect({ ...streamed.dataset, workload, indicatorValues, finance, adjustments }).toEqual(whole.dataset);
  expect(streamed.dataset.workload).toEqual([]);
  expect(sink.blobs()).toEqual(expectedBlobs(whole.dataset));
  return sink;
}

/** workload.csv with its data rows reordered (header kept first). */
function reorderWorkload(files: Record<string, string>, order: (lines: string[]) => string[]) {
  const [header, ...lines] = files['workload.csv']!.split('\n').filter((l) => l !== '');
  return { ...files, 'workload.csv': `${[header, ...order(lines)].join('\n')}\n` };
}

describe('the streamed import reads as the whole-file import', () => {
  it.each(BAD_CASES.map((c) => [c.name, c] as const))('the same issues: %s', async (_name, badCase) => {
    const files = badCase.patch(tinyFiles());
    const whole = parseDataset(sourcesOf(files));
    const streamed = await parseDatasetStreamed(sourcesOf(files), new RecordingSink());
    expect(streamed).toEqual(whole);
  });

  it('the same month blobs, in the same order, for the tiny dataset and a generated county', async () => {
    await expectSameAsWhole(tinyFiles());
    const county = generateCounty({ staff: 400, counties: 1, seed: 11 }) as Record<string, string>;
    const sink = await expectSameAsWhole(county);
    expect(sink.handed).toBe(12); // one month at a time, each handed over once
  });

  it('a workload sorted by person: months handed over early are read again, the blobs the same', async () => {
    const county = generateCounty({ staff: 300, counties: 1, seed: 5 }) as Record<string, string>;
    const byPerson = reorderWorkload(county, (lines) =>
      [...lines].sort((a, b) =>
        a.split(',')[1]! < b.split(',')[1]! ? -1 : a.split(',')[1]! > b.split(',')[1]! ? 1 : 0,
      ),
    );
    await expectSameAsWhole(byPerson);
    // Months out of order with one month's rows split in two places.
    const split = reorderWorkload(county, (lines) => [...lines.slice(50), ...lines.slice(0, 50)]);
    await expectSameAsWhole(split);
  });

  it('a quoted cell late in the file reads the same, the blobs the same', async () => {
    const county = generateCounty({ staff: 300, counties: 1, seed: 3 }) as Record<string, string>;
    const lines = county['workload.csv']!.split('\n');
    const cells = lines[lines.length - 3]!.split(',');
    cells[4] = `"${cells[4]}"`; // a quoted number late in the file
    lines[lines.length - 3] = cells.join(',');
    await expectSameAsWhole({ ...county, 'workload.csv': lines.join('\n') });
  });

  it('reads a file of many slices with the rows csv-parse and the fast reader give, line by line', async () => {
    const county = generateCounty({ staff: 6000, counties: 1, seed: 2 }) as Record<string, string>;
    const text = county['workload.csv']!;
    expect(text.length).toBeGreaterThan(2 * (1 << 20)); // more than two slices
    const { columns } = CSV_FORMATS.workload;
    const whole = readCsv('workload.csv', text, columns);
    const seen: { row: number; fields: string[] }[] = [];
    let slices = 0;
    const streamed = await readCsvStreamed(
      'workload.csv',
      text,
      columns,
      (record) => seen.push(record),
      () => {
        throw new Error('the fast reader reads this file');
      },
      async () => {
        slices++;
      },
    );
    expect(slices).toBeGreaterThan(1);
    expect(seen).toEqual(whole.records);
    expect(streamed.issues).toEqual(whole.issues);
  });
});

/** Every text file as the CLI reads it from a folder: its bytes (UTF-8 unless `encode` says otherwise). */
const asBytes = (
  files: Record<string, string | Uint8Array>,
  encode: (text: string) => Uint8Array = (text) => new TextEncoder().encode(text),
) =>
  Object.fromEntries(
    Object.entries(files).map(([name, content]) => [
      name,
      typeof content === 'string' ? encode(content) : content,
    ]),
  );

const utf16le = (text: string) => new Uint8Array(Buffer.from(`\uFEFF${text}`, 'utf16le'));

/** A county whose workload.csv is many decoded slices (of 16 KB in these tests, as 1 MB in an import). */
let bigCounty: Record<string, string> | undefined;
const big = () => {
  bigCounty ??= generateCounty({ staff: 400, counties: 1, seed: 2 }) as Record<string, string>;
  expect(bigCounty['workload.csv']!.length).toBeGreaterThan(8 * slicing.bytes);
  return bigCounty;
};

/** workload.csv's line `at` (from the end when negative) replaced. */
function withWorkloadLine(files: Record<string, string>, at: number, change: (line: string) => string) {
  const lines = files['workload.csv']!.split('\r\n');
  const i = at < 0 ? lines.length + at : at;
  lines[i] = change(lines[i]!);
  return { ...files, 'workload.csv': lines.join('\r\n') };
}

/** The tests of workload.csv as bytes, read on this thread or on the parse worker (parse-worker.ts). */
function bytesRead(thread: 'main' | 'worker') {
  beforeAll(() => {
    slicing.bytes = 16 * 1024;
    parseThread.minBytes = thread === 'worker' ? 0 : Number.POSITIVE_INFINITY;
  });
  afterAll(() => {
    slicing.bytes = SLICE_BYTES;
    parseThread.minBytes = MIN_BYTES;
  });

  // On the worker (each case starts a thread): the cases about workload.csv, and the first about each other
  // file — the worker reads workload.csv while this thread reads the others.
  const firstOfFile = new Set<string>();
  const cases =
    thread === 'main'
      ? BAD_CASES
      : BAD_CASES.filter((c) => {
          const file = c.expect[0]?.file ?? '';
          if (/workload/.test(c.name) || firstOfFile.has(file)) return /workload/.test(c.name);
          firstOfFile.add(file);
          return true;
        });
  it.each(cases.map((c) => [c.name, c] as const))('the same issues: %s', async (_name, badCase) => {
    const files = asBytes(badCase.patch(tinyFiles()));
    const whole = parseDataset(sourcesOf(files));
    const streamed = await parseDatasetStreamed(sourcesOf(files), new RecordingSink());
    expect(streamed).toEqual(whole);
  });

  it('the same month blobs for UTF-8, UTF-8 with a BOM and UTF-16 files of many slices, and GBK files', async () => {
    const county = big();
    const bom = (text: string) => new TextEncoder().encode(`\uFEFF${text}`);
    for (const encode of [undefined, bom, utf16le, encodeGbk]) {
      const sink = await expectSameAsWhole(asBytes(county, encode));
      expect(sink.handed).toBe(12);
    }
  });

  it('a workload sorted by person: the months read again come from the bytes again', async () => {
    const county = generateCounty({ staff: 300, counties: 1, seed: 5 }) as Record<string, string>;
    const byPerson = reorderWorkload(county, (lines) =>
      [...lines].sort((a, b) => (a.split(',')[1]! < b.split(',')[1]! ? -1 : 1)),
    );
    await expectSameAsWhole(asBytes(byPerson, utf16le));
  });

  it('a CRLF file with one LF line late (mixed line endings) is read again with one line ending, the same blobs', async () => {
    const mixed = withWorkloadLine(big(), -40, (line) => `${line}\n${line.replace('2026-12', '2026-12')}`);
    // The added line repeats a key: the streamed read must number it and the rows after it as the whole one does.
    const files = asBytes(mixed);
    const whole = parseDataset(sourcesOf(files));
    const streamed = await parseDatasetStreamed(sourcesOf(files), new RecordingSink());
    expect(whole.ok).toBe(false);
    expect(streamed).toEqual(whole);
    const onlyLf = withWorkloadLine(big(), -40, (line) => `${line}\n`);
    await expectSameAsWhole(asBytes(onlyLf));
  });

  it('broken quoting or a byte that is no text late in a file of many slices: the same issues', async () => {
    const county = big();
    const cases = [
      withWorkloadLine(county, -30, (line) => line.replace(',', ',"')),
      withWorkloadLine(county, -30, (line) => line.replace('-', '"-')),
      withWorkloadLine(county, -3, (line) => `"${line}`),
    ];
    // As text too: csv-parse's reading starts over from the first row (it once kept the fast read's keys).
    // (Text is never read on the worker: only bytes are.)
    const asText = (files: Record<string, string>) => (thread === 'main' ? [sourcesOf(files)] : []);
    for (const sources of cases.flatMap((files) => [sourcesOf(asBytes(files)), ...asText(files)])) {
      const whole = parseDataset(sources);
      expect(whole.ok).toBe(false);
      expect(await parseDatasetStreamed(sources, new RecordingSink())).toEqual(whole);
    }
    // A damaged UTF-8 byte, and GBK Chinese where an id belongs (read as GB18030 from that slice on).
    const chinese = withWorkloadLine(county, -20, (line) => line.replace(/,[^,]+,/, ',张三,'));
    const bytes = asBytes(chinese);
    for (const workload of [bytes['workload.csv']!, encodeGbk(chinese['workload.csv']!)]) {
      const damaged = new Uint8Array(workload);
      if (workload === bytes['workload.csv']) damaged[damaged.length - 100] = 0xff;
      const sources = sourcesOf({ ...asBytes(county), 'workload.csv': damaged });
      const whole = parseDataset(sources);
      expect(whole.ok).toBe(false);
      const sink = new RecordingSink();
      expect(await parseDatasetStreamed(sources, sink)).toEqual(whole);
      expect(sink.handed).toBeGreaterThan(0); // months went to the sink before the bad line was reached
    }
  });
}

describe('workload.csv as bytes is decoded slice by slice and reads as the whole-file import (issue 12)', () => {
  bytesRead('main');
});

describe('workload.csv read on the parse worker thread: the same issues and months (issue 17)', () => {
  bytesRead('worker');

  it('reads a workload.csv in shared memory (as read-dir.ts reads a large one) without copying it', async () => {
    const files = asBytes(big());
    const workload = files['workload.csv']!;
    const shared = new Uint8Array(new SharedArrayBuffer(workload.length));
    shared.set(workload);
    await expectSameAsWhole({ ...files, 'workload.csv': shared });
  });

  it('a sink that does not begin is handed no month, though the worker read the file from the start', async () => {
    const sink = new RecordingSink();
    sink.begin = async () => false; // a locked year, another import running: answered after the parse
    const result = await parseDatasetStreamed(sourcesOf(asBytes(big())), sink);
    expect(result.ok && result.streamed).toBe(false);
    expect(result.ok).toBe(true);
    expect(sink.handed).toBe(0);
  });

  it('issues in the other files while the worker reads workload.csv: the same issues, no month handed', async () => {
    const county = big();
    const finance = county['finance.csv']!.split('\r\n');
    finance[3] = finance[3]!.replace(/,[^,]*$/, ',x');
    const files = asBytes({ ...county, 'finance.csv': finance.join('\r\n') });
    const whole = parseDataset(sourcesOf(files));
    expect(whole.ok).toBe(false);
    const sink = new RecordingSink();
    expect(await parseDatasetStreamed(sourcesOf(files), sink)).toEqual(whole);
    expect(sink.handed).toBe(0);
  });

  it('a file as large as a province’s is read once the other files are: the same months', async () => {
    const early = parseThread.earlyMaxBytes;
    parseThread.earlyMaxBytes = 0;
    try {
      const sink = await expectSameAsWhole(asBytes(big()));
      expect(sink.handed).toBe(12);
    } finally {
      parseThread.earlyMaxBytes = early;
    }
  });

  it('a worker that fails stops the import with its error, and nothing is left running', async () => {
    const files = asBytes(big());
    const sink = new RecordingSink();
    sink.month = () => {
      throw new Error('the writer broke');
    };
    await expect(parseDatasetStreamed(sourcesOf(files), sink)).rejects.toThrow('the writer broke');
  });
});

describe('workload.csv posted at once to a worker spawned ready (the CLI’s build, or sources bundled before)', () => {
  beforeAll(async () => {
    slicing.bytes = 16 * 1024;
    parseThread.minBytes = 0;
    await prepareParseWorker(); // from here on this file's workers are spawned at once, as a build's are
  });
  afterAll(() => {
    slicing.bytes = SLICE_BYTES;
    parseThread.minBytes = MIN_BYTES;
  });

  /** Whether the worker had been given workload.csv when the sink began (after the other files were read). */
  async function postedBeforeBegin(files: Record<string, string | Uint8Array>) {
    const posted: string[] = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
      posted.push((args[0] as { type: string }).type);
      return post.apply(this, args);
    };
    const sink = new RecordingSink();
    let atBegin: string[] = [];
    const begin = sink.begin.bind(sink);
    sink.begin = (dataset, fileRows) => {
      atBegin = [...posted];
      return begin(dataset, fileRows);
    };
    try {
      const result = await parseDatasetStreamed(sourcesOf(files), sink);
      return { result, sink, atBegin };
    } finally {
      Worker.prototype.postMessage = post;
    }
  }

  it('the worker is given the file before the other files are read, and the months are the same', async () => {
    const files = asBytes(big());
    const { result, sink, atBegin } = await postedBeforeBegin(files);
    expect(atBegin).toContain('start');
    expect(result).toEqual(await parseDatasetStreamed(sourcesOf(files), new RecordingSink()));
    await expectSameAsWhole(files);
    expect(sink.handed).toBe(12);
  });

  it('issues in the other files once the worker has the file: the same issues, no month handed', async () => {
    const county = big();
    const staff = county['staff.csv']!.split('\r\n');
    staff[2] = staff[2]!.replace(/,[^,]*$/, ',12x');
    const files = asBytes({ ...county, 'staff.csv': staff.join('\r\n') });
    const whole = parseDataset(sourcesOf(files));
    expect(whole.ok).toBe(false);
    const { result, sink } = await postedBeforeBegin(files);
    expect(result).toEqual(whole);
    expect(sink.handed).toBe(0);
  });

  it('a worker posted at once whose code never loads is let go: the file is read here, the same months', async () => {
    const saved = parseThread.worker;
    parseThread.worker = new URL('data:text/javascript,throw new Error("no worker here")');
    try {
      const { result, sink, atBegin } = await postedBeforeBegin(asBytes(big()));
      expect(atBegin).toContain('start');
      expect(result.ok).toBe(true);
      expect(sink.handed).toBe(12);
      expect(sink.blobs()).toEqual(
        expectedBlobs((parseDataset(sourcesOf(asBytes(big()))) as { dataset: Dataset }).dataset),
      );
    } finally {
      if (saved) parseThread.worker = saved;
      else delete parseThread.worker;
    }
  });
});

describe('workload.csv read on this thread yields to the writes between small slices', () => {
  it('a county’s file below 1 MB pauses for the sink about every 128 KB, and reads the same', async () => {
    expect(slicing.bytes).toBe(SLICE_BYTES); // 1 MB: the slicing a worker reads with
    const county = generateCounty({ staff: 1500, counties: 1, seed: 4 }) as Record<string, string>;
    const files = asBytes(county);
    const size = files['workload.csv']!.length;
    expect(size).toBeGreaterThan(4 * 128 * 1024);
    expect(size).toBeLessThan(SLICE_BYTES);
    expect(size).toBeLessThan(parseThread.minBytes); // read on this thread
    const sink = new RecordingSink();
    let pauses = 0;
    sink.pause = async () => {
      pauses++;
    };
    const streamed = await parseDatasetStreamed(sourcesOf(files), sink);
    expect(pauses).toBeGreaterThanOrEqual(Math.floor(size / (128 * 1024)));
    expect(streamed).toEqual(await parseDatasetStreamed(sourcesOf(files), new RecordingSink()));
    expect(sink.handed).toBe(12);
  });
});
