/** A dataset folder on disk → the import. The only part of shared/dataset that touches the file system. */
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_FILE_BYTES } from './decode.js';
import { type ImportIssue, issueAt, Problem } from './errors.js';
import { DATASET_FILES } from './formats/index.js';
import { type FileSource, type ParseResult, parseDataset } from './parse.js';
import type { CompleteSources } from './year-of.js';

/** `complete` sees the files (workbooks read) before they are parsed, e.g. to add scheme.json. */
export async function readDatasetDir(dir: string, complete?: CompleteSources): Promise<ParseResult> {
  const read = await readDatasetSources(dir, complete);
  if ('issues' in read && !('sources' in read)) return { ok: false, issues: read.issues };
  const result = parseDataset(read.sources);
  if (read.issues.length === 0) return result;
  return { ok: false, issues: [...read.issues, ...(result.ok ? [] : result.issues)] };
}

/**
 * A dataset folder's files, workbooks read into sheets and `complete` applied, and the issues of reading
 * the workbooks; or only issues when the folder is not there. A file too large is not read (its size
 * stands for it).
 */
export async function readDatasetSources(
  dir: string,
  complete?: CompleteSources,
): Promise<{ sources: ReadonlyMap<string, FileSource>; issues: ImportIssue[] } | { issues: ImportIssue[] }> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    const problem = new Problem('dir.missing', '数据集文件夹不存在', 'the dataset folder does not exist');
    return { issues: [issueAt({ file: dir }, problem)] };
  }
  const sources = new Map<string, FileSource>();
  for (const entry of entries) {
    // Only the folder's own files: subfolders (an `expected/` next to the data, backups) are not part of it.
    const path = join(dir, entry.name);
    const info = await stat(path).catch(() => undefined); // a dangling link is not a file of the dataset
    if (!info?.isFile()) continue;
    const workbook = /\.xlsx$/i.test(entry.name) && !entry.name.startsWith('~$');
    if (!DATASET_FILES.includes(entry.name) && !workbook) {
      // Other names are judged by name alone (see parseDataset), so their content is never read.
      sources.set(entry.name, '');
    } else if (info.size > MAX_FILE_BYTES) {
      sources.set(entry.name, { tooLargeBytes: info.size }); // refused before reading it into memory
    } else {
      sources.set(entry.name, await readFile(path));
    }
  }
  return expandSources(sources, complete);
}

/** Workbooks among `sources` read into sheets (exceljs only then), and `complete` applied. */
export async function expandSources(
  sources: ReadonlyMap<string, FileSource>,
  complete?: CompleteSources,
): Promise<{ sources: ReadonlyMap<string, FileSource>; issues: ImportIssue[] }> {
  if (![...sources.keys()].some((name) => /\.xlsx$/i.test(name)))
    return { sources: complete ? await complete(sources) : sources, issues: [] };
  const { expandWorkbooks } = await import('./xlsx.js'); // exceljs only when a workbook is given
  const expanded = await expandWorkbooks(sources);
  return {
    sources: complete ? await complete(expanded.sources) : expanded.sources,
    issues: expanded.issues,
  };
}
