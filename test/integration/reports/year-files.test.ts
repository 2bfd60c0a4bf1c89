/**
 * The year's files written as its cycles complete (YearFiles, issue 17), their workbooks on a file worker:
 * the same files, bytes and lists as writing the year at once after the cycles (writeYearResults and
 * writeReportsAndSheets over loadYear, on this thread), and the whole year written again when a cycle
 * written early is no longer as it was.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { yearSummary } from '../../../cli/summary.js';
import { YearFilesThread } from '../../../cli/year-files-thread.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { writeYearResults } from '../../../shared/app/results-writer.js';
import { runYear } from '../../../shared/app/year-runner.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { FileWorkers } from '../../../shared/reports/file-workers.js';
import { type WrittenReports, writeReportsAndSheets, yearCycles } from '../../../shared/reports/index.js';
import { type WrittenYear, YearFiles } from '../../../shared/reports/year-files.js';
import { unzip } from '../../unit/export/xlsx-reader.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

const DATASET = join(import.meta.dirname, '../../fixtures/tiny/dataset');

let rt: LocalRuntime;
let work: string;
let communityId: string;
let workers: FileWorkers;
let early: WrittenYear;
let reference: { results: string[]; reports: WrittenReports };

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) out.push(...(await walk(path)));
    else out.push(path);
  }
  return out;
}

/** Every file of a folder: text as is, a workbook as its parts but docProps/core.xml (the time it was made). */
async function contents(dir: string): Promise<Map<string, string | Map<string, string>>> {
  const files = new Map<string, string | Map<string, string>>();
  for (const path of (await walk(dir)).sort()) {
    const bytes = await readFile(path);
    if (!path.endsWith('.xlsx')) files.set(relative(dir, path), bytes.toString('utf8'));
    else {
      const parts = unzip(bytes);
      parts.delete('docProps/core.xml');
      files.set(
        relative(dir, path),
        new Map([...parts].map(([name, part]) => [name, part.toString('utf8')])),
      );
    }
  }
  return files;
}

const exportAll = async () =>
  (await rt.repos.audit.entries(communityId)).filter((e) => e.action === 'export.all').map((e) => e.details);

beforeAll(async () => {
  rt = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `year-files-${Date.now().toString(36)}`,
  });
  const imported = await importDataset(rt.repos, { dir: DATASET }, 'office1');
  communityId = imported.pointer.communityId;
  work = await mkdtemp(join(tmpdir(), 'medcomm-year-files-'));
  workers = FileWorkers.start(1);
  const files = await YearFiles.open(rt.repos, communityId, 2026, join(work, 'early'), {
    by: 'office1',
    workers,
  });
  await runYear(rt.repos, rt.workflows, {
    communityId,
    year: 2026,
    by: 'office1',
    approver: 'finance1',
    onCompleted: (cycle) => files.completed(cycle),
  });
  early = await files.finish();
  const results = await writeYearResults(rt.repos, communityId, 2026, join(work, 'at-once'));
  const reports = await writeReportsAndSheets(rt.repos, communityId, 2026, join(work, 'at-once'), {
    by: 'office1',
  });
  reference = { results: results.files, reports };
}, 240_000);

afterAll(async () => {
  await workers?.close();
  await rt?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a year written as its cycles complete', () => {
  it('has the files, bytes and lists of the year written at once after its cycles', async () => {
    const want = await contents(join(work, 'at-once'));
    expect(want.size).toBeGreaterThan(100);
    expect(await contents(join(work, 'early'))).toEqual(want);
    expect(early.results.files).toEqual(reference.results);
    expect(early.reports?.files).toEqual(reference.reports.files);
    expect(early.reports?.notTransferred).toEqual(reference.reports.notTransferred);
    // The two writings' audit entries name the same files in the same order.
    const [fromEarly, fromReference] = await exportAll();
    expect(fromEarly).toEqual(fromReference);
    expect(early.data.monthly.map((m) => m.cycle.period)).toHaveLength(12);
    expect(early.data.quarterly).toHaveLength(4);
    expect(early.data.annual?.cycle.period).toBe('2026');
  });

  it('writes the whole year again when a cycle written early is no longer as it was', async () => {
    const dir = join(work, 'stale');
    const files = await YearFiles.open(rt.repos, communityId, 2026, dir, { by: 'office1', workers });
    for (const cycle of await yearCycles(rt.repos, communityId, 2026)) {
      // March as an earlier read saw it: started at another time (its reports' lineage names the start).
      files.completed(
        cycle.period === '2026-03' ? { ...cycle, startedAt: '2026-04-01T00:00:00.000Z' } : cycle,
      );
    }
    const written = await files.finish();
    expect(await contents(dir)).toEqual(await contents(join(work, 'at-once')));
    expect(written.reports?.files).toEqual(reference.reports.files);
    expect(await readFile(join(dir, 'monthly/2026-03/report.html'), 'utf8')).not.toContain(
      '2026-04-01T00:00',
    );
  });
});

/** Every thread's nice value in this process (Linux): field 19 of its stat line. */
const niceValues = () =>
  readdirSync('/proc/self/task').map((tid) => {
    const line = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(line.slice(line.lastIndexOf(')') + 2).split(' ')[16]);
  });

describe("a year written on the file thread (cli/year-files-thread.ts: demo's and year's)", () => {
  const threadFor = (outDir: string) =>
    YearFilesThread.start(rt.repos, {
      endpoint: rt.endpoint!,
      tableName: rt.repos.table.name,
      communityId,
      year: 2026,
      outDir,
      options: { by: 'office1' },
    });

  it('writes the same files, lists, audit entry and summary as this thread does', async () => {
    const dir = join(work, 'thread');
    const thread = await threadFor(dir);
    try {
      for (const cycle of await yearCycles(rt.repos, communityId, 2026)) thread.completed(cycle);
      const before = (await exportAll()).length;
      const written = await thread.finish();
      expect(await contents(dir)).toEqual(await contents(join(work, 'at-once')));
      expect(written.results.files).toEqual(reference.results);
      expect(written.reports?.files).toEqual(reference.reports.files);
      expect(written.reports?.notTransferred).toEqual(reference.reports.notTransferred);
      // The thread's entry was appended here, to the chain this thread holds, once.
      const entries = await exportAll();
      expect(entries).toHaveLength(before + 1);
      expect(entries.at(-1)).toEqual(entries[0]);
      expect(written.summary).toBe(await yearSummary(rt.repos, communityId, 2026));
      // At the process's priority: at nice 10 beside two busy processes a demo year took 3–4 × as long.
      if (process.platform === 'linux') expect(new Set(niceValues()).size).toBe(1);
    } finally {
      await thread.close();
    }
  });

  it("fails finish with the thread's error when a file cannot be written, and appends nothing", async () => {
    // The output folder is a file: no folder can be made under it.
    const blocked = join(work, 'blocked');
    await writeFile(blocked, 'not a folder');
    const thread = await threadFor(join(blocked, 'out'));
    try {
      for (const cycle of await yearCycles(rt.repos, communityId, 2026)) thread.completed(cycle);
      const before = (await exportAll()).length;
      await expect(thread.finish()).rejects.toThrow(/ENOTDIR|not a directory/);
      expect(await exportAll()).toHaveLength(before);
    } finally {
      await thread.close();
    }
  });
});
