/**
 * The import state machine (workflows/import.ts, synthesized as for AWS) on the local ASL engine, against
 * DynamoDB Local in AWS-limits mode (1,000 WCU/s and 3,000 RCU/s per partition key, 400 KB per item):
 * a city's dataset (35,000 staff, 310 institutions) is imported through parse → chunks in parallel →
 * pointer switch; a refused upload is recorded with its issues and changes nothing; a run that fails
 * half way leaves the previous version current, and the next import sweeps what it wrote.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../shared/app/import-service.js';
import {
  CHUNK_BYTES,
  chunkLimit,
  type ImportStaging,
  prepareImport,
  resetImportStaging,
} from '../../../shared/app/import-workflow.js';
import { DatasetInvalidError } from '../../../shared/dataset/index.js';
import { generateCounty } from '../../../shared/demo/index.js';
import { folderImportStaging } from '../../../shared/local/import-staging.js';
import { LocalImportWorkflow } from '../../../shared/local/import-workflow.js';
import { type LocalStore, openLocalStore } from '../../../shared/local/runtime.js';
import { createDynamoClients } from '../../../shared/store/client.js';
import { VersionWriter } from '../../../shared/store/datasets.js';
import { openStore, type Repositories } from '../../../shared/store/index.js';
import { keys } from '../../../shared/store/keys.js';
import { ensureTable } from '../../../shared/store/table.js';
import { type Files, setCell } from '../../fixtures/bad/cases.js';
import { scanTable } from '../../reliability/helpers.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

const CITY = { staff: 3500, counties: 10, seed: 2026 };
let root: string;
let store: LocalStore;
/** A second table, into which the CLI's own import path writes the same files. */
let cli: Repositories;
let workflow: LocalImportWorkflow;
let failChunk: number | undefined;
/** The length of each chunk the Map wrote, by import and chunk. */
const chunkLengths = new Map<string, number>();
const saved = { limits: process.env.MEDCOMM_AWS_LIMITS, chunks: process.env.MEDCOMM_IMPORT_CHUNKS };

async function upload(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(root, 'uploads', name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  return dir;
}

let cityFiles: Record<string, string>;
let communityId: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'medcomm-import-wf-'));
  process.env.MEDCOMM_AWS_LIMITS = '1';
  process.env.MEDCOMM_IMPORT_CHUNKS = join(root, 'chunks');
  resetImportStaging();
  store = await openLocalStore({
    endpoint: dynamoEndpoint(),
    tableName: `import-wf-${Date.now().toString(36)}`,
  });
  const cliTable = `import-cli-${Date.now().toString(36)}`;
  const { client } = createDynamoClients({ endpoint: store.endpoint });
  try {
    await ensureTable(client, cliTable);
  } finally {
    client.destroy();
  }
  cli = openStore({ endpoint: store.endpoint, tableName: cliTable });
  workflow = await LocalImportWorkflow.create({
    retryIntervalMs: 0,
    wrapHandler: (id, handler) =>
      id === 'WriteImportChunk'
        ? async (input) => {
            const { chunk, job } = input as { chunk: number; job: { id: string } };
            if (chunk === failChunk) throw new Error('disk on fire (injected)');
            const text = await readFile(join(root, 'chunks', job.id, `${chunk}.json`), 'utf8');
            chunkLengths.set(`${job.id}#${chunk}`, text.length);
            return handler(input);
          }
        : handler,
  });
  cityFiles = generateCounty(CITY) as Record<string, string>;
  communityId = (JSON.parse(cityFiles['scheme.json']!) as { community: { id: string } }).community.id;
}, 300_000);

afterAll(async () => {
  cli?.table.doc.destroy();
  await store?.close();
  if (root) await rm(root, { recursive: true, force: true });
  for (const [key, value] of [
    ['MEDCOMM_AWS_LIMITS', saved.limits],
    ['MEDCOMM_IMPORT_CHUNKS', saved.chunks],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetImportStaging();
});

describe('the import state machine on the local engine, AWS limits on', () => {
  it('imports a city: parse, chunks written in parallel, the pointer switched last', async () => {
    const prefix = await upload('city', cityFiles);
    const run = await workflow.run({ id: 'city-1', prefix, by: 'office1' });
    expect(run.error).toBeUndefined();
    expect(run.outcome).toBe('imported');
    // Keys only between states, far below Step Functions' 256 KiB.
    expect(run.largestPayloadBytes).toBeLessThan(16 * 1024);
    // The version's ~64 MB staged as it was made, in chunks of at most CHUNK_BYTES each.
    const lengths = [...chunkLengths].filter(([key]) => key.startsWith('city-1#')).map(([, n]) => n);
    expect(lengths.length).toBeGreaterThan(5);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(CHUNK_BYTES);

    const job = await store.repos.imports.get('city-1');
    expect(job).toMatchObject({ status: 'imported', communityId });
    const current = await store.repos.datasets.current(communityId);
    expect(current?.version).toBe(job!.version);
    const institutions = await store.repos.datasets.institutions(communityId, current!.version);
    expect(institutions).toHaveLength(310);
    const staffRows = cityFiles['staff.csv']!.split(/\r?\n/).filter((l) => l.trim()).length - 1;
    const rosters = await store.repos.datasets.rosters(
      communityId,
      current!.version,
      institutions.map((i) => i.id),
    );
    expect(rosters.flat()).toHaveLength(staffRows);
    const entries = await store.repos.audit.entries(communityId);
    expect(entries.at(-1)).toMatchObject({ action: 'dataset.import', actor: 'office1' });
    // The blobs are spread over many partitions (a single key would take ≥ 67 s on AWS).
    const items = await scanTable(store.repos);
    const blobKeys = new Set(items.filter((i) => i.type === 'DatasetBlob').map((i) => i.pk));
    expect(blobKeys.size).toBeGreaterThan(200);
  }, 600_000);

  it('refuses a dataset with errors, records every issue with file, row and column, and stores nothing', async () => {
    const before = await store.repos.datasets.current(communityId);
    // Row 6 of staff.csv: basicMonthly (column 8) negative.
    const lines = cityFiles['staff.csv']!.split('\r\n');
    const cells = lines[5]!.split(',');
    cells[7] = '-5';
    lines[5] = cells.join(',');
    const bad = { ...cityFiles, 'staff.csv': lines.join('\r\n') };
    const prefix = await upload('bad', bad);
    const run = await workflow.run({ id: 'bad-1', prefix, by: 'office1' });
    expect(run.outcome).toBe('refused');
    const job = await store.repos.imports.get('bad-1');
    expect(job?.status).toBe('refused');
    expect(job?.issueCount).toBeGreaterThan(0);
    expect(job?.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'staff.csv', row: 6, column: 'basicMonthly' }),
      ]),
    );
    // The same issues, in the same order, as the CLI's import of the same files answers.
    const viaCli = await importDataset(cli, { files: bad }, 'office1').catch((e: unknown) => e);
    expect(viaCli).toBeInstanceOf(DatasetInvalidError);
    expect(job?.issueCount).toBe((viaCli as DatasetInvalidError).issues.length);
    expect(job?.issues).toEqual((viaCli as DatasetInvalidError).issues.slice(0, job!.issues!.length));
    expect(await store.repos.datasets.current(communityId)).toEqual(before);
  }, 600_000);

  // A county's dataset is enough for failure and sweep (the city above proves the scale): its own community,
  // imported once, then a changed version that fails half way.
  it('a run failing half way leaves the previous version current; the next import sweeps its blobs', async () => {
    const county = generateCounty({ staff: 400, seed: 7 }) as Record<string, string>;
    const countyId = (JSON.parse(county['scheme.json']!) as { community: { id: string } }).community.id;
    const first = await workflow.run({
      id: 'county-1',
      prefix: await upload('county', county),
      by: 'office1',
    });
    expect(first.outcome).toBe('imported');
    const before = await store.repos.datasets.current(countyId);
    expect(before).toBeDefined();
    // Every staff member's basic pay one yuan higher: new roster blobs, which the failed run leaves behind.
    const changed = county['staff.csv']!.split('\r\n').map((line, i) => {
      if (i === 0 || line.trim() === '') return line;
      const cells = line.split(',');
      cells[7] = (Number(cells[7]) + 1).toFixed(2);
      return cells.join(',');
    });
    const prefix = await upload('fails', { ...county, 'staff.csv': changed.join('\r\n') });
    failChunk = 0;
    const run = await workflow.run({ id: 'fails-1', prefix, by: 'office1' });
    failChunk = undefined;
    expect(run.outcome).toBe('failed');
    const job = await store.repos.imports.get('fails-1');
    expect(job).toMatchObject({ status: 'failed' });
    expect(job?.error).toContain('disk on fire');
    expect(await store.repos.datasets.current(countyId)).toEqual(before);
    const manifests = (await scanTable(store.repos)).filter(
      (i) => i.pk === keys.community(countyId) && i.sk === keys.datasetManifest(countyId, job!.version!).sk,
    );
    expect(manifests[0]).toMatchObject({ status: 'failed' });
    // The lease is free: the next import runs, and sweeps the failed version.
    const again = await workflow.run({ id: 'again-1', prefix, by: 'office1' });
    expect(again.outcome).toBe('imported');
    const swept = (await scanTable(store.repos)).find(
      (i) => i.pk === keys.community(countyId) && i.sk === keys.datasetManifest(countyId, job!.version!).sk,
    );
    expect(swept).toMatchObject({ status: 'swept' });
  }, 600_000);

  // One write path: PrepareImport is the CLI's streamed import with its items staged for the Map, so the
  // two store the same items (a community new to both tables: the same version number, nothing shared).
  it.each([
    ['as generated', 2, false],
    [
      'with workload.csv sorted by person (months read again, the first blobs of each left unindexed)',
      3,
      true,
    ],
  ])(
    'stores exactly the items the CLI import stores for the same files, %s',
    async (_, counties, byPerson) => {
      const files = generateCounty({ staff: 250, counties, seed: 11 }) as Record<string, string>;
      if (byPerson) {
        const [header, ...rows] = files['workload.csv']!.split('\r\n').filter((l) => l.trim() !== '');
        const staffAt = header!.split(',').indexOf('staffId');
        const sorted = rows
          .map((row, i) => ({ row, i, staff: row.split(',')[staffAt]! }))
          .sort((a, b) => (a.staff < b.staff ? -1 : a.staff > b.staff ? 1 : a.i - b.i))
          .map((r) => r.row);
        files['workload.csv'] = [header, ...sorted].join('\r\n');
      }
      const id = (JSON.parse(files['scheme.json']!) as { community: { id: string } }).community.id;
      const run = await workflow.run({
        id: `equal-${counties}`,
        prefix: await upload(`equal-${counties}`, files),
        by: 'office1',
      });
      expect(run.error).toBeUndefined();
      expect(run.outcome).toBe('imported');
      const viaCli = await importDataset(cli, { files }, 'office1');

      const versionItems = async (repos: Repositories) =>
        (await scanTable(repos))
          .filter(
            (i) =>
              String(i.pk).startsWith(`DS#${id}#`) ||
              String(i.pk).startsWith(`DSBLOB#${id}#`) ||
              (i.pk === keys.community(id) && String(i.sk).startsWith('DATASET#')),
          )
          // The manifest's time and the blob log's flush boundaries are the run's, not the version's.
          .filter((i) => i.type !== 'DatasetBlobLog')
          .map(({ importedAt: _, ...item }) => item);
      const viaWorkflow = await versionItems(store.repos);
      const stored = await versionItems(cli);
      expect(viaWorkflow.length).toBeGreaterThan(100);
      expect(viaWorkflow).toEqual(stored);
      expect((await store.repos.datasets.current(id))?.version).toBe(viaCli.pointer.version);
      // Every blob stored is named by the version's index or a list's reference (its page blobs): the
      // unindexed first encodings were removed.
      const indexed = new Set<string>();
      for (const item of viaWorkflow.filter((i) => i.type === 'DatasetIndex'))
        for (const [, hash] of JSON.parse(String(item.data)) as [string, string][]) indexed.add(hash);
      for (const item of viaWorkflow.filter((i) => String(i.sk).endsWith('@')))
        for (const hash of JSON.parse(String(item.data)) as string[]) indexed.add(hash);
      const blobs = viaWorkflow.filter((i) => i.type === 'DatasetBlob');
      expect(blobs.length).toBeGreaterThan(0);
      expect(blobs.filter((b) => !indexed.has(String(b.sk).split('#')[0]!))).toEqual([]);
    },
    600_000,
  );

  // PrepareImport streams: its chunks are staged while workload.csv is still being read, and a refusal
  // found after that (here the file's last row) removes them and leaves the table as it was.
  it('stages chunks while workload.csv is read; refused on its last row, it removes them and stores nothing', async () => {
    const county = generateCounty({ staff: 250, counties: 4, seed: 11 }) as Record<string, string>;
    const lastRow = county['workload.csv']!.split('\n').filter((l) => l.trim() !== '').length;
    const bad = setCell(county as Files, 'workload.csv', lastRow, 'quality', '120');
    const prefix = await upload('late-bad', bad as Record<string, string>);
    const outside = (items: Record<string, unknown>[]) =>
      items.filter((i) => !String(i.pk).startsWith('IMPORTJOB#'));
    const before = outside(await scanTable(store.repos));
    const folder = folderImportStaging(join(root, 'direct-chunks'));
    const staged: number[] = [];
    const staging: ImportStaging = {
      ...folder,
      async putChunk(jobId, chunk, text) {
        staged.push(chunk);
        await folder.putChunk(jobId, chunk, text);
      },
    };
    const saved = { bytes: chunkLimit.bytes, flushItems: VersionWriter.flushItems };
    chunkLimit.bytes = 64 * 1024;
    VersionWriter.flushItems = 5;
    try {
      const prepared = await prepareImport(store.repos, staging, { id: 'late-bad', prefix, by: 'office1' });
      expect(prepared.refused).toBe(true);
    } finally {
      chunkLimit.bytes = saved.bytes;
      VersionWriter.flushItems = saved.flushItems;
    }
    expect(staged.length).toBeGreaterThan(3);
    expect(await readdir(join(root, 'direct-chunks'))).toEqual([]);
    const job = await store.repos.imports.get('late-bad');
    expect(job).toMatchObject({ status: 'refused', issueCount: 1 });
    expect(job?.issues?.[0]).toMatchObject({ file: 'workload.csv', row: lastRow, column: 'quality' });
    expect(outside(await scanTable(store.repos))).toEqual(before);
  }, 600_000);
});
