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
import { type Dataset, WorkloadRow } from '../schemas/dataset.js';
import { encode } from '../store/codec.js';
import type { OtherFileRows, WorkloadGroup } from '../store/datasets.js';
import {
  crossFileIssues,
  duplicateIssue,
  FirstRows,
  MONTH,
  periodYearIssue,
  referenceTarget,
  type Table,
  type Tables,
  unknownReferenceIssue,
} from './cross.js';
import {
  type CsvRead,
  type CsvRecord,
  type RecordReader,
  readCsvSlices,
  readCsvStreamed,
  readRowsStreamed,
  type TextSlices,
} from './csv.js';
import { decodeSlices, decodeSlicesLimit, type Encoding, type SlicesEnd } from './decode.js';
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
import { rowChecker } from './table.js';
import { isSheetSource, placeInSheets } from './xlsx.js';

export type { WorkloadGroup };

/** Where a streamed import's workload months go (the import service's version writer). */
export interface WorkloadSink {
  /**
   * The files other than workload.csv are read without a single issue: `dataset` is the import without
   * its workload rows. True when the sink takes the months (it may refuse for reasons of its own — a
   * locked year, another import running — and answers them after the parse).
   */
  begin(dataset: Dataset, fileRows: OtherFileRows): Promise<boolean>;
  /** A month of workload rows read in full: each institution's rows (JSON) in file order. */
  month(period: string, workload: Map<string, WorkloadGroup>): void;
  /** Between slices of the file: resolves when the sink's writes leave room for more. */
  pause(): Promise<void>;
  /** False once the sink takes no more months (a write failed, a frozen row changed). */
  readonly open: boolean;
}

/** Periods of the year kept as compact arrays for the (period, staffId) key check. */
const COMPACT_PERIODS = 24;

/** Reads workload.csv's records as they come: every check of its rows, and its months for the sink. */
class WorkloadReader {
  readonly format = CSV_FORMATS.workload;
  validateIssues: ImportIssue[] = [];
  uniqueIssues: ImportIssue[] = [];
  refIssues: ImportIssue[] = [];
  periodIssues: ImportIssue[] = [];
  count = 0;
  first: unknown;
  private reader: RecordReader | undefined;
  private check: ((record: CsvRecord, issues: ImportIssue[]) => unknown) | undefined;
  private periodAt = -1;
  private staffAt = -1;
  // (period, staffId) unique: a row number per staff member per period, a map for any other key.
  private firstRows = new FirstRows();
  private byPeriod = new Map<string, Int32Array>();
  private lastPeriod: string | undefined;
  private lastRows: Int32Array | undefined;
  // Months of valid rows: the one being read (or all, once the file went back to a month handed over).
  private grouping: boolean;
  private current: string | undefined;
  private readonly open = new Map<string, Map<string, WorkloadGroup>>();
  private readonly seen = new Set<string>();
  private readonly handedOver = new Set<string>();
  readonly order: string[] = [];
  readonly reopened = new Set<string>();
  private holdAll = false;

  constructor(
    private readonly year: number | undefined,
    private readonly staffIndex: ReadonlyMap<string, number>,
    private readonly knownStaff: ReadonlySet<string> | undefined,
    private readonly institutionOf: ReadonlyMap<string, string>,
    private readonly sink: WorkloadSink | undefined,
  ) {
    this.grouping = sink !== undefined;
  }

  /** The fast reader gave up: csv-parse reads the file again from its start, so everything starts over. */
  restart(): void {
    this.validateIssues = [];
    this.uniqueIssues = [];
    this.refIssues = [];
    this.periodIssues = [];
    this.count = 0;
    this.first = undefined;
    this.reader = undefined;
    this.firstRows = new FirstRows();
    this.byPeriod = new Map();
    this.lastPeriod = undefined;
    this.lastRows = undefined;
    this.grouping = this.sink !== undefined;
    this.current = undefined;
    this.open.clear();
    this.seen.clear();
    this.handedOver.clear();
    this.order.length = 0;
    this.reopened.clear();
    this.holdAll = false;
  }

  private issueCount(): number {
    const reader = this.reader;
    return (
      this.validateIssues.length +
      this.uniqueIssues.length +
      this.refIssues.length +
      this.periodIssues.length +
      (reader ? reader.rowIssues.length + reader.headerIssues.length : 0)
    );
  }

  readonly onRecord = (record: CsvRecord, reader: RecordReader): void => {
    if (reader !== this.reader) {
      this.reader = reader;
      this.check = reader.headerUsable ? rowChecker(this.format, reader.index) : undefined;
      this.periodAt = reader.index.get('period') ?? -1;
      this.staffAt = reader.index.get('staffId') ?? -1;
    }
    this.count++;
    const value = this.check?.(record, this.validateIssues) as WorkloadRow | undefined;
    if (value !== undefined && this.first === undefined) this.first = value;
    const rawPeriod = this.periodAt < 0 ? undefined : record.fields[this.periodAt];
    const rawStaff = this.staffAt < 0 ? undefined : record.fields[this.staffAt];
    const period = rawPeriod?.trim() ?? '';
    const staffId = rawStaff?.trim() ?? '';
    // cross.ts uniqueKey(workload, [period, staffId]), reference(workload.staffId → staff), periodsInYear.
    const index = this.staffIndex.get(staffId);
    if (period !== '' && staffId !== '') {
      const first = this.firstOf(period, staffId, index, record.row);
      if (first !== undefined) {
        this.uniqueIssues.push(
          duplicateIssue(
            this.format.file,
            ['period', 'staffId'],
            [period, staffId],
            first,
            record.row,
            rawStaff,
          ),
        );
      }
    }
    // The staff ids known are staffIndex's keys (both are every staff row's trimmed cell).
    if (this.knownStaff && staffId !== '' && index === undefined) {
      this.refIssues.push(
        unknownReferenceIssue(this.format.file, record.row, 'staffId', rawStaff, 'staff.csv', 'staffId'),
      );
    }
    if (this.year !== undefined && !period.startsWith(`${this.year}-`) && MONTH.test(period)) {
      this.periodIssues.push(periodYearIssue(this.format.file, record.row, 'period', rawPeriod, this.year));
    }
    if (!this.grouping) return;
    if (value === undefined || !this.sink!.open || this.issueCount() > 0) {
      this.stopGrouping();
      return;
    }
    this.group(value, record.row);
  };

  /** The row that had the key first (FirstRows' answer, kept in an array per period for known staff). */
  private firstOf(
    period: string,
    staffId: string,
    index: number | undefined,
    row: number,
  ): number | undefined {
    if (index === undefined || staffId.includes('/')) return this.firstRows.firstOf([period, staffId], row);
    // Rows come month by month: the last month's array serves without a lookup.
    let rows = period === this.lastPeriod ? this.lastRows : undefined;
    if (!rows) {
      if (period.includes('/') || !MONTH.test(period)) return this.firstRows.firstOf([period, staffId], row);
      rows = this.byPeriod.get(period);
      if (!rows) {
        if (this.byPeriod.size >= COMPACT_PERIODS) return this.firstRows.firstOf([period, staffId], row);
        rows = new Int32Array(this.staffIndex.size);
        this.byPeriod.set(period, rows);
      }
      this.lastPeriod = period;
      this.lastRows = rows;
    }
    const first = rows[index]!;
    if (first !== 0) return first;
    rows[index] = row;
    return undefined;
  }

  private stopGrouping(): void {
    this.grouping = false;
    this.open.clear();
  }

  private group(value: WorkloadRow, row: number): void {
    const institutionId = this.institutionOf.get(value.staffId);
    if (institutionId === undefined) {
      this.stopGrouping(); // a staff row that failed its check: the import is refused anyway
      return;
    }
    const period = value.period;
    if (period !== this.current) {
      if (!this.seen.has(period)) {
        this.seen.add(period);
        this.order.push(period);
        if (!this.holdAll && this.current !== undefined) this.handOver(this.current);
      } else if (this.handedOver.has(period)) {
        // Back to a month already handed over: its rows are read again at the end (see finish).
        this.holdAll = true;
        this.reopened.add(period);
      }
      this.current = period;
    }
    let groups = this.open.get(period);
    if (!groups) {
      groups = new Map();
      this.open.set(period, groups);
    }
    let group = groups.get(institutionId);
    if (!group) {
      group = { texts: [], rows: [] };
      groups.set(institutionId, group);
    }
    group.texts.push(encode(value));
    group.rows.push(row);
  }

  private handOver(period: string): void {
    const groups = this.open.get(period);
    this.open.delete(period);
    this.handedOver.add(period);
    if (groups && this.sink!.open) this.sink!.month(period, groups);
  }

  /** The rest of the months, once the file is read; `reread` gives the whole rows of months reopened. */
  async finish(reread: (periods: ReadonlySet<string>) => Promise<Map<string, Map<string, WorkloadGroup>>>) {
    if (!this.grouping || this.issueCount() > 0) return;
    if (this.reopened.size > 0) {
      for (const [period, groups] of await reread(this.reopened)) this.open.set(period, groups);
    }
    for (const period of this.order) if (this.open.has(period)) this.handOver(period);
  }
}

/** The workload rows of some months, read again from the file (after it went back to a month handed over). */
async function rereadMonths(
  text: string | TextSlices | undefined,
  sheetRows: readonly { row: number; fields: string[] }[] | undefined,
  periods: ReadonlySet<string>,
  institutionOf: ReadonlyMap<string, string>,
  pause: () => Promise<void>,
): Promise<Map<string, Map<string, WorkloadGroup>>> {
  const format = CSV_FORMATS.workload;
  let months = new Map<string, Map<string, WorkloadGroup>>();
  let reader: RecordReader | undefined;
  let check: ((record: CsvRecord, issues: ImportIssue[]) => unknown) | undefined;
  const onRecord = (record: CsvRecord, from: RecordReader) => {
    if (from !== reader) {
      reader = from;
      check = rowChecker(format, from.index);
    }
    const value = check!(record, []) as WorkloadRow | undefined;
    if (!value || !periods.has(value.period)) return;
    const institutionId = institutionOf.get(value.staffId)!;
    let groups = months.get(value.period);
    if (!groups) {
      groups = new Map();
      months.set(value.period, groups);
    }
    let group = groups.get(institutionId);
    if (!group) {
      group = { texts: [], rows: [] };
      groups.set(institutionId, group);
    }
    group.texts.push(encode(value));
    group.rows.push(record.row);
  };
  const restart = () => {
    months = new Map();
  };
  if (sheetRows) readRowsStreamed(format.file, sheetRows, format.columns, onRecord);
  else if (typeof text === 'function')
    await readCsvSlices(format.file, text, format.columns, onRecord, restart, pause);
  else await readCsvStreamed(format.file, text ?? '', format.columns, onRecord, restart, pause);
  return months;
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
  const issues: ImportIssue[] = unexpectedFiles(sources.keys());
  const schemeText = textOf(sources, SCHEME_FILE, true, issues, undefined, options.maxFileBytes);
  const parsedScheme = schemeText === undefined ? undefined : parseScheme(schemeText);
  issues.push(...(parsedScheme?.issues ?? []));

  const tables: Record<string, Table<unknown>> = {};
  const summaries = new Map<CsvKey, ImportSummary>();
  const encodings = new Map<string, Encoding>();
  for (const key of CSV_KEYS) {
    if (key === 'workload') continue;
    const format = CSV_FORMATS[key];
    const source = sources.get(format.file);
    if (isSheetSource(source)) {
      tables[key] = readTable(key, source, issues);
      const sheet = `${source.sheet.workbook} › ${source.sheet.name}`;
      summaries.set(key, { file: format.file, rows: tables[key].records.length, encoding: 'XLSX', sheet });
      continue;
    }
    const text = textOf(sources, format.file, format.fileRequired, issues, encodings, options.maxFileBytes);
    if (text === undefined) continue;
    tables[key] = readTable(key, text, issues);
    summaries.set(key, {
      file: format.file,
      rows: tables[key].records.length,
      encoding: encodings.get(format.file),
    });
  }
  const typed = tables as Tables;
  const scheme = parsedScheme?.scheme;
  const year = scheme?.year;
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
  const institutionOf = new Map(
    (typed.staff?.rows.values ?? []).map((s) => [s.staffId, s.institutionId] as const),
  );
  const staffIndex = staffIndexOf(typed.staff);
  const knownStaff = referenceTarget(typed, 'staff', 'staffId');
  let dataset: Dataset | undefined;
  let began = false;
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

  const workload = new WorkloadReader(year, staffIndex, knownStaff, institutionOf, began ? sink : undefined);
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
      const slices = () => decodeSlices(source);
      const restart = () => workload.restart();
      const done = await readCsvSlices(format.file, slices, format.columns, workload.onRecord, restart, () =>
        sink.pause(),
      );
      const end = done.end as SlicesEnd;
      if ('problem' in end) {
        // Not text past that line: the file is refused as decodeFile refuses it, its rows unread.
        workload.restart();
        workloadIssues.push(issueAt({ file: format.file, row: end.line }, end.problem));
      } else {
        read = done.read;
        text = slices;
        encodings.set(format.file, end.encoding);
        summary = { file: format.file, rows: workload.count, encoding: end.encoding };
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
    if (read.headerUsable) workloadIssues.push(...workload.validateIssues);
  }
  const all = [
    ...issues,
    ...workloadIssues,
    ...cross,
    ...workload.uniqueIssues,
    ...workload.refIssues,
    ...workload.periodIssues,
    ...v2,
  ];
  dropLuhnWhereDigitsLost(all);
  if (all.length > 0 || !scheme || !dataset) {
    return { ok: false, issues: placeInSheets(sortIssues(all), sources) };
  }
  // The contract every later stage trusts (assemble checked the rest); a failure here is a bug.
  if (workload.first !== undefined) WorkloadRow.parse(workload.first);
  await workload.finish((periods) =>
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
