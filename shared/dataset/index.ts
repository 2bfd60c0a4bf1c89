/**
 * Dataset import, format v1 (DOMAIN.md §2): raw files → a validated `Dataset`, or every issue found, each
 * naming file, row, column, value and rule in Chinese and English. Pure except `readDatasetDir`; storing
 * the dataset is the store's job.
 */
import type { Dataset } from '../schemas/dataset.js';
import { DatasetInvalidError } from './errors.js';
import { type ParseOptions, type ParseResult, parseDataset } from './parse.js';
import type { CompleteSources } from './year-of.js';

export { MAX_FILE_BYTES, UPLOAD_MAX_FILE_BYTES } from './decode.js';
export {
  DatasetInvalidError,
  formatIssue,
  formatIssueGroups,
  formatIssues,
  groupIssues,
  ImportIssue,
  IssueGroup,
} from './errors.js';
export { DATASET_FILES } from './formats/index.js';
export type { ImportSummary, MonthlyRowNumbers, ParseOptions, ParseResult } from './parse.js';
export { readDatasetDir } from './read-dir.js';
export { RULE_CODES, type RuleCode } from './rules.js';
export { type CompleteSources, yearOfSources } from './year-of.js';

/** File name (e.g. `staff.csv`) → raw bytes or text; used by the HTTP API as well as the folder reader. */
export function parseDatasetFiles(
  files: Record<string, Uint8Array | string>,
  options: ParseOptions = {},
): ParseResult {
  return parseDataset(new Map(Object.entries(files)), options);
}

/**
 * As parseDatasetFiles, and `.xlsx` workbooks among the files are read too (a sheet per file, or a
 * workbook named like a file); reading a workbook is asynchronous.
 */
export async function parseDatasetFilesAsync(
  files: Record<string, Uint8Array | string>,
  complete?: CompleteSources,
  options: ParseOptions = {},
): Promise<ParseResult> {
  const names = Object.keys(files);
  if (!names.some((name) => /\.xlsx$/i.test(name))) {
    if (!complete) return parseDatasetFiles(files, options);
    return parseDataset(await complete(new Map(Object.entries(files))), options);
  }
  const { expandWorkbooks } = await import('./xlsx.js'); // exceljs only when a workbook is given
  const expanded = await expandWorkbooks(new Map(Object.entries(files)));
  const result = parseDataset(complete ? await complete(expanded.sources) : expanded.sources, options);
  if (expanded.issues.length === 0) return result;
  return { ok: false, issues: [...expanded.issues, ...(result.ok ? [] : result.issues)] };
}

/** For callers that want an exception: the dataset, or a DatasetInvalidError carrying every issue. */
export function datasetOrThrow(result: ParseResult): Dataset {
  if (result.ok) return result.dataset;
  throw new DatasetInvalidError(result.issues);
}
