/**
 * What the route handlers work with: the repositories, how a cycle's execution is started and resumed,
 * where exports and uploads go. On AWS each is built from the environment the first time a route needs
 * it (cold start); the local server and the tests configure their own.
 */
import { z } from 'zod';
import type { ExecutionPort } from '../app/cycle-service.js';
import { sfnExecutionPort } from '../app/sfn-port.js';
import { store } from '../config.js';
import type { Repositories } from '../store/index.js';
import { problem } from './http.js';
import { sfnImportStarter } from './import-starter.js';
import { lambdaJobStarter } from './job-starter.js';
import type { ExportSink, ImportStarter, JobStarter, UploadStore } from './ports.js';
import { s3ExportSink, s3UploadStore } from './s3.js';

export interface ApiDeps {
  repos: Repositories;
  executions: ExecutionPort;
  exports: ExportSink;
  /** Undefined where there is no object storage (the local server). */
  uploads: UploadStore | undefined;
  /** Starts the import workflow on an upload (issue 12); undefined where imports are not started so. */
  imports?: ImportStarter | undefined;
  /** Starts the runner of the API's long work (shared/api/jobs.ts); undefined where no runner is configured. */
  jobs?: JobStarter | undefined;
}

const Machines = z.object({
  STATE_MACHINE_MONTHLY: z.string().min(1),
  STATE_MACHINE_QUARTERLY: z.string().min(1),
  STATE_MACHINE_ANNUAL: z.string().min(1),
});
const Bucket = z.object({ EXPORT_BUCKET: z.string().min(1) });
const Jobs = z.object({ API_JOB_FUNCTION: z.string().min(1) });
const Imports = z.object({ IMPORT_BUCKET: z.string().min(1), STATE_MACHINE_IMPORT: z.string().min(1) });

function missingConfig(what: string, error: unknown): never {
  throw Object.assign(problem(500, `服务配置不完整 / the API is not configured: ${what}`), { cause: error });
}

/** AWS: each dependency from the environment on first use, so a function is given only what it uses. */
function awsDeps(): ApiDeps {
  let executions: ExecutionPort | undefined;
  let exports: ExportSink | undefined;
  let uploads: UploadStore | undefined;
  let imports: ImportStarter | undefined;
  let jobs: JobStarter | undefined;
  const importConfig = () => {
    const parsed = Imports.safeParse(process.env);
    return parsed.success ? parsed.data : missingConfig('IMPORT_BUCKET, STATE_MACHINE_IMPORT', parsed.error);
  };
  const bucket = () => {
    const parsed = Bucket.safeParse(process.env);
    return parsed.success ? parsed.data.EXPORT_BUCKET : missingConfig('EXPORT_BUCKET', parsed.error);
  };
  return {
    get repos() {
      return store();
    },
    get executions() {
      if (!executions) {
        const parsed = Machines.safeParse(process.env);
        if (!parsed.success) missingConfig('STATE_MACHINE_*', parsed.error);
        const arns = parsed.data;
        executions = sfnExecutionPort({
          monthly: arns.STATE_MACHINE_MONTHLY,
          quarterly: arns.STATE_MACHINE_QUARTERLY,
          annual: arns.STATE_MACHINE_ANNUAL,
        });
      }
      return executions;
    },
    get exports() {
      exports ??= s3ExportSink(bucket());
      return exports;
    },
    get uploads() {
      // Uploads go to the import bucket, where the import workflow reads them.
      uploads ??= s3UploadStore(importConfig().IMPORT_BUCKET);
      return uploads;
    },
    get imports() {
      imports ??= sfnImportStarter(importConfig().STATE_MACHINE_IMPORT);
      return imports;
    },
    get jobs() {
      if (!jobs) {
        const parsed = Jobs.safeParse(process.env);
        if (!parsed.success) missingConfig('API_JOB_FUNCTION', parsed.error);
        jobs = lambdaJobStarter(parsed.data.API_JOB_FUNCTION);
      }
      return jobs;
    },
  };
}

let configured: ApiDeps | undefined;
let fromEnvironment: ApiDeps | undefined;

/** The local server and tests: use these instead of the AWS defaults. */
export function configureApi(deps: ApiDeps): void {
  configured = deps;
}

export function resetApi(): void {
  configured = undefined;
  fromEnvironment = undefined;
}

export function apiDeps(): ApiDeps {
  if (configured) return configured;
  fromEnvironment ??= awsDeps();
  return fromEnvironment;
}
