/**
 * Raw file → text. Refuses files over the size limit before any parsing, and files that are not UTF-8
 * (Excel on Chinese Windows saves "CSV" as GBK by default — the most common import mistake).
 */
import { Problem } from './errors.js';

/** 50 MB: a county's year of monthly rows is a few MB; more means a wrong file or an attack on memory. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

export function tooLarge(bytes: number): Problem {
  return new Problem(
    'file.tooLarge',
    `文件过大（${bytes} 字节），上限为 ${MAX_FILE_BYTES} 字节（50 MB），未解析`,
    `the file is too large (${bytes} bytes); the limit is ${MAX_FILE_BYTES} bytes (50 MB), so it was not parsed`,
  );
}

export interface Decoded {
  text?: string;
  problem?: Problem;
  /** For an encoding problem: the first line that is not UTF-8. */
  line?: number;
}

const LINE_FEED = 0x0a;

// Line feed is never part of a multi-byte UTF-8 or GBK character, so splitting on it finds the bad line.
function firstLineNotUtf8(bytes: Uint8Array): number | undefined {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(LINE_FEED, start);
    if (end < 0) end = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return undefined;
}

export function decodeFile(content: Uint8Array | string): Decoded {
  if (typeof content === 'string') {
    // A UTF-16 code unit is 1 to 3 UTF-8 bytes: count them (a slow scan) only when that leaves it open.
    if (content.length * 3 > MAX_FILE_BYTES) {
      const bytes = Buffer.byteLength(content, 'utf8');
      if (bytes > MAX_FILE_BYTES) return { problem: tooLarge(bytes) };
    }
    return { text: content.replace(/^\uFEFF/, '') };
  }
  if (content.length > MAX_FILE_BYTES) return { problem: tooLarge(content.length) };
  try {
    // The default (ignoreBOM: false) drops a leading UTF-8 BOM, which Excel's "CSV UTF-8" writes.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(content) };
  } catch {
    return {
      line: firstLineNotUtf8(content),
      problem: new Problem(
        'file.encoding',
        '文件不是 UTF-8 编码（可能是 GBK/ANSI）：请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”，或在 WPS/记事本中另存为 UTF-8',
        'the file is not UTF-8 encoded (probably GBK/ANSI): in Excel use "Save As → CSV UTF-8 (Comma delimited)", or save as UTF-8 in WPS or Notepad',
      ),
    };
  }
}
