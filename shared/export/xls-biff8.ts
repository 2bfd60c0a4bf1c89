/**
 * One-sheet Excel 97–2003 workbooks (.xls, BIFF8 in an OLE compound file), for banks whose 批量代发
 * upload takes only .xls (issue 16). Why our own writer: on the npm registry the one library that writes
 * BIFF8, SheetJS `xlsx`, stopped at 0.18.5 (2022) with two published high-severity advisories (newer
 * builds are published only outside the registry, or re-published by third parties), and exceljs and the
 * other maintained packages write only .xlsx. A bank sheet needs little of the format: text cells
 * (LABEL, UTF-16, typed text so accounts and 身份证号 keep every digit), number cells (NUMBER, shown as
 * 0.00), a bold header and column widths — the records below, as [MS-XLS] and [MS-CFB] define them.
 * test/unit/export/xls-biff8.test.ts reads the files back with an independent reader (SheetJS) and, when
 * it is installed, LibreOffice.
 */

export type XlsCell = string | number;

export interface XlsSheet {
  /** At most 31 characters (Excel's limit), none of : \ / ? * [ ]. */
  name: string;
  rows: readonly (readonly XlsCell[])[];
  /** The first row is a header (bold). */
  header?: boolean;
  /** Column widths in characters. */
  widths?: readonly number[];
}

// Record types ([MS-XLS] 2.3).
const BOF = 0x0809;
const EOF = 0x000a;
const CODEPAGE = 0x0042;
const WINDOW1 = 0x003d;
const FONT = 0x0031;
const XF = 0x00e0;
const STYLE = 0x0293;
const BOUNDSHEET = 0x0085;
const DIMENSIONS = 0x0200;
const WINDOW2 = 0x023e;
const COLINFO = 0x007d;
const LABEL = 0x0204;
const NUMBER = 0x0203;

// Built-in number formats: 0 General, 2 "0.00", 49 "@" (text).
const FORMAT_GENERAL = 0;
const FORMAT_2_DECIMALS = 2;
const FORMAT_TEXT = 49;

// Cell XFs after the 15 style XFs and the default cell XF (index 15).
const XF_TEXT = 16;
const XF_NUMBER = 17;
const XF_HEADER = 18;
/** Font index 4 does not exist in BIFF: the fifth FONT record is index 5. */
const FONT_BOLD = 5;

const MAX_RECORD_DATA = 8224;
const MAX_ROWS = 65536;
const MAX_COLUMNS = 256;
const MAX_CELL_CHARS = 32767;

class Bytes {
  private readonly chunks: Buffer[] = [];
  length = 0;

  push(buffer: Buffer): void {
    this.chunks.push(buffer);
    this.length += buffer.length;
  }

  record(type: number, data: Buffer): void {
    if (data.length > MAX_RECORD_DATA) throw new Error(`BIFF record 0x${type.toString(16)} too long`);
    const head = Buffer.alloc(4);
    head.writeUInt16LE(type, 0);
    head.writeUInt16LE(data.length, 2);
    this.push(head);
    this.push(data);
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** XLUnicodeString (16-bit count) or ShortXLUnicodeString (8-bit count), always stored as UTF-16LE. */
function unicodeString(text: string, countBytes: 1 | 2): Buffer {
  const chars = Buffer.from(text, 'utf16le');
  const head = Buffer.alloc(countBytes + 1);
  if (countBytes === 1) head.writeUInt8(text.length, 0);
  else head.writeUInt16LE(text.length, 0);
  head.writeUInt8(0x01, countBytes); // fHighByte: two bytes per character
  return Buffer.concat([head, chars]);
}

function bof(kind: 'globals' | 'sheet'): Buffer {
  const data = Buffer.alloc(16);
  data.writeUInt16LE(0x0600, 0); // BIFF8
  data.writeUInt16LE(kind === 'globals' ? 0x0005 : 0x0010, 2);
  data.writeUInt16LE(0x0dbb, 4); // build
  data.writeUInt16LE(0x07cc, 6); // year
  data.writeUInt32LE(0x000000c1, 8); // file history flags
  data.writeUInt32LE(0x00000006, 12); // lowest BIFF version that can read all records
  return data;
}

function font(bold: boolean): Buffer {
  const name = unicodeString('宋体', 1);
  const data = Buffer.alloc(14);
  data.writeUInt16LE(220, 0); // 11 pt in twips
  data.writeUInt16LE(0, 2); // not italic, not struck out
  data.writeUInt16LE(0x7fff, 4); // automatic colour
  data.writeUInt16LE(bold ? 700 : 400, 6);
  data.writeUInt16LE(0, 8); // no super/subscript
  data.writeUInt8(0, 10); // no underline
  data.writeUInt8(0, 11); // family
  data.writeUInt8(134, 12); // GB2312 character set
  data.writeUInt8(0, 13);
  return Buffer.concat([data, name]);
}

function xf(fontIndex: number, format: number, style: boolean): Buffer {
  const data = Buffer.alloc(20);
  data.writeUInt16LE(fontIndex, 0);
  data.writeUInt16LE(format, 2);
  // locked; a style XF has fStyle and no parent (0xFFF), a cell XF the Normal style (0) as parent.
  data.writeUInt16LE(style ? 0xfff5 : 0x0001, 4);
  data.writeUInt8(0x20, 6); // bottom-aligned, general horizontal alignment
  data.writeUInt8(0, 7);
  data.writeUInt8(0, 8);
  // Which attributes a cell XF sets itself rather than taking from its style: number format and font.
  data.writeUInt8(style ? 0 : 0x0c, 9);
  data.writeUInt32LE(0, 10); // no borders
  data.writeUInt32LE(0, 14);
  data.writeUInt16LE(0x20c0, 18); // pattern colours: system foreground/background
  return data;
}

function globals(sheetName: string, sheetOffset: number): Buffer {
  const out = new Bytes();
  out.record(BOF, bof('globals'));
  const codepage = Buffer.alloc(2);
  codepage.writeUInt16LE(1200, 0); // UTF-16
  out.record(CODEPAGE, codepage);
  const window1 = Buffer.alloc(18);
  window1.writeUInt16LE(0x0168, 0);
  window1.writeUInt16LE(0x001e, 2);
  window1.writeUInt16LE(0x3a5c, 4);
  window1.writeUInt16LE(0x2378, 6);
  window1.writeUInt16LE(0x0038, 8); // horizontal and vertical scroll bars, sheet tabs
  window1.writeUInt16LE(0, 10); // active sheet
  window1.writeUInt16LE(0, 12);
  window1.writeUInt16LE(1, 14); // one sheet selected
  window1.writeUInt16LE(0x0258, 16);
  out.record(WINDOW1, window1);
  for (let i = 0; i < 4; i++) out.record(FONT, font(false));
  out.record(FONT, font(true)); // index 5
  for (let i = 0; i < 15; i++) out.record(XF, xf(0, FORMAT_GENERAL, true));
  out.record(XF, xf(0, FORMAT_GENERAL, false)); // 15: the default cell XF
  out.record(XF, xf(0, FORMAT_TEXT, false)); // 16
  out.record(XF, xf(0, FORMAT_2_DECIMALS, false)); // 17
  out.record(XF, xf(FONT_BOLD, FORMAT_TEXT, false)); // 18
  const style = Buffer.alloc(4);
  style.writeUInt16LE(0x8000, 0); // built-in style, XF 0
  style.writeUInt8(0, 2); // Normal
  style.writeUInt8(0xff, 3);
  out.record(STYLE, style);
  const name = unicodeString(sheetName, 1);
  const sheet = Buffer.alloc(6);
  sheet.writeUInt32LE(sheetOffset, 0); // where the sheet's BOF starts in the stream
  sheet.writeUInt16LE(0, 4); // visible worksheet
  out.record(BOUNDSHEET, Buffer.concat([sheet, name]));
  out.record(EOF, Buffer.alloc(0));
  return out.bytes();
}

function worksheet(sheet: XlsSheet): Buffer {
  const out = new Bytes();
  out.record(BOF, bof('sheet'));
  const columns = Math.max(0, ...sheet.rows.map((r) => r.length));
  const dimensions = Buffer.alloc(14);
  dimensions.writeUInt32LE(0, 0);
  dimensions.writeUInt32LE(sheet.rows.length, 4); // last row + 1
  dimensions.writeUInt16LE(0, 8);
  dimensions.writeUInt16LE(columns, 10); // last column + 1
  out.record(DIMENSIONS, dimensions);
  (sheet.widths ?? []).forEach((width, column) => {
    const info = Buffer.alloc(12);
    info.writeUInt16LE(column, 0);
    info.writeUInt16LE(column, 2);
    info.writeUInt16LE(Math.min(255, Math.round(width)) * 256, 4);
    info.writeUInt16LE(XF_TEXT, 6); // a cell typed into the column later stays text too
    info.writeUInt16LE(0, 8);
    out.record(COLINFO, info);
  });
  sheet.rows.forEach((row, r) => {
    row.forEach((value, c) => {
      const head = Buffer.alloc(6);
      head.writeUInt16LE(r, 0);
      head.writeUInt16LE(c, 2);
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw new Error(`row ${r + 1} column ${c + 1}: not a finite number`);
        head.writeUInt16LE(XF_NUMBER, 4);
        const number = Buffer.alloc(8);
        number.writeDoubleLE(value, 0);
        out.record(NUMBER, Buffer.concat([head, number]));
      } else {
        if (value.length > MAX_CELL_CHARS) throw new Error(`row ${r + 1} column ${c + 1}: text too long`);
        head.writeUInt16LE(sheet.header && r === 0 ? XF_HEADER : XF_TEXT, 4);
        out.record(LABEL, Buffer.concat([head, unicodeString(value, 2)]));
      }
    });
  });
  const window2 = Buffer.alloc(18);
  window2.writeUInt16LE(0x06b6, 0); // gridlines, headers, zeros, automatic grid colour, outline, selected, shown
  out.record(WINDOW2, window2);
  out.record(EOF, Buffer.alloc(0));
  return out.bytes();
}

/** The BIFF8 workbook stream of one sheet. */
export function workbookStream(sheet: XlsSheet): Buffer {
  if (sheet.rows.length > MAX_ROWS) throw new Error(`an .xls sheet holds at most ${MAX_ROWS} rows`);
  if (sheet.rows.some((r) => r.length > MAX_COLUMNS))
    throw new Error(`an .xls sheet holds at most ${MAX_COLUMNS} columns`);
  if (sheet.name.length === 0 || sheet.name.length > 31 || /[:\\/?*[\]]/.test(sheet.name))
    throw new Error(`"${sheet.name}" cannot name an .xls sheet`);
  const probe = globals(sheet.name, 0); // the globals' length does not depend on the offset
  return Buffer.concat([globals(sheet.name, probe.length), worksheet(sheet)]);
}

// Compound file ([MS-CFB], version 3: 512-byte sectors).
const SECTOR = 512;
const FREESECT = 0xffffffff;
const ENDOFCHAIN = 0xfffffffe;
const FATSECT = 0xfffffffd;
const DIFSECT = 0xfffffffc;
/** FAT sector ids the header holds; more go into DIFAT sectors of 127 ids and a link each. */
const HEADER_DIFAT = 109;
const IDS_PER_SECTOR = SECTOR / 4;
const NOSTREAM = 0xffffffff;
/** Streams shorter than this live in the mini stream; the workbook is padded to stay out of it. */
const MINI_STREAM_CUTOFF = 4096;

function directoryEntry(
  name: string,
  type: 'root' | 'stream',
  start: number,
  size: number,
  child: number,
): Buffer {
  const entry = Buffer.alloc(128);
  const encoded = Buffer.from(`${name}\u0000`, 'utf16le');
  encoded.copy(entry, 0);
  entry.writeUInt16LE(encoded.length, 64);
  entry.writeUInt8(type === 'root' ? 5 : 2, 66);
  entry.writeUInt8(1, 67); // black
  entry.writeUInt32LE(NOSTREAM, 68); // left sibling
  entry.writeUInt32LE(NOSTREAM, 72); // right sibling
  entry.writeUInt32LE(child, 76);
  entry.writeUInt32LE(start, 116);
  entry.writeUInt32LE(size, 120);
  return entry;
}

function emptyEntry(): Buffer {
  const entry = Buffer.alloc(128);
  entry.writeUInt32LE(NOSTREAM, 68);
  entry.writeUInt32LE(NOSTREAM, 72);
  entry.writeUInt32LE(NOSTREAM, 76);
  return entry;
}

/** A compound file holding one stream, `Workbook`. */
function compoundFile(stream: Buffer): Buffer {
  // Excel itself pads a short workbook stream to the cutoff: no mini stream is then needed.
  const size = Math.max(stream.length, MINI_STREAM_CUTOFF);
  const streamSectors = Math.ceil(size / SECTOR);
  const directorySectors = 1; // root, Workbook and two empty entries
  const difatFor = (fat: number) => Math.max(0, Math.ceil((fat - HEADER_DIFAT) / (IDS_PER_SECTOR - 1)));
  let fatSectors = 1;
  while (streamSectors + directorySectors + fatSectors + difatFor(fatSectors) > fatSectors * IDS_PER_SECTOR)
    fatSectors++;
  const difatSectors = difatFor(fatSectors);
  const directoryStart = streamSectors;
  const fatStart = streamSectors + directorySectors;
  const difatStart = fatStart + fatSectors;

  const header = Buffer.alloc(SECTOR);
  Buffer.from('d0cf11e0a1b11ae1', 'hex').copy(header, 0);
  header.writeUInt16LE(0x003e, 24); // minor version
  header.writeUInt16LE(0x0003, 26); // major version 3
  header.writeUInt16LE(0xfffe, 28); // little-endian
  header.writeUInt16LE(9, 30); // 512-byte sectors
  header.writeUInt16LE(6, 32); // 64-byte mini sectors
  header.writeUInt32LE(0, 40); // directory sectors (0 in version 3)
  header.writeUInt32LE(fatSectors, 44);
  header.writeUInt32LE(directoryStart, 48);
  header.writeUInt32LE(0, 52);
  header.writeUInt32LE(MINI_STREAM_CUTOFF, 56);
  header.writeUInt32LE(ENDOFCHAIN, 60); // no mini FAT
  header.writeUInt32LE(0, 64);
  header.writeUInt32LE(difatSectors > 0 ? difatStart : ENDOFCHAIN, 68);
  header.writeUInt32LE(difatSectors, 72);
  for (let i = 0; i < HEADER_DIFAT; i++)
    header.writeUInt32LE(i < fatSectors ? fatStart + i : FREESECT, 76 + i * 4);
  const difat = Buffer.alloc(difatSectors * SECTOR, 0xff);
  for (let i = HEADER_DIFAT; i < fatSectors; i++) {
    const at = i - HEADER_DIFAT;
    const sector = Math.floor(at / (IDS_PER_SECTOR - 1));
    difat.writeUInt32LE(fatStart + i, (sector * IDS_PER_SECTOR + (at % (IDS_PER_SECTOR - 1))) * 4);
  }
  for (let d = 0; d < difatSectors; d++) {
    const next = d === difatSectors - 1 ? ENDOFCHAIN : difatStart + d + 1;
    difat.writeUInt32LE(next, (d * IDS_PER_SECTOR + IDS_PER_SECTOR - 1) * 4);
  }

  const data = Buffer.alloc(streamSectors * SECTOR);
  stream.copy(data, 0);
  const directory = Buffer.concat([
    directoryEntry('Root Entry', 'root', ENDOFCHAIN, 0, 1),
    directoryEntry('Workbook', 'stream', 0, size, NOSTREAM),
    emptyEntry(),
    emptyEntry(),
  ]);
  const fat = Buffer.alloc(fatSectors * SECTOR, 0xff); // FREESECT
  for (let i = 0; i < streamSectors; i++)
    fat.writeUInt32LE(i === streamSectors - 1 ? ENDOFCHAIN : i + 1, i * 4);
  fat.writeUInt32LE(ENDOFCHAIN, directoryStart * 4);
  for (let i = 0; i < fatSectors; i++) fat.writeUInt32LE(FATSECT, (fatStart + i) * 4);
  for (let i = 0; i < difatSectors; i++) fat.writeUInt32LE(DIFSECT, (difatStart + i) * 4);
  return Buffer.concat([header, data, directory, fat, difat]);
}

/** An .xls file of one sheet. */
export function xlsWorkbook(sheet: XlsSheet): Uint8Array {
  return new Uint8Array(compoundFile(workbookStream(sheet)));
}
