/**
 * The import workflow's staging on one machine: the "uploaded" files are a folder, and chunks wait in a
 * folder of their own (removed when the import ends). What S3 is on AWS (shared/aws/import-staging.ts).
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportStaging } from '../app/import-workflow.js';
import { SHARED_FILE_BYTES } from '../dataset/decode.js';
import { readShared } from '../dataset/read-dir.js';

export function folderImportStaging(chunkRoot: string): ImportStaging {
  const chunkDir = (jobId: string) => join(chunkRoot, jobId.replace(/[^A-Za-z0-9._-]/g, '_'));
  return {
    async read(prefix) {
      const files: Record<string, Uint8Array> = {};
      for (const name of await readdir(prefix)) {
        const path = join(prefix, name);
        const info = await stat(path);
        if (!info.isFile()) continue;
        // A large workload.csv in memory the parse worker shares, as the CLI reads a folder: copied into
        // a message for the worker, a province's 150 MB was held twice more while it was read.
        files[name] =
          name === 'workload.csv' && info.size >= SHARED_FILE_BYTES
            ? await readShared(path, info.size)
            : await readFile(path);
      }
      return files;
    },
    async putChunk(jobId, chunk, body) {
      await mkdir(chunkDir(jobId), { recursive: true, mode: 0o700 });
      await writeFile(join(chunkDir(jobId), `${chunk}.json`), body, { mode: 0o600 });
    },
    async getChunk(jobId, chunk) {
      return readFile(join(chunkDir(jobId), `${chunk}.json`), 'utf8');
    },
    async removeChunks(jobId) {
      await rm(chunkDir(jobId), { recursive: true, force: true });
    },
  };
}
