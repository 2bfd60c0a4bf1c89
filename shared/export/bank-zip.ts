/**
 * Several bank files as one download (issue 16): a format that splits by institution or payer account
 * writes a file per group plus the summary, and a browser saves one response. The files go into a zip
 * byte for byte — GBK text stays GBK, an .xls stays the OLE file — with UTF-8 names (the zip's
 * language-encoding flag, which Windows Explorer, macOS and unzip honour) and a fixed date, so the same
 * files make the same zip.
 */
import JSZip from 'jszip';
import type { BankFile } from './bank-formats.js';

const FIXED_DATE = new Date(Date.UTC(2026, 0, 1));

export async function zipBankFiles(files: readonly BankFile[]): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const file of files) zip.file(file.name, file.content, { binary: true, date: FIXED_DATE });
  return zip.generateAsync({
    type: 'uint8array',
    compression: 'DEFLATE',
    compressionOptions: { level: 6 },
    platform: 'DOS',
  });
}

/** The media type of one bank file, with the text's charset where a browser or a bank would ask. */
export function bankFileMediaType(name: string, encoding: 'GBK' | 'UTF-8'): string {
  const charset = encoding === 'GBK' ? 'GBK' : 'utf-8';
  if (name.endsWith('.xlsx')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  if (name.endsWith('.xls')) return 'application/vnd.ms-excel';
  if (name.endsWith('.csv')) return `text/csv; charset=${charset}`;
  return `text/plain; charset=${charset}`;
}
