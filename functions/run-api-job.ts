/**
 * The runner of the API's long work (issue 12): invoked asynchronously by the API's routes (InvocationType
 * Event, shared/api/job-starter.ts) with a job's keys, it does what the route could not in 30 s — a whole
 * pay sheet, a bank file, audit verify — with 15 minutes and the memory of the import's parse, writes the
 * file to the exports bucket for a presigned link and records the outcome on the job
 * (shared/api/jobs.ts). Locally `medcomm serve` runs the same runApiJob in its background.
 */
import { z } from 'zod';
import { runApiJob } from '../shared/api/jobs.js';
import { s3ExportSink } from '../shared/api/s3.js';
import { store } from '../shared/config.js';

const Event = z.object({ communityId: z.string().min(1), id: z.string().uuid() });
const Bucket = z.object({ EXPORT_BUCKET: z.string().min(1) });

export async function handler(event: unknown): Promise<{ communityId: string; id: string }> {
  const ref = Event.parse(event);
  await runApiJob({ repos: store(), exports: s3ExportSink(Bucket.parse(process.env).EXPORT_BUCKET) }, ref);
  return ref;
}
