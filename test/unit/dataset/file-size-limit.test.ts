/**
 * The per-file size limit is the caller's (issue 12): 50 MB for an HTTP body or a folder, more for the
 * import workflow's uploads through S3 (a province's workload.csv is ~150 MB). The limit a refusal names
 * is the one applied.
 */
import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, parseDatasetFiles, UPLOAD_MAX_FILE_BYTES } from '../../../shared/dataset/index.js';
import { tinyFiles } from '../../reliability/helpers.js';

describe('the file size limit', () => {
  it('is 50 MB by default, and an upload through S3 may be larger', () => {
    expect(MAX_FILE_BYTES).toBe(50 * 1024 * 1024);
    expect(UPLOAD_MAX_FILE_BYTES).toBeGreaterThan(150 * 1024 * 1024);
  });

  it('follows the limit asked for, naming it in both languages', () => {
    const files = tinyFiles();
    expect(parseDatasetFiles(files).ok).toBe(true);
    const [largest, size] = Object.entries(files)
      .map(([name, text]) => [name, Buffer.byteLength(text)] as const)
      .sort((a, b) => b[1] - a[1])[0]!;
    const limit = size - 1;
    const refused = parseDatasetFiles(files, { maxFileBytes: limit });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    const tooLarge = refused.issues.filter((i) => i.rule === 'file.tooLarge');
    expect(tooLarge.map((i) => i.file)).toEqual([largest]);
    expect(tooLarge[0]?.zh).toContain(`${limit}`);
    expect(tooLarge[0]?.en).toContain(`${limit}`);
    expect(parseDatasetFiles(files, { maxFileBytes: limit + 1 }).ok).toBe(true);
  });
});
