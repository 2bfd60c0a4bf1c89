/**
 * Several bank files as one download (issue 16): the zip holds each file byte for byte (GBK stays GBK,
 * an .xls stays its OLE bytes), names them in UTF-8 with the zip's language-encoding flag set (so Windows
 * Explorer shows 汇总, not mojibake), and the same files make the same zip.
 */
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { encodeGbk } from '../../../shared/export/bank-gbk.js';
import { bankFileMediaType, zipBankFiles } from '../../../shared/export/bank-zip.js';

const files = [
  {
    name: 'bank-2026-03-C01.txt',
    content: encodeGbk('6217000012345678903|张三|3534.13|2026-03月度绩效工资\r\n'),
  },
  { name: 'bank-2026-03-汇总.csv', content: encodeGbk('文件,笔数,金额合计\r\n总计,1,3534.13\r\n') },
  {
    name: 'bank-2026-03.xls',
    content: new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 255]),
  },
];

/** The general-purpose flags of each local file header, by name (PKZIP APPNOTE 4.3.7). */
function localHeaderFlags(zip: Uint8Array): Map<string, number> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const flags = new Map<string, number>();
  for (let at = 0; at + 30 <= zip.length && view.getUint32(at, true) === 0x04034b50; ) {
    const flag = view.getUint16(at + 6, true);
    const compressed = view.getUint32(at + 18, true);
    const nameLength = view.getUint16(at + 26, true);
    const extraLength = view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(zip.subarray(at + 30, at + 30 + nameLength));
    flags.set(name, flag);
    at += 30 + nameLength + extraLength + compressed;
  }
  return flags;
}

describe('zipBankFiles', () => {
  it('keeps every file byte for byte under its UTF-8 name, flagged as UTF-8', async () => {
    const zip = await zipBankFiles(files);
    const read = await JSZip.loadAsync(zip);
    expect(Object.keys(read.files).sort()).toEqual(files.map((f) => f.name).sort());
    for (const file of files) expect(await read.file(file.name)!.async('uint8array')).toEqual(file.content);
    const flags = localHeaderFlags(zip);
    expect(flags.get('bank-2026-03-汇总.csv')! & 0x0800).toBe(0x0800);
    expect(flags.size).toBe(files.length);
  });

  it('makes the same zip from the same files', async () => {
    expect(await zipBankFiles(files)).toEqual(await zipBankFiles(files));
  });

  it('names each file’s media type with its text encoding', () => {
    expect(bankFileMediaType('a.csv', 'GBK')).toBe('text/csv; charset=GBK');
    expect(bankFileMediaType('a.txt', 'UTF-8')).toBe('text/plain; charset=utf-8');
    expect(bankFileMediaType('a.xls', 'GBK')).toBe('application/vnd.ms-excel');
  });
});
