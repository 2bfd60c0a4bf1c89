/**
 * workload.csv's rows as an import reads them (issues 12 and 17): `WorkloadReader` checks each row as it
 * comes and groups valid rows into institution-months for the sink; `rereadMonths` reads months again.
 * A module of its own so that the parse worker (parse-worker.ts) loads only what reading the file needs.
 */
import type { Dataset, WorkloadRow } from '../schemas/dataset.js';
import { encode } from '../store/codec.js';
import type { OtherFileRows, WorkloadGroup } from '../store/datasets.js';
import { duplicateIssue, FirstRows, MONTH, periodYearIssue, unknownReferenceIssue } from './cross.js';
import {
  type CsvRead,
  type CsvRecord,
  type RecordReader,
  readCsvSlices,
  readCsvStreamed,
  readRowsStreamed,
  type TextSlices,
} from './csv.js';
import type { SlicesEnd } from './decode.js';
import type { ImportIssue } from './errors.js';
import { CSV_FORMATS } from './formats/index.js';
import { rowChecker } from './table.js';

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
  /**
   * The only months the sink takes, when it says (a correction's period): every row is still checked, but
   * only these months' rows are grouped, and each is handed over once the file is read.
   */
  readonly onlyMonths?: ReadonlySet<string>;
}

/** Periods of the year kept as compact arrays for the (period, staffId) key check. */
const COMPACT_PERIODS = 24;

/** Reads workload.csv's records as they come: every check of its rows, and its months for the sink. */
export class WorkloadReader {
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
  private readonly open = new Map<string, Map<string, ValidRows>>();
  private readonly seen = new Set<string>();
  private readonly handedOver = new Set<string>();
  /** The group the last row went to: a file's rows come by institution within a month. */
  private lastGroup: { period: string; institutionId: string; group: ValidRows } | undefined;
  /** `${year}-`: a row's period in the year starts with it. */
  private readonly yearPrefix: string;
  /** Each staff index's institution (staffIndex's key → institutionOf's value): one lookup a row, not two. */
  private institutionAt: (string | undefined)[] | undefined;
  readonly order: string[] = [];
  readonly reopened = new Set<string>();
  private holdAll = false;

  constructor(
    private readonly year: number | undefined,
    private readonly staffIndex: ReadonlyMap<string, number>,
    /** staff.csv's ids were all read (`referenceTarget`): an unknown one is an issue. */
    private readonly checkStaff: boolean,
    private readonly institutionOf: ReadonlyMap<string, string>,
    private readonly sink: WorkloadSink | undefined,
  ) {
    this.grouping = sink !== undefined;
    this.yearPrefix = `${year}-`;
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
    this.lastGroup = undefined;
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
    if (this.checkStaff && staffId !== '' && index === undefined) {
      this.refIssues.push(
        unknownReferenceIssue(this.format.file, record.row, 'staffId', rawStaff, 'staff.csv', 'staffId'),
      );
    }
    if (this.year !== undefined && !period.startsWith(this.yearPrefix) && MONTH.test(period)) {
      this.periodIssues.push(periodYearIssue(this.format.file, record.row, 'period', rawPeriod, this.year));
    }
    if (!this.grouping) return;
    if (value === undefined || !this.sink!.open || this.issueCount() > 0) {
      this.stopGrouping();
      return;
    }
    this.group(value, record.row, index);
  };

  /** institutionOf.get(staffId) for the staff id at `index` in staffIndex (undefined: not a staff row's id). */
  private institutionOfIndex(index: number | undefined): string | undefined {
    if (index === undefined) return undefined; // every id institutionOf knows is one of staffIndex's
    if (!this.institutionAt) {
      const at: (string | undefined)[] = new Array(this.staffIndex.size);
      for (const [staffId, i] of this.staffIndex) at[i] = this.institutionOf.get(staffId);
      this.institutionAt = at;
    }
    return this.institutionAt[index];
  }

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

  private group(value: WorkloadRow, row: number, staffIndex: number | undefined): void {
    if (this.sink!.onlyMonths?.has(value.period) === false) return;
    // value.staffId is the cell trimmed, as the key staffIndex was looked up by.
    const institutionId = this.institutionOfIndex(staffIndex);
    if (institutionId === undefined) {
      this.stopGrouping(); // a staff row that failed its check: the import is refused anyway
      return;
    }
    const period = value.period;
    const last = this.lastGroup;
    if (last !== undefined && last.period === period && last.institutionId === institutionId) {
      last.group.values.push(value);
      last.group.rows.push(row);
      return;
    }
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
      group = { values: [], rows: [] };
      groups.set(institutionId, group);
    }
    this.lastGroup = { period, institutionId, group };
    group.values.push(value);
    group.rows.push(row);
  }

  /**
   * A month's groups to the sink, each institution's rows as one JSON text: one `JSON.stringify` of its
   * rows (a third less CPU than a text per row, and no row's text to keep or to copy until then).
   */
  private handOver(period: string, reread?: Map<string, WorkloadGroup>): void {
    this.lastGroup = undefined;
    const groups = this.open.get(period);
    this.open.delete(period);
    this.handedOver.add(period);
    if (!this.sink!.open) return;
    if (reread) this.sink!.month(period, reread);
    else if (groups) {
      const workload = new Map<string, WorkloadGroup>();
      for (const [institutionId, { values, rows }] of groups)
        workload.set(institutionId, joinedGroup(encode(values).slice(1, -1), rows));
      this.sink!.month(period, workload);
    }
  }

  /** The rest of the months, once the file is read; `reread` gives the whole rows of months reopened. */
  async finish(reread: (periods: ReadonlySet<string>) => Promise<Map<string, Map<string, WorkloadGroup>>>) {
    if (!this.grouping || this.issueCount() > 0) return;
    const again = this.reopened.size > 0 ? await reread(this.reopened) : new Map<string, never>();
    for (const period of this.order) {
      const rows = again.get(period);
      if (rows || this.open.has(period)) this.handOver(period, rows);
    }
  }
}

/** An institution-month's valid rows as the reader keeps them until the month is handed over. */
interface ValidRows {
  values: WorkloadRow[];
  rows: number[];
}

/**
 * A group whose rows' JSON is one text (`joined`: the rows' texts joined by ','), as a month is handed
 * over and sent from the worker; `texts` splits it only when asked (a blob of more than one page).
 */
export function joinedGroup(joined: string, rows: number[]): WorkloadGroup {
  let texts: string[] | undefined;
  return {
    joined,
    rows,
    get texts() {
      texts ??= splitJsonValues(joined);
      return texts;
    },
  };
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;

/** The texts of the JSON values in `joined` (their texts joined by ','), each as it was written. */
export function splitJsonValues(joined: string): string[] {
  const texts: string[] = [];
  if (joined === '') return texts;
  let depth = 0;
  let start = 0;
  let inString = false;
  for (let i = 0; i < joined.length; i++) {
    const code = joined.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) inString = true;
    else if (code === 123 /* { */ || code === 91 /* [ */) depth++;
    else if (code === 125 /* } */ || code === 93 /* ] */) depth--;
    else if (code === COMMA && depth === 0) {
      texts.push(joined.slice(start, i));
      start = i + 1;
    }
  }
  texts.push(joined.slice(start));
  return texts;
}

/** The workload rows of some months, read again from the file (after it went back to a month handed over). */
export async function rereadMonths(
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

/** What the main thread uses of a workload read, on this thread (`WorkloadReader`) or a worker's. */
export type WorkloadResults = Pick<
  WorkloadReader,
  'count' | 'first' | 'validateIssues' | 'uniqueIssues' | 'refIssues' | 'periodIssues' | 'finish'
>;

/** Months a worker may hand over before the main thread's writer has taken them… */
export const MONTHS_AHEAD = 2;
/**
 * …or more, up to this much of their text: a city's months (~4 M characters each) go on while the main
 * thread reads the other files and the sink begins; a province's (~40 M each) stay at two.
 */
export const AHEAD_CHARS = 32 * 1024 * 1024;

export type ToWorker =
  | {
      type: 'start';
      bytes: Uint8Array;
      sliceBytes: number;
      year: number | undefined;
      staffIndex: Map<string, number>;
      checkStaff: boolean;
      institutionOf: Map<string, string>;
      grouping: boolean;
      /** The sink's `onlyMonths`, when it names them. */
      onlyMonths?: string[];
    }
  | { type: 'ack' | 'closed' | 'finish' };

export type FromWorker =
  | { type: 'ready' | 'finished' }
  | { type: 'failed'; message: string }
  | ({ type: 'month'; period: string } & PackedMonth)
  | ({ type: 'read'; read: CsvRead; end: SlicesEnd } & Omit<WorkloadResults, 'finish'>);

/**
 * A month's groups as few, large values for a message (issue 17): one string of every institution's rows'
 * JSON and typed arrays of counts and lengths, so the main thread takes a month in a few copies instead of
 * cloning each of a city month's 35,000 strings.
 */
export interface PackedMonth {
  ids: string[];
  /** Rows per institution, in `ids` order. */
  counts: Int32Array;
  /** Each institution's rows' JSON joined by ',' (`WorkloadGroup.joined`), one after the other. */
  text: string;
  /** Each institution's length in `text`. */
  lengths: Int32Array;
  /** Each row's file row. */
  rows: Int32Array;
}

export function packMonth(workload: ReadonlyMap<string, WorkloadGroup>): PackedMonth {
  let total = 0;
  for (const group of workload.values()) total += group.rows.length;
  const counts = new Int32Array(workload.size);
  const lengths = new Int32Array(workload.size);
  const rows = new Int32Array(total);
  const texts: string[] = [];
  let at = 0;
  let institution = 0;
  for (const group of workload.values()) {
    const joined = group.joined ?? group.texts.join(',');
    texts.push(joined);
    lengths[institution] = joined.length;
    counts[institution++] = group.rows.length;
    for (const row of group.rows) rows[at++] = row;
  }
  return { ids: [...workload.keys()], counts, text: texts.join(''), lengths, rows };
}

export function unpackMonth({ ids, counts, text, lengths, rows }: PackedMonth): Map<string, WorkloadGroup> {
  const workload = new Map<string, WorkloadGroup>();
  let at = 0;
  let offset = 0;
  ids.forEach((id, institution) => {
    const count = counts[institution]!;
    const length = lengths[institution]!;
    // A loop, not Array.from of a typed array (its iterator protocol makes an object per row).
    const groupRows = new Array<number>(count);
    for (let i = 0; i < count; i++) groupRows[i] = rows[at + i]!;
    workload.set(id, joinedGroup(text.slice(offset, offset + length), groupRows));
    offset += length;
    at += count;
  });
  return workload;
}
