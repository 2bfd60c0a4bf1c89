/** Builds broken variants of the tiny golden dataset, one change at a time, for the import tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { type ImportIssue, type ParseResult, parseDatasetFiles } from '../../../shared/dataset/index.js';

export const TINY_DIR = fileURLToPath(new URL('../../fixtures/tiny/dataset', import.meta.url));

/** The tiny dataset as file name → text, with LF line ends so tests can edit lines (CRLF is tested on its own). */
export function tinyFiles(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(TINY_DIR).map((name) => [
      name,
      readFileSync(`${TINY_DIR}/${name}`, 'utf8').replaceAll('\r\n', '\n'),
    ]),
  );
}

/** Replaces one cell: `row` counts like the issues do (header = 1). Only for files without quoted commas. */
export function setCell(text: string, row: number, column: string, value: string): string {
  const lines = text.split('\n');
  const header = lines[0]!.split(',');
  const index = header.indexOf(column);
  if (index < 0) throw new Error(`no column ${column}`);
  const cells = lines[row - 1]!.split(',');
  cells[index] = value;
  lines[row - 1] = cells.join(',');
  return lines.join('\n');
}

export function appendRow(text: string, row: string): string {
  return `${text.trimEnd()}\n${row}\n`;
}

/** The tiny dataset with some files changed (or removed with `undefined`), parsed. */
export function parseWith(changes: Record<string, string | Uint8Array | undefined>): ParseResult {
  const files: Record<string, string | Uint8Array> = tinyFiles();
  for (const [name, content] of Object.entries(changes)) {
    if (content === undefined) delete files[name];
    else files[name] = content;
  }
  return parseDatasetFiles(files);
}

/** The issues of a result that must have failed. */
export function issuesOf(result: ParseResult): ImportIssue[] {
  if (result.ok) throw new Error('expected the import to be rejected, but it passed');
  return result.issues;
}

/** Asserts the import failed with exactly these issues' locations and rules (messages checked elsewhere). */
export function expectIssues(result: ParseResult, expected: Partial<ImportIssue>[]): ImportIssue[] {
  const issues = issuesOf(result);
  expect(issues.map(({ file, row, column, rule }) => ({ file, row, column, rule }))).toEqual(
    expected.map(({ file, row, column, rule }) => ({ file, row, column, rule })),
  );
  return issues;
}
