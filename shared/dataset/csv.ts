/**
 * CSV text → records (their cells in header order, and where each known column sits), with the row number
 * a user finds in an editor. Checks the file's structure only (quoting, header, field counts); what the
 * values mean is the formats' job. Nearly every file is read by a plain loop (`fastRecords`); anything it
 * is not sure of is read by csv-parse, whose reading and errors stay the reference.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { didYouMean } from './closest.js';
import { type ImportIssue, issueAt, Problem } from './errors.js';

export interface CsvRecord {
  /** Line where the record starts; the header is row 1. Equals the spreadsheet row unless a cell spans lines. */
  row: number;
  /** The cells as written, in header order (only records exactly as wide as the header are kept). */
  fields: string[];
}

/** Where each column the format knows sits in a record's fields (a repeated column: its last place). */
export type ColumnIndex = ReadonlyMap<string, number>;

/** The cell of a column as written, or undefined when the header lacks the column. */
export function rawCell(index: ColumnIndex, record: CsvRecord, column: string): string | undefined {
  const at = index.get(column);
  return at === undefined ? undefined : record.fields[at];
}

/** The record as column → cell, in header order (for the zod schema, which reads such an object). */
export function cellsOf(index: ColumnIndex, record: CsvRecord): Record<string, string> {
  const cells: Record<string, string> = {};
  for (const [column, at] of index) cells[column] = record.fields[at]!;
  return cells;
}

export interface CsvColumns {
  all: readonly string[];
  /** Columns that may be left out of the header. */
  optional: ReadonlySet<string>;
}

export interface CsvRead {
  records: CsvRecord[];
  /** The columns of the records' fields. */
  index: ColumnIndex;
  issues: ImportIssue[];
  /** False when some rows could not be read or the header lacks required columns: rows were not all checked. */
  complete: boolean;
  /** False when the header lacks a required column: rows are read for their keys but not checked. */
  headerUsable: boolean;
  /** Columns whose cells were read from every row (for references into this file). */
  readableColumns: ReadonlySet<string>;
}

const LINE_BREAK = /\r\n|\r|\n/g;
const lineBreaks = (text: string) => text.match(LINE_BREAK)?.length ?? 0;

function quoteProblem(error: CsvError, startRow: number): Problem {
  const stopped = typeof error.lines === 'number' ? error.lines : startRow;
  const where =
    stopped === startRow
      ? { zh: `第 ${startRow} 行`, en: `line ${startRow}` }
      : {
          zh: `从第 ${startRow} 行开始的记录（解析停在第 ${stopped} 行）`,
          en: `the record starting on line ${startRow} (parsing stopped on line ${stopped})`,
        };
  return new Problem(
    'csv.quote',
    `${where.zh}引号不配对：含逗号、引号或换行的单元格须整体用英文双引号括起，单元格内的引号写成两个 ""`,
    `broken quoting in ${where.en}: a cell with commas, quotes or line breaks must be wrapped in double quotes, and a quote inside it written twice ("")`,
  );
}

// Empty lines come back as records of one empty cell, which keeps the line count exact; they are skipped later.
const OPTIONS = { relax_column_count: true } as const; // field counts are checked per row, so one bad row hides nothing

/** Receives each record with the line it starts on; records arrive in file order. */
type Visit = (fields: string[], row: number) => void;

/** Numbers records by the line they start on: each ends with one line break plus those inside its cells. */
function numbered(records: string[][], visit: Visit): number {
  let line = 1;
  for (const fields of records) {
    visit(fields, line);
    line += 1 + fields.reduce((n, f) => n + lineBreaks(f), 0);
  }
  return line;
}

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;

/** For each line ending: a line break that is not it. */
const STRAY_BREAK: Record<string, string> = { '\n': '\r', '\r': '\n', '\r\n': '\r(?!\n)|(?<!\r)\n' };

const isWellFormed = (text: string): boolean =>
  (text as { isWellFormed?: () => boolean }).isWellFormed?.() ?? !/[\uD800-\uDFFF]/.test(text);

/**
 * Reads the records of a file the way csv-parse does (the options above), for the files nearly every
 * import has: a fixed line ending, quotes only around whole cells. Returns false, having perhaps visited
 * some records, at anything else — a quoting error, a line break that is not the file's line ending, text
 * csv-parse would re-encode — and csv-parse then reads the whole file: it owns every error message, and
 * test/unit/dataset/csv-fast.test.ts compares the two on generated files.
 */
export function fastRecords(text: string, visit: Visit): boolean {
  if (!isWellFormed(text)) return false; // csv-parse reads through a Buffer, which replaces lone surrogates
  const n = text.length;
  // csv-parse takes the first line break outside quotes as the line ending of the whole file.
  let ending = '';
  const discover = (at: number) => {
    ending = text.charCodeAt(at) === LF ? '\n' : text.charCodeAt(at + 1) === LF ? '\r\n' : '\r';
  };
  // Where the next quote and the next line break other than the ending are (n: none), so a record
  // is known to be plain without a look of its own; each search resumes where the last one stopped.
  let nextQuote = -1;
  let nextStray = -1;
  let stray: RegExp | undefined;
  let pos = 0;
  let line = 1;
  while (pos < n) {
    if (ending === '') {
      // Up to the first line break: a record without quotes there is read below with the ending known.
      let i = pos;
      for (; i < n; i++) {
        const code = text.charCodeAt(i);
        if (code === CR || code === LF || code === QUOTE) break;
      }
      if (i < n && text.charCodeAt(i) !== QUOTE) discover(i);
    }
    if (ending !== '') {
      let end = text.indexOf(ending, pos);
      if (end < 0) end = n;
      if (nextQuote < pos) {
        nextQuote = text.indexOf('"', pos);
        if (nextQuote < 0) nextQuote = n;
      }
      if (nextStray < pos) {
        stray ??= new RegExp(STRAY_BREAK[ending]!, 'g');
        stray.lastIndex = pos;
        nextStray = stray.exec(text)?.index ?? n;
      }
      if (nextQuote >= end && nextStray >= end) {
        // Cells sliced straight from the text (splitting a slice of each line hits a V8 slow path).
        const fields: string[] = [];
        let from = pos;
        for (;;) {
          const comma = text.indexOf(',', from);
          if (comma < 0 || comma >= end) {
            fields.push(text.slice(from, end));
            break;
          }
          fields.push(text.slice(from, comma));
          from = comma + 1;
        }
        visit(fields, line);
        line += 1;
        pos = end === n ? n : end + ending.length;
        continue;
      }
    }
    // A record with quotes, read cell by cell.
    const fields: string[] = [];
    let breaks = 0;
    for (;;) {
      let field: string;
      if (text.charCodeAt(pos) === QUOTE) {
        field = '';
        let from = pos + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close < 0) return false; // never closed
          if (text.charCodeAt(close + 1) === QUOTE) {
            field += text.slice(from, close + 1);
            from = close + 2;
            continue;
          }
          field += text.slice(from, close);
          pos = close + 1;
          break;
        }
        if (field.includes('\n') || field.includes('\r')) breaks += lineBreaks(field);
      } else {
        let i = pos;
        for (; i < n; i++) {
          const code = text.charCodeAt(i);
          if (code === COMMA) break;
          if (code === QUOTE) return false; // a quote inside an unquoted cell
          if (code === CR || code === LF) {
            if (ending === '') discover(i);
            if (text.startsWith(ending, i)) break;
            return false; // a line break that is not the file's line ending
          }
        }
        field = text.slice(pos, i);
        pos = i;
      }
      fields.push(field);
      // What follows a cell: a comma, the line ending, the end of the text; after a quote nothing else.
      if (pos >= n) break;
      const code = text.charCodeAt(pos);
      if (code === COMMA) {
        pos += 1;
        if (pos >= n) {
          fields.push(''); // a last empty cell
          break;
        }
        continue;
      }
      if (ending === '' && (code === CR || code === LF)) discover(pos);
      if (ending !== '' && text.startsWith(ending, pos)) {
        pos += ending.length;
        break;
      }
      return false;
    }
    visit(fields, line);
    line += 1 + breaks;
  }
  return true;
}

/**
 * Visits every record csv-parse would return, or those before the syntax problem that stopped it
 * (RFC 4180 quoting is strict) and returns that problem.
 */
function parseRecords(file: string, text: string, visit: () => Visit): ImportIssue | undefined {
  if (fastRecords(text, visit())) return undefined;
  const slow = visit(); // a fresh reader: the fast one may have seen some records
  let records: string[][];
  try {
    records = parse(text, OPTIONS);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // Only for a broken file: read again up to the error, keeping the good rows so they are still checked.
    const good: string[][] = [];
    try {
      parse(text, { ...OPTIONS, on_record: (fields: string[]) => void good.push(fields) });
    } catch {}
    const nextLine = numbered(good, slow);
    // The broken record starts on the first non-blank line after the last good one.
    const blanks = text
      .split(LINE_BREAK)
      .slice(nextLine - 1)
      .findIndex((line) => line.trim() !== '');
    const startRow = nextLine + Math.max(0, blanks);
    const problem = /QUOTE/.test(error.code)
      ? quoteProblem(error, startRow)
      : new Problem('csv.syntax', `CSV 格式错误：${error.message}`, `malformed CSV: ${error.message}`);
    return issueAt({ file, row: startRow }, problem);
  }
  numbered(records, slow);
  return undefined;
}

/** A header of one cell holding the known names joined by `;` or a tab: the file uses another separator. */
function separatorIssue(
  file: string,
  row: number,
  header: string[],
  columns: CsvColumns,
): ImportIssue | undefined {
  if (header.length !== 1) return undefined;
  const separator = [';', '\t', '|'].find((sep) =>
    header[0]!.split(sep).some((n) => columns.all.includes(n.trim())),
  );
  if (separator === undefined) return undefined;
  const shown = separator === '\t' ? 'Tab' : separator;
  return issueAt(
    { file, row, value: header[0] },
    new Problem(
      'csv.separator',
      `列之间用的是“${shown}”而不是英文逗号（有些地区设置的 Excel 这样保存 CSV）：请改用逗号分隔，或在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”`,
      `the columns are separated by "${shown}" instead of commas (Excel saves CSV that way under some regional settings): use commas, or in Excel "Save As → CSV UTF-8 (Comma delimited)"`,
    ),
  );
}

const trailingCommaProblem = (zh: string, en: string) =>
  new Problem(
    'csv.trailingComma',
    `${zh}末尾有多余的逗号（表格软件把右边的空列也保存了）：请删除行末的逗号，或在表格中删除数据右侧的空列`,
    `${en} ends with extra commas (the spreadsheet saved empty columns to the right of the data): remove the trailing commas, or delete the empty columns right of the data`,
  );

/** How many cells at the end of a record are empty. */
function blankTail(fields: string[]): number {
  let n = 0;
  while (n < fields.length && fields[fields.length - 1 - n]!.trim() === '') n++;
  return n;
}

function headerIssues(file: string, row: number, header: string[], columns: CsvColumns): ImportIssue[] {
  const separator = separatorIssue(file, row, header, columns);
  if (separator) return [separator];
  const issues: ImportIssue[] = [];
  const seen = new Set<string>();
  const known = columns.all.join(', ');
  // Blank names at the end are trailing commas, said once, not "an unknown column with a blank name".
  const tail = header.length > 1 ? blankTail(header) : 0;
  if (tail > 0) issues.push(issueAt({ file, row }, trailingCommaProblem('表头行', 'the header row')));
  for (const name of header.slice(0, header.length - tail)) {
    const place = { file, row, column: name, value: name };
    if (seen.has(name)) {
      issues.push(
        issueAt(
          place,
          new Problem('header.duplicate', '表头中该列出现了两次', 'this column appears twice in the header'),
        ),
      );
    } else if (!columns.all.includes(name)) {
      const hint = didYouMean(
        name,
        columns.all.filter((c) => !header.includes(c)),
      );
      issues.push(
        issueAt(
          place,
          new Problem(
            'header.unknown',
            `未知的列${hint.zh}（可用的列：${known}）`,
            `unknown column${hint.en} (known columns: ${known})`,
          ),
        ),
      );
    }
    seen.add(name);
  }
  for (const name of columns.all) {
    if (!columns.optional.has(name) && !seen.has(name)) {
      issues.push(
        issueAt(
          { file, row, column: name },
          new Problem('header.missing', '表头缺少必需的列', 'the header lacks this required column'),
        ),
      );
    }
  }
  return issues;
}

/** Distinct cells a column keeps for sharing (see RecordReader.shareRepeats). */
const MAX_SHARED = 50_000;
/**
 * Rows after which a column with more distinct cells than half of them stops being shared: ids, names,
 * accounts and amounts are (nearly) all different, and looking each up cost more than a tenth of reading
 * a city's staff and finance files while sharing nothing.
 */
const SHARE_SAMPLE = 512;

const isBlankRecord = (fields: string[]) => fields.every((f) => f.trim() === '');

/** Turns records into rows as they arrive: the first non-blank record is the header. */
export class RecordReader {
  header: string[] | undefined;
  headerIssues: ImportIssue[] = [];
  rowIssues: ImportIssue[] = [];
  records: CsvRecord[] = [];
  headerUsable = false;
  complete = true;
  rowsReadable = true;
  index: ColumnIndex = new Map();
  /** Per header position: the distinct cells seen so far, until there are too many to be worth it. */
  private repeats: (Map<string, string> | undefined)[] = [];
  /** Per header position: the previous row's (shared) cell. */
  private previous: (string | undefined)[] = [];
  /** Rows shared so far (up to SHARE_SAMPLE). */
  private sharedRows = 0;

  constructor(
    private readonly file: string,
    private readonly columns: CsvColumns,
    /** Takes each row as it is read instead of keeping it in `records` (a streamed import). */
    private readonly onRecord?: (record: CsvRecord, reader: RecordReader) => void,
  ) {}

  readonly visit: Visit = (fields, row) => {
    if (this.header === undefined) {
      // Blank lines and rows of bare commas (spreadsheets export them around the data) carry nothing.
      if (isBlankRecord(fields)) return;
      this.startHeader(fields, row);
      return;
    }
    const header = this.header;
    if (fields.length !== header.length) {
      if (isBlankRecord(fields)) return;
      this.complete = false;
      this.rowsReadable = false;
      const extra = fields.length - header.length;
      if (extra > 0 && blankTail(fields) >= extra) {
        this.rowIssues.push(issueAt({ file: this.file, row }, trailingCommaProblem('该行', 'the row')));
        return;
      }
      this.rowIssues.push(
        issueAt(
          { file: this.file, row },
          new Problem(
            'csv.fieldCount',
            `该行有 ${fields.length} 个单元格，表头有 ${header.length} 列（检查多余或缺少的逗号，含逗号的内容须加引号）`,
            `this row has ${fields.length} cells but the header has ${header.length} columns (check for extra or missing commas; quote cells that contain commas)`,
          ),
        ),
      );
      return;
    }
    // A row as wide as the header is blank only if its first cell is (checked first: it rarely is).
    if (fields[0]!.trim() === '' && isBlankRecord(fields)) return;
    if (this.onRecord) {
      this.onRecord({ row, fields }, this);
      return;
    }
    this.shareRepeats(fields);
    this.records.push({ row, fields });
  };

  /**
   * Replaces a cell by an equal string already kept, so a column of few distinct values (periods, days,
   * ids repeated every month) holds each value once instead of once per row: the rows and the values
   * made from them are most of an import's memory.
   */
  private shareRepeats(fields: string[]): void {
    const { repeats, previous } = this;
    if (this.sharedRows < SHARE_SAMPLE && ++this.sharedRows === SHARE_SAMPLE) {
      for (let i = 0; i < repeats.length; i++)
        if ((repeats[i]?.size ?? 0) > SHARE_SAMPLE / 2) repeats[i] = undefined;
    }
    for (let i = 0; i < fields.length; i++) {
      const seen = repeats[i];
      if (seen === undefined) continue;
      const field = fields[i]!;
      // Sorted files repeat the previous row's cell (the period, the institution): no lookup needed.
      if (field === previous[i]) {
        fields[i] = previous[i]!;
        continue;
      }
      const kept = seen.get(field);
      if (kept !== undefined) fields[i] = previous[i] = kept;
      else if (seen.size < MAX_SHARED) {
        seen.set(field, field);
        previous[i] = field;
      } else repeats[i] = undefined; // a column of (nearly) all-different cells: stop looking
    }
  }

  private startHeader(fields: string[], row: number): void {
    const header = fields.map((name) => name.trim());
    this.header = header;
    this.headerIssues = headerIssues(this.file, row, header, this.columns);
    // Without a required column every row would fail the same way; the header issue says it once. The rows
    // are still read, so the ids they declare can be checked against other files in the same pass.
    this.headerUsable = !this.headerIssues.some(
      (p) => p.rule !== 'header.unknown' && p.rule !== 'csv.trailingComma',
    );
    const index = new Map<string, number>();
    // A repeated column (already an issue) reads its last place, as assigning cells in order did.
    header.forEach((name, i) => {
      if (this.columns.all.includes(name)) index.set(name, i);
    });
    this.index = index;
    this.repeats = header.map(() => new Map());
  }
}

/**
 * One line ending for the whole file. csv-parse takes the first one it meets as the file's, so a CRLF
 * file with a row added in an editor that writes LF would read two rows as one; Excel and WPS take
 * either as a row break, and so does the import. Lines keep their numbers (each break stays one).
 */
export function oneLineEnding(text: string): string {
  return lineEndingKinds(text) > 1 ? text.replace(/\r\n?/g, '\n') : text;
}

/** How many of CRLF, a bare LF and a bare CR the text uses (indexOf is far faster than a regex here). */
function lineEndingKinds(text: string): number {
  let crlf = 0;
  let cr = 0;
  let lf = 0;
  for (let at = text.indexOf('\r'); at >= 0 && crlf + cr < 2; at = text.indexOf('\r', at + 1)) {
    if (text.charCodeAt(at + 1) === LF) crlf = 1;
    else cr = 1;
  }
  for (let at = text.indexOf('\n'); at >= 0 && lf === 0; at = text.indexOf('\n', at + 1)) {
    if (text.charCodeAt(at - 1) !== CR) lf = 1;
  }
  return crlf + cr + lf;
}

export function readCsv(file: string, raw: string, columns: CsvColumns): CsvRead {
  const text = oneLineEnding(raw);
  let reader = new RecordReader(file, columns);
  const issue = parseRecords(file, text, () => {
    reader = new RecordReader(file, columns);
    return reader.visit;
  });
  return readResult(file, columns, reader, issue);
}

/** Text per slice of a streamed read: the loop yields to the event loop (the version's writes) between slices. */
const SLICE_CHARS = 1 << 20;

/**
 * The end of the next slice of `text` from `from`: just after a line ending (the file's: `oneLineEnding`
 * left one kind) with an even number of quotes before it since `from` — outside any quoted cell — so the
 * fast reader reads the slices exactly as it reads the whole text.
 */
function sliceEnd(text: string, from: number): number {
  if (text.length - from <= SLICE_CHARS) return text.length;
  let at = from + SLICE_CHARS;
  for (;;) {
    const lf = text.indexOf('\n', at);
    const cr = text.indexOf('\r', at);
    if (lf < 0 && cr < 0) return text.length;
    let end = lf < 0 ? cr + 1 : cr < 0 ? lf + 1 : Math.min(lf, cr) + 1;
    if (text.charCodeAt(end - 1) === CR && text.charCodeAt(end) === LF) end++;
    let quotes = 0;
    for (let q = text.indexOf('"', from); q >= 0 && q < end; q = text.indexOf('"', q + 1)) quotes++;
    if (quotes % 2 === 0) return end;
    at = end;
  }
}

/** Line breaks in a text of one line-ending kind (each CRLF is one): by indexOf, far faster than a loop per character. */
function breaksIn(text: string): number {
  let breaks = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) breaks++;
  for (let at = text.indexOf('\r'); at >= 0; at = text.indexOf('\r', at + 1))
    if (text.charCodeAt(at + 1) !== LF) breaks++;
  return breaks;
}

/**
 * As `readCsv`, for a large file read as a stream of rows: each row goes to `onRecord` as it is read
 * (none is kept), and the read pauses between slices of the text so that writes already started go on.
 * When the fast reader cannot read the file, csv-parse reads it whole (as `readCsv` does): `restart` is
 * called first, so the caller drops what it made of the rows seen so far.
 */
export async function readCsvStreamed(
  file: string,
  raw: string,
  columns: CsvColumns,
  onRecord: (record: CsvRecord, reader: RecordReader) => void,
  restart: () => void,
  pause: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
): Promise<CsvRead> {
  const text = oneLineEnding(raw);
  let reader = new RecordReader(file, columns, onRecord);
  let fast = isWellFormed(text);
  let line = 1;
  // Each slice is read by the fast reader with its records' rows counted from where the last one ended.
  for (let from = 0; fast && from < text.length; ) {
    const end = sliceEnd(text, from);
    const slice = text.slice(from, end);
    const offset = line - 1;
    fast = fastRecords(slice, (fields, row) => reader.visit(fields, offset + row));
    line += breaksIn(slice);
    from = end;
    if (fast && from < text.length) await pause();
  }
  if (fast) return readResult(file, columns, reader, undefined);
  // parseRecords tries the fast reader on the whole text first, then csv-parse: each starts over.
  const issue = parseRecords(file, text, () => {
    restart();
    reader = new RecordReader(file, columns, onRecord);
    return reader.visit;
  });
  return readResult(file, columns, reader, issue);
}

/** Text in slices, each ending just after a line break or at the end of the text; a new iterator reads it again. */
export type TextSlices = () => Iterator<string, unknown>;

const ENDS_CRLF = 1;
const ENDS_CR = 2;
const ENDS_LF = 4;

/** `seen` with the kinds of line break in `text` added (a slice never ends between a CR and its LF). */
function endingsIn(text: string, seen: number): number {
  let kinds = seen;
  for (let at = text.indexOf('\r'); at >= 0; at = text.indexOf('\r', at + 1)) {
    kinds |= text.charCodeAt(at + 1) === LF ? ENDS_CRLF : ENDS_CR;
    if ((kinds & (ENDS_CRLF | ENDS_CR)) === (ENDS_CRLF | ENDS_CR)) break;
  }
  if ((kinds & ENDS_LF) === 0) {
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) {
      if (text.charCodeAt(at - 1) !== CR) {
        kinds |= ENDS_LF;
        break;
      }
    }
  }
  return kinds;
}

const kindsOf = (kinds: number) => (kinds & 1) + ((kinds >> 1) & 1) + ((kinds >> 2) & 1);

function countQuotes(text: string): number {
  let quotes = 0;
  for (let at = text.indexOf('"'); at >= 0; at = text.indexOf('"', at + 1)) quotes++;
  return quotes;
}

/**
 * `readCsvStreamed` of a text that is never held whole (issue 12: a province's workload.csv decoded
 * slice by slice, `decodeSlices`): the slices are read by the fast reader as they come, a slice ending
 * inside a quoted cell joined to the next. The text reads as `oneLineEnding` of the whole would: at the
 * first slice that shows a second kind of line break, `restart` is called and the slices are read again
 * from the start with every line break made a LF. When the fast reader cannot read the file (a broken
 * one: quoting), csv-parse reads the whole text, as `readCsvStreamed` does. `end` is what the slices
 * returned when they ended (the decoder's encoding, or a problem that stopped it: the read is then void).
 */
export async function readCsvSlices(
  file: string,
  slices: TextSlices,
  columns: CsvColumns,
  onRecord: (record: CsvRecord, reader: RecordReader) => void,
  restart: () => void,
  pause: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
): Promise<{ read: CsvRead; end: unknown }> {
  let oneEnding = false;
  for (;;) {
    const reader = new RecordReader(file, columns, onRecord);
    const iterator = slices();
    let kinds = 0;
    let pending = '';
    let quotes = 0;
    let line = 1;
    let fast = true;
    let mixed = false;
    let end: unknown;
    for (;;) {
      const next = iterator.next();
      if (next.done) {
        end = next.value;
        break;
      }
      let slice = next.value;
      if (oneEnding) {
        if (slice.includes('\r')) slice = slice.replace(/\r\n?/g, '\n');
      } else {
        kinds = endingsIn(slice, kinds);
        if (kindsOf(kinds) > 1) {
          mixed = true;
          break;
        }
      }
      pending = pending === '' ? slice : pending + slice;
      quotes += countQuotes(slice);
      if (quotes % 2 !== 0) continue; // inside a quoted cell: it goes on in the next slice
      const offset = line - 1;
      fast = fastRecords(pending, (fields, row) => reader.visit(fields, offset + row));
      line += breaksIn(pending);
      pending = '';
      quotes = 0;
      if (!fast) break;
      await pause();
    }
    if (mixed) {
      iterator.return?.();
      restart();
      oneEnding = true;
      continue;
    }
    if (fast && pending !== '') {
      const offset = line - 1;
      fast = fastRecords(pending, (fields, row) => reader.visit(fields, offset + row));
    }
    if (fast) return { read: readResult(file, columns, reader, undefined), end };
    iterator.return?.();
    // A broken file: csv-parse reads the whole text (the slices joined), as readCsvStreamed does.
    const wholeIterator = slices();
    const parts: string[] = [];
    for (let next = wholeIterator.next(); ; next = wholeIterator.next()) {
      if (next.done) {
        end = next.value;
        break;
      }
      parts.push(next.value);
    }
    const text = oneLineEnding(parts.join(''));
    parts.length = 0;
    let slow = reader;
    const issue = parseRecords(file, text, () => {
      restart();
      slow = new RecordReader(file, columns, onRecord);
      return slow.visit;
    });
    return { read: readResult(file, columns, slow, issue), end };
  }
}

/** As `readRows`, each row going to `onRecord` as it is read (a streamed import of a sheet). */
export function readRowsStreamed(
  file: string,
  rows: readonly { row: number; fields: string[] }[],
  columns: CsvColumns,
  onRecord: (record: CsvRecord, reader: RecordReader) => void,
): CsvRead {
  const reader = new RecordReader(file, columns, onRecord);
  for (const { row, fields } of rows) reader.visit([...fields], row);
  return readResult(file, columns, reader, undefined);
}

/** Rows already split into cells (a spreadsheet's), each with its own row number, read as a CSV's records. */
export function readRows(
  file: string,
  rows: readonly { row: number; fields: string[] }[],
  columns: CsvColumns,
): CsvRead {
  const reader = new RecordReader(file, columns);
  for (const { row, fields } of rows) reader.visit([...fields], row);
  return readResult(file, columns, reader, undefined);
}

function readResult(
  file: string,
  columns: CsvColumns,
  reader: RecordReader,
  issue: ImportIssue | undefined,
): CsvRead {
  const issues: ImportIssue[] = issue ? [issue] : [];
  const { header } = reader;
  if (!header) {
    if (!issue) {
      issues.push(
        issueAt(
          { file },
          new Problem('file.empty', '文件为空，缺少表头行', 'the file is empty: it has no header row'),
        ),
      );
    }
    return {
      records: [],
      index: new Map(),
      issues,
      complete: false,
      headerUsable: false,
      readableColumns: new Set(),
    };
  }
  issues.push(...reader.headerIssues, ...reader.rowIssues);
  const complete = !issue && reader.headerUsable && reader.complete;
  const rowsReadable = !issue && reader.rowsReadable;
  const readableColumns = new Set(rowsReadable ? header.filter((name) => columns.all.includes(name)) : []);
  return {
    records: reader.records,
    index: reader.index,
    issues,
    complete,
    headerUsable: reader.headerUsable,
    readableColumns,
  };
}
