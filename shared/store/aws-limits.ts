/**
 * An optional AWS-limits mode for the store's DynamoDB client: DynamoDB Local enforces none of the limits
 * AWS does (../shared/notes/aws-limits.md), so this models the two that shaped the design, per request,
 * with DynamoDB's own error shapes, so the retry paths run in tests and the bench can predict AWS times:
 *
 * - one partition key serves at most 1,000 WCU/s and 3,000 RCU/s (adaptive capacity does not lift a
 *   single key above this): token buckets per partition key, refilled continuously, one second deep;
 * - an item is at most 400 KB: a bigger one is a ValidationException.
 *
 * What a throttled request gets is what AWS gives: a single-item read or write, a Query, and a batch with
 * nothing processable fail with ProvisionedThroughputExceededException, inside the SDK's retry loop (which
 * retries it with backoff, as on AWS); a batch with some keys over their partition's rate hands those back
 * as UnprocessedItems/UnprocessedKeys; a transaction touching a throttled partition is cancelled
 * (TransactionCanceledException) with `ThrottlingError` as the reason of that item and `None` for the rest.
 * Units: writes 1 WCU per KB (transactions twice), strongly consistent reads 1 RCU per 4 KB (Query: of
 * the items returned, summed) — charged when the request is made (reads: when the answer says how big).
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { PK } from './table.js';

export interface AwsLimitsOptions {
  /** Per partition key. AWS: 1,000. */
  writeUnitsPerSecond?: number;
  /** Per partition key (strongly consistent reads). AWS: 3,000. */
  readUnitsPerSecond?: number;
  /** AWS: 400 KB. */
  maxItemBytes?: number;
  /** Milliseconds; a test may drive its own clock. */
  now?: () => number;
}

/** What the model saw, for the bench: throttled requests and the capacity charged. */
export interface AwsLimitsTally {
  throttled: number;
  writeUnits: number;
  readUnits: number;
  /** Seconds of the busiest partition's charged work at its rate: a floor on AWS wall time. */
  busiestPartitionSeconds: number;
}

type Avm = Record<string, AttributeValue>;

const TYPES = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);
/** Whether a value is one marshalled DynamoDB AttributeValue ({S: …}, {N: …}, …). The bench's model uses it too. */
export const isAttributeValue = (v: unknown) =>
  v !== null &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.keys(v).length === 1 &&
  TYPES.has(Object.keys(v)[0]!);

/**
 * The item as AttributeValues: the document client marshals in the serialize step, so the model (around
 * it) sees plain values on the way in and, depending on the step, either form on the way out.
 */
function asAvm(item: unknown): Avm {
  const record = (item ?? {}) as Record<string, unknown>;
  return Object.values(record).every(isAttributeValue)
    ? (record as Avm)
    : (marshall(record, { removeUndefinedValues: true, convertClassInstanceToMap: true }) as Avm);
}

/** DynamoDB's item size: attribute names plus values (UTF-8 bytes; numbers ~ 1 byte per 2 digits + 1). */
export function attributeValueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
  if (value.NS) return value.NS.reduce((n, s) => n + Math.ceil(s.length / 2) + 1, 0);
  if (value.BS) return value.BS.reduce((n, b) => n + b.length, 0);
  if (value.L) return 3 + value.L.reduce((n, v) => n + 1 + attributeValueSize(v), 0);
  if (value.M) return 3 + itemBytes(value.M as Avm);
  return 0;
}

export const itemBytes = (item: Avm | Record<string, unknown>): number =>
  Object.entries(asAvm(item)).reduce(
    (n, [name, v]) => n + Buffer.byteLength(name, 'utf8') + attributeValueSize(v),
    0,
  );

const pkOf = (item: unknown) => (asAvm(item)[PK]?.S ?? '?') as string;
const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const readUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096));

class Bucket {
  tokens: number;
  charged = 0;
  constructor(
    readonly rate: number,
    private at: number,
  ) {
    this.tokens = rate;
  }
  refill(now: number): void {
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
  }
  /** Takes `units` if the partition has them now; a partition in debt (reads charged late) has none. */
  take(units: number, now: number): boolean {
    this.refill(now);
    if (this.tokens <= 0 || this.tokens < Math.min(units, this.rate)) return false;
    this.tokens -= units;
    this.charged += units;
    return true;
  }
  charge(units: number, now: number): void {
    this.refill(now);
    this.tokens -= units;
    this.charged += units;
  }
}

const metadata = { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 } as const;

function throttled(message: string): ProvisionedThroughputExceededException {
  return new ProvisionedThroughputExceededException({ message, $metadata: { ...metadata } });
}

function validation(message: string): Error {
  return Object.assign(new Error(message), {
    name: 'ValidationException',
    $fault: 'client',
    $metadata: { ...metadata },
  });
}

/** Adds the model to a low-level DynamoDB client (the one the document client wraps). */
export function applyAwsLimits(client: DynamoDBClient, options: AwsLimitsOptions = {}): AwsLimitsTally {
  const wcu = options.writeUnitsPerSecond ?? 1000;
  const rcu = options.readUnitsPerSecond ?? 3000;
  const maxBytes = options.maxItemBytes ?? 400 * 1024;
  const now = options.now ?? Date.now;
  const writes = new Map<string, Bucket>();
  const reads = new Map<string, Bucket>();
  const tally: AwsLimitsTally = { throttled: 0, writeUnits: 0, readUnits: 0, busiestPartitionSeconds: 0 };
  const bucket = (map: Map<string, Bucket>, pk: string, rate: number) => {
    const found = map.get(pk);
    if (found) return found;
    const fresh = new Bucket(rate, now());
    map.set(pk, fresh);
    return fresh;
  };
  const busiest = () => {
    let seconds = 0;
    for (const b of writes.values()) seconds = Math.max(seconds, b.charged / wcu);
    for (const b of reads.values()) seconds = Math.max(seconds, b.charged / rcu);
    tally.busiestPartitionSeconds = seconds;
  };
  const tooBig = (item: unknown) => {
    if (!item) return;
    const bytes = itemBytes(item as Record<string, unknown>);
    if (bytes > maxBytes)
      throw validation(
        `Item size has exceeded the maximum allowed size (${bytes} bytes > ${maxBytes}; pk ${pkOf(item)})`,
      );
  };
  const takeWrite = (pk: string, units: number) => {
    const ok = bucket(writes, pk, wcu).take(units, now());
    if (ok) tally.writeUnits += units;
    return ok;
  };

  // Batches, transactions and sizes: shaped before the request is made (not retried by the SDK, as on AWS).
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName;
      const input = args.input as Record<string, unknown>;
      if (command === 'PutItemCommand') tooBig(input.Item as Avm);
      if (command === 'BatchWriteItemCommand') {
        const requestItems = input.RequestItems as Record<
          string,
          { PutRequest?: { Item: Avm }; DeleteRequest?: { Key: Avm } }[]
        >;
        const kept: typeof requestItems = {};
        const left: typeof requestItems = {};
        for (const [table, requests] of Object.entries(requestItems)) {
          for (const r of requests) tooBig(r.PutRequest?.Item);
          for (const r of requests) {
            const item = r.PutRequest?.Item ?? r.DeleteRequest?.Key;
            const units = r.PutRequest ? writeUnits(itemBytes(r.PutRequest.Item)) : 1;
            const target = takeWrite(pkOf(item), units) ? kept : left;
            target[table] ??= [];
            target[table].push(r);
          }
        }
        busiest();
        if (Object.keys(left).length) tally.throttled++;
        // (With nothing processable AWS throws ProvisionedThroughputExceededException, which the SDK
        // retries; handing everything back as unprocessed drives the same backoff loop one level up.)
        if (!Object.keys(kept).length)
          return {
            output: { UnprocessedItems: left, $metadata: { ...metadata, httpStatusCode: 200 } },
            response: {},
          } as never;
        const out = (await next({ ...args, input: { ...input, RequestItems: kept } })) as unknown as {
          output: Record<string, unknown>;
        };
        const unprocessed = { ...((out.output.UnprocessedItems as typeof left) ?? {}) };
        for (const [table, requests] of Object.entries(left))
          unprocessed[table] = [...(unprocessed[table] ?? []), ...requests];
        out.output.UnprocessedItems = unprocessed;
        return out as never;
      }
      if (command === 'BatchGetItemCommand') {
        const requestItems = input.RequestItems as Record<string, { Keys: Avm[] } & Record<string, unknown>>;
        const kept: typeof requestItems = {};
        const left: typeof requestItems = {};
        for (const [table, request] of Object.entries(requestItems))
          for (const key of request.Keys) {
            const b = bucket(reads, pkOf(key), rcu);
            const target = b.take(0, now()) ? kept : left;
            target[table] ??= { ...request, Keys: [] };
            target[table].Keys.push(key);
          }
        if (Object.keys(left).length) tally.throttled++;
        if (!Object.keys(kept).length)
          return {
            output: { Responses: {}, UnprocessedKeys: left, $metadata: { ...metadata, httpStatusCode: 200 } },
            response: {},
          } as never;
        const out = (await next({ ...args, input: { ...input, RequestItems: kept } })) as unknown as {
          output: Record<string, unknown>;
        };
        for (const items of Object.values((out.output.Responses as Record<string, Avm[]>) ?? {}))
          for (const item of items) {
            const units = readUnits(itemBytes(item));
            bucket(reads, pkOf(item), rcu).charge(units, now());
            tally.readUnits += units;
          }
        busiest();
        const unprocessed = { ...((out.output.UnprocessedKeys as typeof left) ?? {}) };
        for (const [table, request] of Object.entries(left))
          unprocessed[table] = { ...request, Keys: [...(unprocessed[table]?.Keys ?? []), ...request.Keys] };
        out.output.UnprocessedKeys = unprocessed;
        return out as never;
      }
      if (command === 'TransactWriteItemsCommand') {
        const items = input.TransactItems as Record<string, { Item?: Avm; Key?: Avm }>[];
        for (const action of items) tooBig(action.Put?.Item);
        const reasons = items.map((action) => {
          const [op, body] = Object.entries(action)[0]!;
          const target = body.Item ?? body.Key;
          const units = 2 * (op === 'Put' ? writeUnits(itemBytes(body.Item!)) : 1);
          return takeWrite(pkOf(target), units)
            ? { Code: 'None' }
            : {
                Code: 'ThrottlingError',
                Message:
                  'Throughput exceeds the current capacity for one or more global secondary indexes or the table.',
              };
        });
        busiest();
        if (reasons.some((r) => r.Code !== 'None')) {
          tally.throttled++;
          throw new TransactionCanceledException({
            message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
            CancellationReasons: reasons,
            $metadata: { ...metadata },
          });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'medcommAwsLimitsShape', priority: 'low' },
  );

  // Single-item requests and queries: throttled inside the SDK's retry loop, as AWS's 400s are.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName;
      const input = args.input as Record<string, unknown>;
      const single: Record<string, 'write' | 'read'> = {
        PutItemCommand: 'write',
        UpdateItemCommand: 'write',
        DeleteItemCommand: 'write',
        GetItemCommand: 'read',
        QueryCommand: 'read',
      };
      const kind = single[command ?? ''];
      if (!kind) return next(args);
      const pk =
        command === 'QueryCommand'
          ? ((asAvm(input.ExpressionAttributeValues)[':pk']?.S ?? '?') as string)
          : pkOf((input.Item ?? input.Key) as Avm);
      if (kind === 'write') {
        const units = command === 'PutItemCommand' ? writeUnits(itemBytes(input.Item as Avm)) : 1;
        if (!takeWrite(pk, units)) {
          tally.throttled++;
          throw throttled(
            `The level of configured provisioned throughput for the table was exceeded (partition ${pk})`,
          );
        }
        busiest();
        return next(args);
      }
      if (!bucket(reads, pk, rcu).take(0, now())) {
        tally.throttled++;
        throw throttled(
          `The level of configured provisioned throughput for the table was exceeded (partition ${pk})`,
        );
      }
      const out = (await next(args)) as { output: { Item?: Avm; Items?: Avm[] } };
      const bytes = out.output.Item
        ? itemBytes(out.output.Item)
        : (out.output.Items ?? []).reduce((n, i) => n + itemBytes(i), 0);
      const units = readUnits(bytes);
      bucket(reads, pk, rcu).charge(units, now());
      tally.readUnits += units;
      busiest();
      return out as never;
    },
    { step: 'finalizeRequest', name: 'medcommAwsLimitsThrottle', priority: 'low' },
  );
  return tally;
}
