/**
 * scheme.json is optional on import (issue 15): once a year has a scheme in force, a folder or workbook
 * without it takes that scheme — community from --community (or the last one imported), year from --year
 * (or insurance.csv / the periods) — and stores exactly the dataset the files with scheme.json store.
 * Refused, naming what to add, when the community or year cannot be known or the year has no scheme;
 * a scheme.json that differs from the one in force, or names another community or year than asked, is
 * refused as before.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../shared/app/import-service.js';
import { DatasetInvalidError } from '../../../shared/dataset/index.js';
import { datasetWorkbook } from '../../../shared/dataset/workbook.js';
import { PrerequisiteError } from '../../../shared/errors.js';
import { type LocalStore, openLocalStore } from '../../../shared/local/runtime.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

const TINY = join(import.meta.dirname, '../../fixtures/tiny/dataset');
const communityId = 'county7';
const year = 2026;
const MONTHS = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);

let rt: LocalStore;
let dir: string;
let files: Record<string, string>;

/** The tiny dataset's files without scheme.json, in a folder of their own. */
beforeAll(async () => {
  rt = await openLocalStore({
    endpoint: dynamoEndpoint(),
    tableName: `scheme-optional-${Date.now().toString(36)}`,
  });
  dir = await mkdtemp(join(import.meta.dirname, '.scheme-optional-'));
  files = {};
  for (const name of await readdir(TINY)) files[name] = await readFile(join(TINY, name), 'utf8');
  for (const [name, text] of Object.entries(files))
    if (name !== 'scheme.json') await writeFile(join(dir, name), text);
}, 120_000);

afterAll(async () => {
  await rt?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const withoutScheme = () => Object.fromEntries(Object.entries(files).filter(([n]) => n !== 'scheme.json'));

async function refusal(work: Promise<unknown>): Promise<Error> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

/** Everything stored for a version that its content decides: the dataset, and each month's hashes. */
async function stored(version: number) {
  const hashes = await Promise.all(MONTHS.map((m) => rt.repos.datasets.monthHashes(communityId, version, m)));
  return { dataset: await rt.repos.datasets.load(communityId, version), hashes };
}

describe('an import without scheme.json', () => {
  it('is refused before anything was imported, naming scheme.json and what to do', async () => {
    const error = await refusal(importDataset(rt.repos, { dir }, 'office1'));
    expect(error).toBeInstanceOf(DatasetInvalidError);
    const [issue] = (error as DatasetInvalidError).issues;
    expect(issue).toMatchObject({ file: 'scheme.json', rule: 'file.missing' });
    expect(issue!.zh).toContain('首次导入须附 scheme.json');
    expect(issue!.en).toContain('a first import carries scheme.json');
    expect(await rt.repos.datasets.current(communityId, year)).toBeUndefined();
  });

  it('after the year’s first import, stores the same dataset (same hashes) as the files with scheme.json', async () => {
    const first = await importDataset(rt.repos, { files }, 'office1');
    expect(first.pointer).toMatchObject({ communityId, year });
    const again = await importDataset(rt.repos, { dir }, 'office1');
    expect(again.pointer).toMatchObject({ communityId, year });
    expect(again.pointer.version).toBeGreaterThan(first.pointer.version);
    const [a, b] = [await stored(first.pointer.version), await stored(again.pointer.version)];
    expect(b.hashes).toEqual(a.hashes);
    expect(Object.keys(a.hashes[0]!).length).toBeGreaterThan(0);
    expect(b.dataset).toEqual(a.dataset);
  });

  it('reads the year from the files, or takes --year and --community when given', async () => {
    const named = await importDataset(rt.repos, { files: withoutScheme() }, 'office1', undefined, {
      communityId,
      year,
    });
    expect(named.pointer).toMatchObject({ communityId, year });
  });

  it('takes a workbook without scheme.json the same way', async () => {
    const workbook = new Uint8Array(await datasetWorkbook(withoutScheme()));
    const outcome = await importDataset(rt.repos, { files: { '数据.xlsx': workbook } }, 'office1');
    const [a, b] = [await stored(1), await stored(outcome.pointer.version)];
    expect(b.hashes).toEqual(a.hashes);
    expect(b.dataset).toEqual(a.dataset);
  });

  it('is refused for a year without a scheme in force, naming community and year', async () => {
    const error = await refusal(
      importDataset(rt.repos, { files: withoutScheme() }, 'office1', undefined, { year: 2027 }),
    );
    const [issue] = (error as DatasetInvalidError).issues;
    expect(issue).toMatchObject({ file: 'scheme.json', rule: 'file.missing' });
    expect(issue!.en).toContain('county7 has no scheme in force for 2027');
    expect(issue!.zh).toContain('county7 的 2027 年还没有现行方案');
  });

  it('is refused for a community without a scheme in force', async () => {
    const error = await refusal(
      importDataset(rt.repos, { files: withoutScheme() }, 'office1', undefined, { communityId: 'county9' }),
    );
    expect((error as DatasetInvalidError).issues[0]!.en).toContain('county9 has no scheme in force for 2026');
  });

  it('is refused when the files do not say the year and none is given', async () => {
    const bare = withoutScheme();
    bare['insurance.csv'] = 'year,budget,actual,reasonableOverspend\n';
    for (const name of ['workload.csv', 'indicator-values.csv', 'finance.csv']) delete bare[name];
    const error = await refusal(importDataset(rt.repos, { files: bare }, 'office1'));
    const [issue] = (error as DatasetInvalidError).issues;
    expect(issue).toMatchObject({ file: 'scheme.json', rule: 'file.missing' });
    expect(issue!.en).toContain('give --year');
  });
});

describe('an import with scheme.json', () => {
  it('that differs from the scheme in force is still refused, naming the first differing field', async () => {
    const scheme = JSON.parse(files['scheme.json']!) as { pay: { holdbackRate: number } };
    scheme.pay.holdbackRate = 0.25;
    const error = await refusal(
      importDataset(rt.repos, { files: { ...files, 'scheme.json': JSON.stringify(scheme) } }, 'office1'),
    );
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect(error.message).toContain('pay.holdbackRate');
  });

  it('that names another community or year than asked is refused', async () => {
    const other = await refusal(
      importDataset(rt.repos, { files }, 'office1', undefined, { communityId: 'county9' }),
    );
    expect(other.message).toContain('not the community named (county9)');
    const later = await refusal(importDataset(rt.repos, { files }, 'office1', undefined, { year: 2027 }));
    expect(later.message).toContain('not the year named (2027)');
  });
});
