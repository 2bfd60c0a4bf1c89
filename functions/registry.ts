/**
 * Every Lambda function of the workflows, named once. CDK creates one function per entry (construct id =
 * the key); the local engine resolves each Task to the same module in-process.
 */
import { withOperations } from '../shared/ops/step.js';

export const FUNCTIONS = {
  PrepareCycle: {
    entry: 'prepare-cycle.ts',
    memoryMb: 512,
    timeoutSeconds: 60,
    description: 'Checks prerequisites and lists the institutions of a cycle',
  },
  ComputeMonthlyPay: {
    entry: 'compute-monthly-pay.ts',
    memoryMb: 1024,
    timeoutSeconds: 300,
    description: 'Monthly pay and dispatch checks of a batch of institutions',
  },
  BuildMonthlyReport: {
    entry: 'build-monthly-report.ts',
    memoryMb: 1024,
    timeoutSeconds: 300,
    description: 'Monthly dispatch report',
  },
  ScoreQuarter: {
    entry: 'score-quarter.ts',
    memoryMb: 512,
    timeoutSeconds: 120,
    description: 'Quarter scores and surplus pool of a batch of institutions',
  },
  BuildBulletin: {
    entry: 'build-bulletin.ts',
    memoryMb: 512,
    timeoutSeconds: 120,
    description: 'Quarterly bulletin: ranks and changes',
  },
  RequestReview: {
    entry: 'request-review.ts',
    memoryMb: 256,
    timeoutSeconds: 30,
    description: 'Parks a cycle for finance review (task token)',
  },
  AllocatePool: {
    entry: 'allocate-pool.ts',
    memoryMb: 1024,
    timeoutSeconds: 300,
    description: 'Splits an approved pool over each institution of a batch by points',
  },
  ScoreAnnual: {
    entry: 'score-annual.ts',
    memoryMb: 1024,
    timeoutSeconds: 300,
    description: 'Annual scores, grade and reserve of a batch of institutions',
  },
  SettleAnnual: {
    entry: 'settle-annual.ts',
    memoryMb: 1024,
    timeoutSeconds: 300,
    description: 'Annual settlements of the community',
  },
  CompleteCycle: {
    entry: 'complete-cycle.ts',
    memoryMb: 512,
    timeoutSeconds: 120,
    description: 'Completes a cycle and locks what it closed',
  },
  OpenSecondary: {
    entry: 'open-secondary.ts',
    memoryMb: 1024,
    timeoutSeconds: 300,
    description: 'Opens the secondary-distribution window and drafts one institution (manual mode)',
  },
  RequestSecondary: {
    entry: 'request-secondary.ts',
    memoryMb: 256,
    timeoutSeconds: 30,
    description: "Parks one institution for its department heads' split (task token)",
  },
  CloseSecondary: {
    entry: 'close-secondary.ts',
    memoryMb: 256,
    timeoutSeconds: 30,
    description: 'Closes the secondary-distribution window after the wait',
  },
  RecordRejection: {
    entry: 'record-rejection.ts',
    memoryMb: 256,
    timeoutSeconds: 30,
    description: 'Ends a rejected cycle',
  },
  RecordFailure: {
    entry: 'record-failure.ts',
    memoryMb: 256,
    timeoutSeconds: 30,
    description: 'Marks a failed cycle',
  },
  // The import workflow (workflows/import.ts): parsing a province (350,000 staff) needs memory and time.
  PrepareImport: {
    entry: 'prepare-import.ts',
    memoryMb: 3008,
    timeoutSeconds: 900,
    description: 'Validates an uploaded dataset, claims a version and stages its items in chunks',
    // Its bundle carries the workload parse worker (infra/constructs/handler-function.ts): 3,008 MB has 2 vCPUs.
    parseWorker: true,
  },
  WriteImportChunk: {
    entry: 'write-import-chunk.ts',
    memoryMb: 1024,
    timeoutSeconds: 300,
    description: "Writes one chunk of an import's items",
  },
  FinishImport: {
    entry: 'finish-import.ts',
    memoryMb: 1024,
    timeoutSeconds: 300,
    description: 'Makes an imported version current (pointer, audit entry, lease) and sweeps failed imports',
  },
  RecordImportFailure: {
    entry: 'record-import-failure.ts',
    memoryMb: 256,
    timeoutSeconds: 60,
    description: 'Marks a failed import and releases its lease',
  },
} as const;

/** Functions outside the state machines: the scheduled starter and the API's job runner. */
export const EDGE_FUNCTIONS = {
  StartScheduledCycle: {
    entry: 'start-scheduled-cycle.ts',
    memoryMb: 512,
    timeoutSeconds: 60,
    description: 'Starts the cycle that a schedule is due for',
  },
  // The API's long work (issue 12): invoked asynchronously by the API (shared/api/jobs.ts); a province's
  // whole sheet, bank file or audit verify, with the time and memory of the import's parse.
  RunApiJob: {
    entry: 'run-api-job.ts',
    memoryMb: 3008,
    timeoutSeconds: 900,
    description:
      "Runs the API's long work: whole pay sheets, bank files, audit verify, simulations, corrections",
  },
} as const;

export type FunctionId = keyof typeof FUNCTIONS;
export type EdgeFunctionId = keyof typeof EDGE_FUNCTIONS;
export const FUNCTION_IDS = Object.keys(FUNCTIONS) as FunctionId[];
export const ALL_FUNCTIONS = { ...FUNCTIONS, ...EDGE_FUNCTIONS };

type Handler = (event: unknown) => Promise<unknown>;

/**
 * Loads a function's handler module in-process (the local engine's way of "invoking" a Lambda), wrapped
 * with the operations as its Lambda entry wraps it on AWS (functions/lambda-entry.ts; off by default
 * locally: shared/ops/settings.ts).
 */
export async function loadHandler(id: FunctionId | EdgeFunctionId): Promise<Handler> {
  const module = (await import(`./${ALL_FUNCTIONS[id].entry.replace(/\.ts$/, '.js')}`)) as {
    handler: Handler;
  };
  return withOperations(id, module.handler);
}
