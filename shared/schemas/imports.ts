/** The import workflow's state payloads (keys and numbers only; the files stay in S3). */
import { z } from 'zod';

export const ImportJobRef = z.object({
  id: z.string().min(1).max(128),
  prefix: z.string().min(1),
  by: z.string().min(1),
  communityId: z.string().min(1).optional(),
  year: z.number().int().optional(),
});

const Lease = z.object({
  communityId: z.string(),
  year: z.number().int(),
  holder: z.string(),
  by: z.string(),
  pid: z.number(),
  machine: z.string(),
  startedAt: z.string(),
  heartbeatAt: z.string(),
});

export const PreparedImport = z.object({
  refused: z.boolean(),
  communityId: z.string().optional(),
  year: z.number().int().optional(),
  version: z.number().int().optional(),
  expectedVersion: z.number().int().nullable().optional(),
  importedAt: z.string().optional(),
  total: z.number().int().optional(),
  chunks: z.array(z.number().int()).optional(),
  /** The staged chunk (not one of `chunks`) naming blob pages to remove once the chunks are written. */
  orphans: z.number().int().optional(),
  lease: Lease.optional(),
  files: z.string().optional(),
});

export const ImportExecutionInput = z.object({ job: ImportJobRef });
export const ImportChunkInput = z.object({
  job: ImportJobRef,
  prepared: PreparedImport,
  chunk: z.number().int(),
});
export const ImportFinishInput = z.object({ job: ImportJobRef, prepared: PreparedImport });
export const ImportFailureInput = z.object({
  job: ImportJobRef,
  prepared: PreparedImport.optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});
