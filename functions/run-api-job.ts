/**
 * The runner of the API's long work (issue 12): invoked asynchronously by the API's routes (InvocationType
 * Event, shared/api/job-starter.ts) with a job's keys, it does what the route could not in 30 s — a whole
 * pay sheet, a bank file, audit verify, a simulation, a correction's recompute, its approval, an appeal's
 * acceptance — with 15 minutes and the memory of the import's parse, writes files to the exports bucket
 * for a presigned link and records the outcome on the job (shared/api/jobs.ts). A correction's files are
 * read from the import bucket's upload (IMPORT_BUCKET), its period recomputed in this function with the
 * cycle's own steps (recompute-period.ts), as the API's functions did before. Locally `medcomm serve`
 * runs the same runApiJob in its background.
 */
import { z } from 'zod';
import { runApiJob } from '../shared/api/jobs.js';
import type { UploadReader } from '../shared/api/ports.js';
import { s3ExportSink } from '../shared/api/s3.js';
import { store } from '../shared/config.js';
import { recomputePeriod } from './recompute-period.js';

const Event = z.object({ communityId: z.string().min(1), id: z.string().uuid() });
const Bucket = z.object({ EXPORT_BUCKET: z.string().min(1) });

/** The import bucket's uploads (a deployment without the import workflow has none). */
let uploads: UploadReader | undefined;
const uploadReader = (): UploadReader | undefined => {
  const bucket = process.env.IMPORT_BUCKET;
  if (!bucket) return undefined;
  uploads ??= {
    async read(prefix) {
      const { s3ImportStaging } = await import('../shared/aws/import-staging.js');
      return s3ImportStaging(bucket).read(prefix);
    },
  };
  return uploads;
};

export async function handler(event: unknown): Promise<{ communityId: string; id: string }> {
  const ref = Event.parse(event);
  const reader = uploadReader();
  await runApiJob(
    {
      repos: store(),
      exports: s3ExportSink(Bucket.parse(process.env).EXPORT_BUCKET),
      recompute: recomputePeriod,
      ...(reader ? { uploads: reader } : {}),
    },
    ref,
  );
  return ref;
}
