/**
 * What a step would take on AWS, predicted from what it did here (issue 12 "Throughput model"; issue 17
 * bench). DynamoDB Local and the local engine model none of AWS's limits, so the bench counts, per step,
 * the capacity units each partition key consumed (by DynamoDB's own rules, from the items' sizes) and
 * adds what Step Functions and Lambda cost on the step's critical path. Every constant is below, with
 * where it comes from; the figure is a model to read beside the local wall time, not a measurement.
 *
 * predicted = max(storage, compute) + orchestration, where
 * - storage: the busiest partition key's units at its rate — DynamoDB serves one key at most 1,000 WCU/s
 *   and 3,000 RCU/s (strongly consistent) whatever the table's on-demand capacity (adaptive capacity
 *   does not lift one key above that) — and the whole table's at the account's default on-demand table
 *   quota (40,000 WCU/s and RCU/s); plus each request's round trip, spread over the Lambdas in flight;
 * - compute: each function's share of the step's Node CPU time (by its share of handler time here), on
 *   the vCPU its memory buys (Lambda: 1,769 MB = 1 vCPU), divided over the Map's concurrency for the
 *   per-institution functions; a step without workflow handlers (an import) on PrepareImport, the function
 *   that parses an import on AWS, by `importComputeMs` (its main thread and its parse worker side by side);
 *   an import's steps follow each other on AWS, so it takes compute + storage + orchestration (`importPath`);
 * - orchestration: per state on the critical path a transition, per Lambda task an invoke round trip,
 *   per Map the waves of its iterations, and a cold start per function per cycle.
 * Storage and compute overlap (different keys, different Lambdas), orchestration does not — except in an
 * import, whose workflow parses everything before it writes anything: compute + storage + orchestration.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { FUNCTIONS, type FunctionId } from '../../functions/registry.js';
import { CHUNK_BYTES } from '../../shared/app/import-workflow.js';
import { MAP_CONCURRENCY } from '../../shared/app/institution-batches.js';
import { isAttributeValue } from '../../shared/store/aws-limits.js';
import { itemSize } from '../../shared/store/batch.js';
import { IMPORT_CHUNK_CONCURRENCY } from '../../workflows/import.js';
import type { StepRecord } from './measure.js';

export const AWS_MODEL = {
  /** DynamoDB, per partition key (developer guide, "Partitions and data distribution"). */
  partitionWcuPerSecond: 1_000,
  partitionRcuPerSecond: 3_000,
  /** DynamoDB on-demand, per table, the account's default quota (Service Quotas: table-level read/write throughput). */
  tableUnitsPerSecond: 40_000,
  /** One DynamoDB request's round trip from Lambda in the same region (single-digit ms; an estimate). */
  requestMs: 6,
  /** Requests in flight at once across a Map's Lambdas (8 concurrent, each with the store's 4 in flight). */
  requestsInFlight: MAP_CONCURRENCY * 4,
  /** Lambda: 1,769 MB of memory is one vCPU, CPU scales with memory (Lambda developer guide, "Memory and computing power"). */
  mbPerVcpu: 1_769,
  /** Step Functions Standard: one state transition on the critical path (an estimate from published latencies). */
  transitionMs: 25,
  /** Step Functions → Lambda → Step Functions round trip of a warm task, beside the handler's own time (estimate). */
  invokeMs: 40,
  /** A cold start of a Node.js 22 function with the SDK bundled (INIT, as the cost model assumes). */
  coldStartMs: 400,
  /**
   * The function that parses an import on AWS (the step's whole Node CPU is priced on it): its memory buys
   * its vCPUs, and with its bundled parse worker (functions/registry.ts `parseWorker`) two threads can run.
   */
  importFunction: FUNCTIONS.PrepareImport,
} as const;

/**
 * The Node CPU of an import on AWS. Rule: a thread runs on at most one vCPU, and a function's threads
 * together on at most the vCPUs its memory buys (Lambda developer guide, "Memory and computing power":
 * CPU in proportion to memory, 1,769 MB = 1 vCPU, so PrepareImport's 3,008 MB ≈ 1.7 vCPU). With the main
 * thread's CPU M and the CPU off it W (the parse worker, V8's GC helpers, libuv's pool — measured here as
 * the process's CPU minus the main thread's), on a function of v vCPUs that runs `threads` threads at once
 * (2 with the parse worker bundled, else 1), the critical path is
 *
 *     max(M, W, (M + W) / min(threads, v))
 *
 * — the busier thread alone, or both sharing the vCPUs. Where the main thread's CPU was not measured (not
 * Linux) all of it counts as M: one thread, at most one vCPU, as the model priced every import before.
 */
export function importComputeMs(
  cpu: { node: number; nodeMainThread?: number | null },
  fn: { memoryMb: number; parseWorker?: boolean } = AWS_MODEL.importFunction,
  mbPerVcpu: number = AWS_MODEL.mbPerVcpu,
): number {
  const main = Math.min(cpu.node, cpu.nodeMainThread ?? cpu.node);
  const offMain = cpu.node - main;
  const threads = fn.parseWorker ? 2 : 1;
  const vcpu = fn.memoryMb / mbPerVcpu;
  return Math.max(main, offMain, (main + offMain) / Math.min(threads, vcpu));
}

/** The functions a Map runs once per batch of institutions (the rest run once per cycle). */
const MAP_FUNCTIONS = new Set<FunctionId>([
  'ComputeMonthlyPay',
  'ScoreQuarter',
  'ScoreAnnual',
  'AllocatePool',
]);

export interface PartitionUse {
  wcu: number;
  rcu: number;
  requests: number;
}

type Doc = Record<string, unknown>;
/** An item in plain form: around the document client it may be seen marshalled or not, depending on the step. */
export const plain = (item: unknown): Doc => {
  const record = (item ?? {}) as Doc;
  const values = Object.values(record);
  return values.length > 0 && values.every(isAttributeValue)
    ? (unmarshall(record as Record<string, AttributeValue>) as Doc)
    : record;
};
const pkOf = (item: unknown) => String(plain(item).pk ?? '?');
const writeUnits = (item: Doc) => Math.max(1, Math.ceil(itemSize(plain(item)) / 1024));
const readUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096));

/**
 * Characters of a step's requests a bench instrument keeps at most (the tally here, the item capture in
 * floor.ts, each per kind): a city's largest step (its import) is ~67 MB; a province's is let go past it.
 */
export const KEPT_CHARS = 160_000_000;

/**
 * The characters of every string in a request or an answer, a few levels deep (an item's attributes sit at
 * most five below a BatchWriteItem's input, marshalled); a string's length, not its UTF-8, so it costs little.
 */
function textLength(value: unknown, depth = 0): number {
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object' || depth > 6) return 0;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  let total = 0;
  if (Array.isArray(value)) for (const element of value) total += textLength(element, depth + 1);
  else for (const key in value) total += textLength((value as Doc)[key], depth + 1);
  return total;
}

/** A request the tally saw: its command's name, its input and its answer, counted at `take()`. */
export interface SeenRequest {
  command: string;
  input: Doc;
  output: Doc;
}

/**
 * Counts, per partition key, the capacity units DynamoDB would charge for what passes through the
 * document client (writes: 1 WCU per KB, twice in a transaction; strongly consistent reads: 1 RCU per
 * 4 KB, a Query's per page). `take()` returns the tally since the last take and starts a new one.
 *
 * The middleware only keeps each request and its answer; they are counted at `take()`, after the step:
 * counting measures every item's UTF-8 (a city import's 67 MB), ~20 ms of the main thread that the step's
 * wall then included (issue 17). The store neither changes a request nor an answer once sent (a county's
 * quick bench tallied the same units per key either way). Past KEPT_CHARS of text kept (a province's
 * import), a request is counted as it returns, so the tally never holds a step's items alive.
 */
export class PartitionTally {
  private uses = new Map<string, PartitionUse>();
  private seen: SeenRequest[] = [];
  private seenChars = 0;
  /** Requests the tally could not read (reported once on stderr). */
  errors = 0;

  constructor(private readonly pendingChars = KEPT_CHARS) {}

  attach(doc: DynamoDBDocumentClient): this {
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        this.record({
          command: String(context.commandName),
          input: args.input as Doc,
          output: (output as { output?: Doc }).output ?? {},
        });
        return output;
      },
      { step: 'initialize', name: 'benchPartitionTally', override: true },
    );
    return this;
  }

  /**
   * Keeps a request to count at the next `take()`, measuring only how much text it holds (string lengths,
   * no UTF-8); past `pendingChars` kept, counts it now instead.
   */
  record(request: SeenRequest): void {
    if (this.seenChars <= this.pendingChars) {
      this.seenChars += textLength(request.input) + textLength(request.output);
      this.seen.push(request);
    } else this.countSafely(request);
  }

  take(): Map<string, PartitionUse> {
    for (const request of this.seen) this.countSafely(request);
    this.seen = [];
    this.seenChars = 0;
    const out = this.uses;
    this.uses = new Map();
    return out;
  }

  private countSafely({ command, input, output }: SeenRequest): void {
    try {
      this.count(command, input, output);
    } catch (error) {
      // A shape this tally does not know: the bench's figure, never the step, pays for it.
      this.errors++;
      if (this.errors === 1) process.stderr.write(`  partition tally: ${String(error)}\n`);
    }
  }

  private use(pk: string): PartitionUse {
    let u = this.uses.get(pk);
    if (!u) {
      u = { wcu: 0, rcu: 0, requests: 0 };
      this.uses.set(pk, u);
    }
    return u;
  }

  /** Commands by their document-client name or, as the middleware sees most of them, the low-level one. */
  private count(command: string, input: Doc, output: Doc): void {
    switch (command) {
      case 'PutCommand':
      case 'PutItemCommand': {
        const u = this.use(pkOf(input.Item));
        u.wcu += writeUnits(input.Item as Doc);
        u.requests++;
        return;
      }
      case 'UpdateCommand':
      case 'UpdateItemCommand':
      case 'DeleteCommand':
      case 'DeleteItemCommand': {
        const u = this.use(pkOf(input.Key));
        u.wcu += output.Attributes ? writeUnits(output.Attributes as Doc) : 1;
        u.requests++;
        return;
      }
      case 'GetCommand':
      case 'GetItemCommand': {
        const u = this.use(pkOf(input.Key));
        u.rcu += output.Item ? readUnits(itemSize(plain(output.Item))) : 1;
        u.requests++;
        return;
      }
      case 'QueryCommand': {
        const values = (input.ExpressionAttributeValues ?? {}) as Doc;
        const pk = values[':pk'];
        const u = this.use(String(isAttributeValue(pk) ? (pk as { S?: string }).S : (pk ?? '?')));
        const bytes = ((output.Items ?? []) as Doc[]).reduce((n, i) => n + itemSize(plain(i)), 0);
        u.rcu += readUnits(bytes);
        u.requests++;
        return;
      }
      case 'BatchGetCommand':
      case 'BatchGetItemCommand': {
        const seen = new Set<string>();
        for (const items of Object.values((output.Responses ?? {}) as Record<string, Doc[]>))
          for (const item of items) {
            const u = this.use(pkOf(item));
            u.rcu += readUnits(itemSize(plain(item)));
            if (!seen.has(pkOf(item))) u.requests++;
            seen.add(pkOf(item));
          }
        return;
      }
      case 'BatchWriteCommand':
      case 'BatchWriteItemCommand': {
        const left = new Set(
          Object.values((output.UnprocessedItems ?? {}) as Record<string, { PutRequest?: { Item: Doc } }[]>)
            .flat()
            .map((r) => (r.PutRequest ? `${pkOf(r.PutRequest.Item)}|${String(r.PutRequest.Item.sk)}` : '')),
        );
        const seen = new Set<string>();
        for (const requests of Object.values(
          (input.RequestItems ?? {}) as Record<
            string,
            { PutRequest?: { Item: Doc }; DeleteRequest?: { Key: Doc } }[]
          >,
        ))
          for (const r of requests) {
            const item = r.PutRequest?.Item;
            if (item && left.has(`${pkOf(item)}|${String(item.sk)}`)) continue;
            const pk = pkOf(item ?? r.DeleteRequest?.Key);
            const u = this.use(pk);
            u.wcu += item ? writeUnits(item) : 1;
            if (!seen.has(pk)) u.requests++;
            seen.add(pk);
          }
        return;
      }
      case 'TransactWriteCommand':
      case 'TransactWriteItemsCommand': {
        for (const action of (input.TransactItems ?? []) as Doc[]) {
          const [kind, body] = Object.entries(action)[0] as [string, Doc];
          const u = this.use(pkOf(kind === 'Put' ? body.Item : body.Key));
          u.wcu += 2 * (kind === 'Put' ? writeUnits(body.Item as Doc) : 1);
          u.requests++;
        }
        return;
      }
    }
  }
}

export interface AwsPrediction {
  /** The predicted wall time of the step on AWS. */
  ms: number;
  storageMs: number;
  computeMs: number;
  orchestrationMs: number;
  /** The key that bounds the step's storage, with its units. */
  busiest: { pk: string; wcu: number; rcu: number; ms: number } | null;
  /**
   * The key that took the most write units and its share of all the step's write units (1 ÷ keys at best):
   * how well a step's writes spread (an import's blobs over the DSBLOB shards, a cycle's results over theirs).
   */
  mostWritten: { pk: string; wcu: number; share: number } | null;
  partitions: number;
  wcu: number;
  rcu: number;
}

/** The prediction for a step from its record and its partitions' use (see the module's comment). */
export function predictAws(
  step: Pick<StepRecord, 'cycles' | 'cpuMs' | 'lambda' | 'stateEntries' | 'executions'> & {
    store: { requests: number; bytesWritten?: number };
  },
  partitions: ReadonlyMap<string, PartitionUse>,
  model = AWS_MODEL,
): AwsPrediction {
  let busiest: AwsPrediction['busiest'] = null;
  let mostWritten: [string, PartitionUse] | undefined;
  let wcu = 0;
  let rcu = 0;
  for (const [pk, u] of partitions) {
    wcu += u.wcu;
    rcu += u.rcu;
    if (u.wcu > 0 && (!mostWritten || u.wcu > mostWritten[1].wcu)) mostWritten = [pk, u];
    const ms = Math.max(
      (u.wcu / model.partitionWcuPerSecond) * 1000,
      (u.rcu / model.partitionRcuPerSecond) * 1000,
    );
    if (!busiest || ms > busiest.ms) busiest = { pk, wcu: u.wcu, rcu: u.rcu, ms: Math.round(ms) };
  }
  const tableMs = (Math.max(wcu, rcu) / model.tableUnitsPerSecond) * 1000;
  const requestsMs = (step.store.requests * model.requestMs) / model.requestsInFlight;
  const storageMs = Math.max(busiest?.ms ?? 0, tableMs) + requestsMs;

  const uses = Object.entries(step.lambda) as [FunctionId, { invocations: number; totalMs: number }][];
  const handlerMs = uses.reduce((n, [, u]) => n + u.totalMs, 0);
  let computeMs = 0;
  let mapWaves = 0;
  let sequentialTasks = 0;
  const cycles = Math.max(1, step.executions);
  for (const [id, u] of uses) {
    const cpuMs = handlerMs > 0 ? (step.cpuMs.node * u.totalMs) / handlerMs : 0;
    const vcpu = Math.min(1, FUNCTIONS[id].memoryMb / model.mbPerVcpu);
    const perCycle = u.invocations / cycles;
    const parallel = MAP_FUNCTIONS.has(id) ? Math.min(model.requestsInFlight / 4, perCycle) : 1;
    computeMs += cpuMs / vcpu / Math.max(1, parallel);
    if (MAP_FUNCTIONS.has(id)) mapWaves += Math.ceil(perCycle / (model.requestsInFlight / 4)) * cycles;
    else sequentialTasks += u.invocations;
  }
  // A step that ran no workflow handler (an import) runs on AWS as the import workflow: see importPath.
  if (uses.length === 0) {
    const path = importPath(step, model);
    return {
      ms: Math.round(path.computeMs + storageMs + path.orchestrationMs),
      storageMs: Math.round(storageMs),
      computeMs: Math.round(path.computeMs),
      orchestrationMs: Math.round(path.orchestrationMs),
      busiest,
      mostWritten: mostWrittenOf(mostWritten, wcu),
      partitions: partitions.size,
      wcu: Math.round(wcu),
      rcu: Math.round(rcu),
    };
  }
  // A Map iteration enters its iteration and its task (2 transitions); eight run side by side, so the
  // critical path holds its waves, not its iterations.
  const mapInvocations = uses
    .filter(([id]) => MAP_FUNCTIONS.has(id))
    .reduce((n, [, u]) => n + u.invocations, 0);
  const pathTransitions = Math.max(0, step.stateEntries - 2 * mapInvocations) + 2 * mapWaves;
  const coldStarts = uses.length * cycles;
  const orchestrationMs =
    pathTransitions * model.transitionMs +
    (sequentialTasks + mapWaves) * model.invokeMs +
    coldStarts * model.coldStartMs;
  return {
    ms: Math.round(Math.max(storageMs, computeMs) + orchestrationMs),
    storageMs: Math.round(storageMs),
    computeMs: Math.round(computeMs),
    orchestrationMs: Math.round(orchestrationMs),
    busiest,
    mostWritten: mostWrittenOf(mostWritten, wcu),
    partitions: partitions.size,
    wcu: Math.round(wcu),
    rcu: Math.round(rcu),
  };
}

const mostWrittenOf = (
  most: [string, PartitionUse] | undefined,
  wcu: number,
): AwsPrediction['mostWritten'] =>
  most
    ? {
        pk: most[0],
        wcu: Math.round(most[1].wcu),
        share: Math.round((most[1].wcu / wcu) * 10_000) / 10_000,
      }
    : null;

/**
 * An import on AWS is the import workflow (workflows/import.ts), whose steps follow each other: PrepareImport
 * parses every file and stages the version's items in S3 chunks of CHUNK_BYTES, then the Map writes the
 * chunks (IMPORT_CHUNK_CONCURRENCY at once), then FinishImport switches the pointer. So its compute (on
 * PrepareImport, `importComputeMs`) and its storage add up instead of overlapping as in the CLI's streamed
 * import here, and its orchestration is that machine's path: PrepareImport, the Choice, the Map entered
 * and left, each wave of chunks an iteration and its task, FinishImport and the final state; an invoke
 * per task on the path and one cold start per function (the chunk writers start side by side). The chunks
 * are counted from the bytes the step wrote (the items' JSON, about what a chunk holds).
 */
export function importPath(
  step: { cpuMs: { node: number; nodeMainThread?: number | null }; store: { bytesWritten?: number } },
  model: typeof AWS_MODEL = AWS_MODEL,
): { computeMs: number; orchestrationMs: number; chunks: number } {
  const chunks = Math.max(1, Math.ceil((step.store.bytesWritten ?? 0) / CHUNK_BYTES));
  const waves = Math.ceil(chunks / IMPORT_CHUNK_CONCURRENCY);
  const transitions = 5 + 2 * waves;
  const invokes = 2 + waves;
  const coldStarts = 3;
  return {
    computeMs: importComputeMs(step.cpuMs, model.importFunction, model.mbPerVcpu),
    orchestrationMs:
      transitions * model.transitionMs + invokes * model.invokeMs + coldStarts * model.coldStartMs,
    chunks,
  };
}
