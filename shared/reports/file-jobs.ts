/**
 * The files of a year that cost CPU to build (the XLSX workbooks: exceljs and deflate, ~70 % of writing a
 * county's year) as plain data: a job names its renderer and carries only what the renderer reads, so it
 * runs on a worker thread (file-worker.ts) or on this one, with the same bytes either way.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ExportError } from '../export/errors.js';
import {
  type BankTransferLine,
  bankTransferCsv,
  bankTransferXlsx,
  type PaySheet,
  paySheetCsv,
  paySheetXlsx,
} from '../export/index.js';
import { type AnyReport, renderReportHtml } from './render.js';

/** The workbooks, and the CSV and HTML files of a sheet or report (csv-stringify was ~0.4 s of a county's year). */
export type FileJob =
  | { type: 'paySheetXlsx'; sheet: PaySheet }
  | { type: 'bankTransferXlsx'; lines: readonly BankTransferLine[]; title: string }
  | { type: 'paySheetCsv'; sheet: PaySheet }
  | { type: 'bankTransferCsv'; lines: readonly BankTransferLine[] }
  | { type: 'reportHtml'; report: AnyReport };

export async function renderFileJob(job: FileJob): Promise<string | Buffer> {
  switch (job.type) {
    case 'paySheetXlsx':
      return paySheetXlsx(job.sheet);
    case 'bankTransferXlsx':
      return bankTransferXlsx(job.lines, job.title);
    case 'paySheetCsv':
      return paySheetCsv(job.sheet);
    case 'bankTransferCsv':
      return bankTransferCsv(job.lines);
    case 'reportHtml':
      return renderReportHtml(job.report);
  }
}

/**
 * Builds the job's file whole, then writes it at `path` (absolute): a job that throws writes nothing, and
 * a write that fails midway (a full disk) removes what it wrote.
 */
export async function writeFileJob(job: FileJob, path: string): Promise<void> {
  const content = await renderFileJob(job);
  await mkdir(dirname(path), { recursive: true });
  try {
    await writeFile(path, content);
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

/** To the worker: a job and where its file goes. */
export interface ToFileWorker {
  id: number;
  job: FileJob;
  path: string;
}

/** An error as it crosses threads: what the command prints, and an ExportError's code. */
export interface ThrownError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

/** From the worker: the job's file is written, or why not. */
export type FromFileWorker = { id: number; ok: true } | { id: number; ok: false; error: ThrownError };

export function thrown(error: unknown): ThrownError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/** The error back on this thread: an ExportError stays one (its code and message), others keep their name. */
export function rethrown(error: ThrownError): Error {
  const made =
    error.name === 'ExportError' && error.code
      ? new ExportError(error.code as ExportError['code'], error.message)
      : Object.assign(new Error(error.message), { name: error.name }, error.code ? { code: error.code } : {});
  if (error.stack) made.stack = error.stack;
  return made;
}
