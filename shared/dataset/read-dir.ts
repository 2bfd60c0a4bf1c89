/** A dataset folder on disk → the import. The only part of shared/dataset that touches the file system. */
import type { Dirent } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_FILE_BYTES, SHARED_FILE_BYTES } from './decode.js';
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
      sources.set(
        entry.name,
        entry.name === 'workload.csv' && info.size >= SHARED_FILE_BYTES
          ? await readShared(path, info.size)
          : await readFile(path),
      );
    }
  }
  return expandSources(sources, complete);
}

/**
 * A large file's bytes in memory a worker thread can share (the import reads workload.csv on one: the
 * bytes are not copied to it). A file that grew since its size was taken is read whole as usual.
 */
export async function readShared(path: string, size: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(new SharedArrayBuffer(size));
  const file = await open(path, 'r');
  try {
    let at = 0;
    while (at < size) {
      const { bytesRead } = await file.read(bytes, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    const more = await file.read(Buffer.alloc(1), 0, 1, at);
    if (at < size || more.bytesRead > 0) return await readFile(path); // changed while read
    return bytes;
  } finally {
    await file.close();
  }
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
