/**
 * Raw file → text and the encoding it was written in. Refuses files over the size limit before any
 * parsing, and bytes that are not text in any encoding an office's tools write.
 */
import { Problem } from './errors.js';

/** 50 MB: a county's year of monthly rows is a few MB; more means a wrong file or an attack on memory. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

/**
 * Files uploaded to S3 for the import workflow (issue 12): a province's workload.csv is ~150 MB; the
 * workflow's parsing step has the memory for it, where an HTTP body or the CLI keeps the 50 MB cap.
 */
export const UPLOAD_MAX_FILE_BYTES = 512 * 1024 * 1024;

export function tooLarge(bytes: number, limit = MAX_FILE_BYTES): Problem {
  const mb = Math.round(limit / 1024 / 1024);
  return new Problem(
    'file.tooLarge',
    `文件过大（${bytes} 字节），上限为 ${limit} 字节（${mb} MB），未解析`,
    `the file is too large (${bytes} bytes); the limit is ${limit} bytes (${mb} MB), so it was not parsed`,
  );
}

/** What a file was written in, as the import summary tells the user. */
export type Encoding = 'UTF-8' | 'UTF-8 (BOM)' | 'GB18030' | 'UTF-16LE' | 'UTF-16BE';

export interface Decoded {
  text?: string;
  problem?: Problem;
  /** For an encoding problem: the first line that could not be decoded. */
  line?: number;
  encoding?: Encoding;
}

const LINE_FEED = 0x0a;

// Line feed is never part of a multi-byte UTF-8 or GB18030 character, so splitting on it finds the bad line.
function firstBadLine(bytes: Uint8Array, label: string): { line: number; start: number } | undefined {
  const decoder = new TextDecoder(label, { fatal: true });
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(LINE_FEED, start);
    if (end < 0) end = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return { line, start };
    }
    start = end + 1;
  }
  return undefined;
}

/** In UTF-16 a line feed is two bytes: the line of the first unpaired surrogate, counted in the decoded text. */
function firstBadUtf16Line(bytes: Uint8Array, label: 'utf-16le' | 'utf-16be'): number {
  const text = new TextDecoder(label).decode(bytes);
  const bad = text.indexOf('\uFFFD');
  return bad < 0 ? 1 : (text.slice(0, bad).match(/\n/g)?.length ?? 0) + 1;
}

const invalidBytes = (encoding: string) =>
  new Problem(
    'file.encoding',
    `文件按 ${encoding} 读取，但这一行有无效的字节（文件可能已损坏，或混用了两种编码）：请在 Excel/WPS 中打开后“另存为 → CSV UTF-8（逗号分隔）”`,
    `the file reads as ${encoding} but this line holds invalid bytes (the file may be damaged, or mixes two encodings): open it in Excel or WPS and "Save As → CSV UTF-8 (Comma delimited)"`,
  );

const unknownEncoding = () =>
  new Problem(
    'file.encoding',
    '文件既不是 UTF-8，也不是 GB18030/GBK，也不是带 BOM 的 UTF-16：请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”，或在 WPS/记事本中另存为 UTF-8',
    'the file is neither UTF-8 nor GB18030/GBK nor UTF-16 with a BOM: in Excel use "Save As → CSV UTF-8 (Comma delimited)", or save as UTF-8 in WPS or Notepad',
  );

function decodeAs(bytes: Uint8Array, label: string, encoding: Encoding): Decoded {
  try {
    return { text: new TextDecoder(label, { fatal: true }).decode(bytes), encoding };
  } catch {
    const line =
      label === 'utf-16le' || label === 'utf-16be'
        ? firstBadUtf16Line(bytes, label)
        : firstBadLine(bytes, label)?.line;
    return { line, problem: invalidBytes(encoding) };
  }
}

/**
 * Bytes decoded per slice of a streamed file (issue 12: a province's workload.csv is never one string);
 * tests lower `bytes` to cut a small file into many slices.
 */
export const SLICE_BYTES = 1 << 20;
/** Files from this size are read into memory a worker thread shares (read-dir.ts; stream.ts's parse worker). */
export const SHARED_FILE_BYTES = 4 * 1024 * 1024;
export const slicing = { bytes: SLICE_BYTES };

/** How a file's slices ended: the encoding it was read in, or why it could not be read past a line. */
export type SlicesEnd = { encoding: Encoding } | { problem: Problem; line?: number };

/**
 * Where the slice from `from` ends: just after the first line feed (a code unit of its own) at or after
 * `from + size`, or at the end. A line feed is never part of a multi-byte character in UTF-8, GB18030 or
 * UTF-16, so each slice decodes on its own exactly as it does inside the whole file, and the lines that
 * `decodeFile` numbers (by line feeds) never straddle two slices. A CRLF ends with its LF; a file of bare
 * CRs (old Mac text) is one slice.
 */
function sliceEnd(bytes: Uint8Array, from: number, size: number, unit: 1 | 2, bigEndian: boolean): number {
  if (bytes.length - from <= size) return bytes.length;
  for (let at = bytes.indexOf(LINE_FEED, from + size); at >= 0; at = bytes.indexOf(LINE_FEED, at + 1)) {
    if (unit === 1) return at + 1;
    // UTF-16: the line feed's code unit starts at an even offset from the file's start (its BOM is 2 bytes).
    const unitStart = bigEndian ? at - 1 : at;
    if (unitStart % 2 === 0 && bytes[bigEndian ? at - 1 : at + 1] === 0) return unitStart + 2;
  }
  return bytes.length;
}

function lineFeeds(bytes: Uint8Array): number {
  let count = 0;
  for (let at = bytes.indexOf(LINE_FEED); at >= 0; at = bytes.indexOf(LINE_FEED, at + 1)) count++;
  return count;
}

/**
 * `decodeFile` of bytes slice by slice (issue 12: a 150 MB workload.csv is never held as one string):
 * yields the text in slices that each end at a line break, and returns the encoding — or the problem and
 * line `decodeFile` names, found when the slicing reaches it (the slices before were already yielded).
 * The same encoding, text and problem as `decodeFile` (test/unit/dataset/decode-slices.test.ts). A file
 * too large yields nothing; `decodeSlicesLimit` says so before.
 */
export function* decodeSlices(bytes: Uint8Array, size = slicing.bytes): Generator<string, SlicesEnd> {
  const [b0, b1, b2] = bytes;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return yield* utf8Slices(bytes, 3, size, 'UTF-8 (BOM)');
  if (b0 === 0xff && b1 === 0xfe) return yield* utf16Slices(bytes, size, false);
  if (b0 === 0xfe && b1 === 0xff) return yield* utf16Slices(bytes, size, true);
  return yield* utf8Slices(bytes, 0, size, 'UTF-8');
}

/** The problem of a file over `limit` bytes, read no further. */
export function decodeSlicesLimit(bytes: Uint8Array, limit = MAX_FILE_BYTES): Problem | undefined {
  return bytes.length > limit ? tooLarge(bytes.length, limit) : undefined;
}

/**
 * UTF-8 (after a BOM: damaged when a line is not), else — when no byte before the first line that is not
 * UTF-8 was outside ASCII — GB18030 from that slice on: the slices before were ASCII, which reads the same.
 */
function* utf8Slices(
  bytes: Uint8Array,
  start: number,
  size: number,
  named: 'UTF-8' | 'UTF-8 (BOM)',
): Generator<string, SlicesEnd> {
  // ignoreBOM: a BOM inside the file is text (only the file's first bytes are a BOM, handled above).
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let gb18030: InstanceType<typeof TextDecoder> | undefined;
  let nonAscii = false;
  let line = 1;
  let utf8BadLine = 0;
  for (let from = start; from < bytes.length; ) {
    const end = sliceEnd(bytes, from, size, 1, false);
    const slice = bytes.subarray(from, end);
    let text: string | undefined;
    if (!gb18030) {
      try {
        text = utf8.decode(slice);
        // A UTF-8 text as long as its bytes is ASCII.
        if (!nonAscii && text.length !== slice.length) nonAscii = true;
      } catch {
        const bad = firstBadLine(slice, 'utf-8')!;
        const badLine = line + bad.line - 1;
        if (named === 'UTF-8 (BOM)' || nonAscii || slice.subarray(0, bad.start).some((byte) => byte >= 0x80))
          return { line: badLine, problem: invalidBytes(named) };
        utf8BadLine = badLine;
        gb18030 = new TextDecoder('gb18030', { fatal: true });
      }
    }
    if (gb18030) {
      try {
        text = gb18030.decode(slice);
      } catch {
        const bad = firstBadLine(slice, 'gb18030');
        return { line: bad ? line + bad.line - 1 : utf8BadLine, problem: unknownEncoding() };
      }
    }
    yield text!;
    line += lineFeeds(slice);
    from = end;
  }
  return { encoding: gb18030 ? 'GB18030' : named };
}

/** UTF-16 after its BOM; a bad line is where the first U+FFFD of the text read leniently is (as decodeAs). */
function* utf16Slices(bytes: Uint8Array, size: number, bigEndian: boolean): Generator<string, SlicesEnd> {
  const label = bigEndian ? 'utf-16be' : 'utf-16le';
  const encoding: Encoding = bigEndian ? 'UTF-16BE' : 'UTF-16LE';
  const strict = new TextDecoder(label, { fatal: true, ignoreBOM: true });
  let line = 1;
  let replacementLine: number | undefined;
  for (let from = 2; from < bytes.length; ) {
    const end = sliceEnd(bytes, from, size, 2, bigEndian);
    const slice = bytes.subarray(from, end);
    let text: string;
    try {
      text = strict.decode(slice);
    } catch {
      if (replacementLine !== undefined) return { line: replacementLine, problem: invalidBytes(encoding) };
      const lenient = new TextDecoder(label, { ignoreBOM: true }).decode(slice);
      const bad = lenient.indexOf('\uFFFD');
      const local = bad < 0 ? 0 : (lenient.slice(0, bad).match(/\n/g)?.length ?? 0);
      return { line: bad < 0 ? 1 : line + local, problem: invalidBytes(encoding) };
    }
    // A U+FFFD written in the file is where the whole file's lenient reading would first show one.
    const written = replacementLine === undefined ? text.indexOf('\uFFFD') : -1;
    if (written >= 0) replacementLine = line + (text.slice(0, written).match(/\n/g)?.length ?? 0);
    yield text;
    line += text.match(/\n/g)?.length ?? 0;
    from = end;
  }
  return { encoding };
}

/**
 * UTF-8 with or without BOM (Excel's "CSV UTF-8"), UTF-16 with a BOM (Excel's "Unicode text"), else
 * GB18030 (a superset of GBK: what Excel and WPS on Chinese Windows save as "CSV"). A file that is valid
 * UTF-8 up to a damaged line is called damaged UTF-8, not read as GB18030: UTF-8 text before it means
 * the file was written in UTF-8.
 */
export function decodeFile(content: Uint8Array | string, limit = MAX_FILE_BYTES): Decoded {
  if (typeof content === 'string') {
    // A UTF-16 code unit is 1 to 3 UTF-8 bytes: count them (a slow scan) only when that leaves it open.
    if (content.length * 3 > limit) {
      const bytes = Buffer.byteLength(content, 'utf8');
      if (bytes > limit) return { problem: tooLarge(bytes, limit) };
    }
    return { text: content.replace(/^\uFEFF/, ''), encoding: 'UTF-8' };
  }
  if (content.length > limit) return { problem: tooLarge(content.length, limit) };
  const [b0, b1, b2] = content;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) {
    // TextDecoder (ignoreBOM: false) drops the BOM.
    return decodeAs(content, 'utf-8', 'UTF-8 (BOM)');
  }
  if (b0 === 0xff && b1 === 0xfe) return decodeAs(content, 'utf-16le', 'UTF-16LE');
  if (b0 === 0xfe && b1 === 0xff) return decodeAs(content, 'utf-16be', 'UTF-16BE');
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(content), encoding: 'UTF-8' };
  } catch {}
  const bad = firstBadLine(content, 'utf-8')!;
  if (content.subarray(0, bad.start).some((byte) => byte >= 0x80)) {
    return { line: bad.line, problem: invalidBytes('UTF-8') };
  }
  try {
    return { text: new TextDecoder('gb18030', { fatal: true }).decode(content), encoding: 'GB18030' };
  } catch {
    return { line: firstBadLine(content, 'gb18030')?.line ?? bad.line, problem: unknownEncoding() };
  }
}
