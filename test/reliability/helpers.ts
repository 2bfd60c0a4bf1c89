/**
 * Shared by the reliability tests: the tiny dataset as files (under any community id, so one table can
 * hold a clean run and a faulty run of the same month side by side), one in-memory runtime per test
 * file, and snapshots of what a cycle stored.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { importDataset } from '../../shared/app/import-service.js';
import { MAP_CONCURRENCY } from '../../shared/app/institution-batches.js';
import { runCycleToEnd } from '../../shared/app/year-runner.js';
import { type LocalRuntime, openLocalRuntime } from '../../shared/local/runtime.js';
import type { LocalWorkflowOptions } from '../../shared/local/workflows.js';
import type { CycleRecord } from '../../shared/store/cycles.js';
import type { Repositories } from '../../shared/store/index.js';
import type { CycleKind } from '../../shared/store/keys.js';

export const TINY_DIR = fileURLToPath(new URL('../fixtures/tiny/dataset', import.meta.url));
export const TINY_EXPECTED = fileURLToPath(new URL('../fixtures/tiny/expected', import.meta.url));
export const TINY_COMMUNITY = 'county7';

export type Files = Record<string, string | Uint8Array>;

/** The tiny dataset as file name → text (LF line ends, so patches can edit lines). */
export function tinyFiles(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(TINY_DIR).map((name) => [
      name,
      readFileSync(`${TINY_DIR}/${name}`, 'utf8').replaceAll('\r\n', '\n'),
    ]),
  );
}

/** The tiny dataset under another community id. */
export function tinyAs(communityId: string): Record<string, string> {
  const files = tinyFiles();
  const scheme = JSON.parse(files['scheme.json']!) as { community: { id: string } };
  scheme.community.id = communityId;
  files['scheme.json'] = JSON.stringify(scheme, null, 2);
  return files;
}

export function expectedJson(path: string): unknown {
  return JSON.parse(readFileSync(`${TINY_EXPECTED}/${path}`, 'utf8'));
}

/** One in-memory runtime; tests run cycles with retries that do not wait. */
/**
 * A runtime whose Maps run one iteration per institution of a small county, as AWS's do (MAP_CONCURRENCY):
 * the faults of these tests are counted per institution's step.
 */
export function openTestRuntime(workflows: LocalWorkflowOptions = {}): Promise<LocalRuntime> {
  return openLocalRuntime({
    inMemory: true,
    workflows: { retryIntervalMs: 0, batchSpread: MAP_CONCURRENCY, ...workflows },
  });
}

export async function importAs(repos: Repositories, communityId: string, by = 'office1') {
  return importDataset(repos, { files: tinyAs(communityId) }, by);
}

/**
 * January to March and the first quarter of `communityId` run to the end (office1 starts, finance1
 * approves): the completed periods a correction or an appeal of the first quarter needs first.
 */
export async function runFirstQuarter(
  rt: Pick<LocalRuntime, 'repos' | 'workflows'>,
  communityId: string,
): Promise<void> {
  const run = (kind: CycleKind, period: string) =>
    runCycleToEnd(rt.repos, rt.workflows, { communityId, kind, period, by: 'office1', approver: 'finance1' });
  for (const m of ['2026-01', '2026-02', '2026-03']) await run('monthly', m);
  await run('quarterly', '2026-Q1');
}

export const refOf = (c: Pick<CycleRecord, 'communityId' | 'kind' | 'period' | 'revision'>) => ({
  communityId: c.communityId,
  kind: c.kind,
  period: c.period,
  revision: c.revision,
});

export async function cycleOf(
  repos: Repositories,
  communityId: string,
  kind: CycleKind,
  period: string,
): Promise<CycleRecord> {
  const cycle = await repos.cycles.get(communityId, kind, period);
  if (!cycle) throw new Error(`no cycle ${communityId} ${kind} ${period}`);
  return cycle;
}

/**
 * Everything a cycle revision stored that pay depends on: per-institution results, every pay line, and
 * the documents — with the revision taken out of the report so two revisions can be compared.
 */
export async function storedResults(repos: Repositories, cycle: CycleRecord) {
  const ref = refOf(cycle);
  const report = await repos.results.document<Record<string, unknown>>(ref, 'REPORT');
  const { revision: _revision, ...reportBody } = report ?? {};
  return {
    institutions: await repos.results.institutions(ref),
    pay: await repos.results.payLines(ref),
    allocations: await repos.results.parts(ref, 'ALLOC#'),
    report: report ? reportBody : undefined,
    bulletin: await repos.results.document(ref, 'BULLETIN'),
    settlement: await repos.results.document(ref, 'SETTLEMENT'),
  };
}

/** Σ gross (monthly) or Σ amount (allocations) over every pay line of a cycle revision, in fen. */
export async function totalPaid(repos: Repositories, cycle: CycleRecord): Promise<number> {
  const pages = await repos.results.payLines<{ gross?: number; amount?: number }>(refOf(cycle));
  return pages.flatMap((p) => p.lines).reduce((sum, l) => sum + (l.gross ?? l.amount ?? 0), 0);
}

/** Every item of the table (small tables only): the strongest "nothing changed" check there is. */
export async function scanTable(repos: Repositories): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await repos.table.doc.send(
      new ScanCommand({ TableName: repos.table.name, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}

export interface StoredWrite {
  pk: string;
  sk: string;
  command: string;
}

const plain = (v: unknown) =>
  v && typeof v === 'object' && 'S' in v ? String((v as { S: unknown }).S) : String(v);

type Written = Record<string, unknown>;

/**
 * Records every put that DynamoDB accepted — single, in a transaction or in a batch (a conditional put
 * or a transaction that was refused is not a write; a batch's unprocessed items are not either) — so a
 * test can prove an item was written once however often a step ran.
 */
export function recordWrites(repos: Repositories): StoredWrite[] {
  const writes: StoredWrite[] = [];
  repos.table.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const output = await next(args);
      const command = String(context.commandName);
      const input = args.input as {
        Item?: Written;
        TransactItems?: { Put?: { Item: Written } }[];
        RequestItems?: Record<string, { PutRequest?: { Item: Written } }[] | object>;
      };
      const unprocessed = new Set(
        Object.values(
          (output as { output?: { UnprocessedItems?: Record<string, { PutRequest?: { Item: Written } }[]> } })
            .output?.UnprocessedItems ?? {},
        )
          .flat()
          .map((r) => (r.PutRequest ? `${plain(r.PutRequest.Item.pk)}|${plain(r.PutRequest.Item.sk)}` : '')),
      );
      const items = [
        ...(input.Item ? [input.Item] : []),
        ...(input.TransactItems ?? []).flatMap((t) => (t.Put ? [t.Put.Item] : [])),
        ...Object.values(input.RequestItems ?? {})
          .filter(Array.isArray)
          .flat()
          .flatMap((r: { PutRequest?: { Item: Written } }) => (r.PutRequest ? [r.PutRequest.Item] : [])),
      ];
      for (const item of items)
        if (!unprocessed.has(`${plain(item.pk)}|${plain(item.sk)}`))
          writes.push({ pk: plain(item.pk), sk: plain(item.sk), command });
      return output;
    },
    { step: 'initialize', name: 'reliabilityWriteRecorder', override: true },
  );
  return writes;
}

/**
 * A copy of the tiny dataset folder whose workload.csv is just over the 50 MB limit (valid rows,
 * repeated), generated on demand — never committed. The caller removes the folder.
 */
export async function oversizedDatasetDir(limitBytes: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'medcomm-big-'));
  for (const [name, content] of Object.entries(tinyFiles())) await writeFile(join(dir, name), content);
  const header = 'period,staffId,workPoints,quality,attendedDays,scheduledDays\n';
  const row = '2026-01,C01-001,1420,85.1,22,22\n';
  await writeFile(
    join(dir, 'workload.csv'),
    header + row.repeat(Math.ceil((limitBytes + 1 - header.length) / row.length)),
  );
  return dir;
}

/**
 * Every entry of a zip (an .xlsx) inflated to text, joined: enough to search a workbook's cells for a
 * string without trusting the library that wrote it. Reads the central directory, as unzip tools do.
 */
export function zipText(zip: Buffer): string {
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip');
  const texts: string[] = [];
  let p = zip.readUInt32LE(end + 16);
  for (let k = zip.readUInt16LE(end + 10); k > 0; k--) {
    const method = zip.readUInt16LE(p + 10);
    const size = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const local = zip.readUInt32LE(p + 42);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + size);
    texts.push((method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    p += 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return texts.join('\n');
}
