/** Reads a dataset folder into name → text, so a test can patch one file and write a variant. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function readDatasetFiles(dir: string): Promise<Record<string, string>> {
  const names = await readdir(dir);
  const entries = await Promise.all(
    names.map(async (n) => [n, await readFile(join(dir, n), 'utf8')] as const),
  );
  return Object.fromEntries(entries);
}
