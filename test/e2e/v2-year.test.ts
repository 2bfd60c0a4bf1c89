/**
 * DOMAIN.md §9 through the real workflows: `medcomm year` over a small demo county with every §9
 * addition writes the same §8.1 files as the in-memory year (shared/domain/year.ts) computes — so the
 * handlers read departments, secondments, the community's own rows and the scheme keys from the store
 * exactly as the domain core uses them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseDatasetFiles } from '../../shared/dataset/index.js';
import { generateCounty, writeDataset } from '../../shared/demo/index.js';
import { computeYear } from '../../shared/domain/year.js';
import {
  annualPaysheetJson,
  appraisalJson,
  bulletinJson,
  monthlyPaysheetJson,
  quarterlyPaysheetJson,
} from '../../shared/results/contract.js';
import { dynamoEndpoint } from '../integration/dynamodb/helpers.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');

describe('medcomm year over a v2 demo county', () => {
  it('writes what the in-memory year computes, §9 keys included', { timeout: 300_000 }, async () => {
    const out = await mkdtemp(join(tmpdir(), 'medcomm-v2-year-'));
    onTestFinished(() => rm(out, { recursive: true, force: true }));
    const files = generateCounty({ staff: 400, townships: 4, v2: true });
    const data = join(out, 'dataset');
    await writeDataset(data, files);
    await run(
      process.execPath,
      [
        join(root, 'bin/medcomm.mjs'),
        '--endpoint',
        dynamoEndpoint(),
        '--table',
        `v2-year-${Date.now()}`,
        'year',
        '--data',
        data,
        '--out',
        join(out, 'results'),
        '--as',
        'office1',
        '--approve-as',
        'finance1',
      ],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    );
    const parsed = parseDatasetFiles(files);
    if (!parsed.ok) throw new Error('the v2 demo must import');
    const year = computeYear(parsed.dataset);
    const read = async (file: string) => JSON.parse(await readFile(join(out, 'results', file), 'utf8'));
    for (const [period, results] of year.monthly) {
      expect(await read(`monthly/${period}/paysheet.json`), period).toEqual(
        monthlyPaysheetJson(period, results),
      );
    }
    for (const [period, q] of year.quarterly) {
      expect(await read(`quarterly/${period}/bulletin.json`), period).toEqual(
        bulletinJson(q.bulletin, q.community),
      );
      expect(await read(`quarterly/${period}/paysheet.json`), period).toEqual(
        quarterlyPaysheetJson(q.allocations),
      );
    }
    const appraisal = await read('annual/2026/appraisal.json');
    expect(appraisal).toEqual(appraisalJson(year.annual.institutions, year.annual.settlement));
    expect(appraisal.communityOwnScore).toBeDefined();
    expect(appraisal.institutions.some((i: { vetoedBy: string | null }) => i.vetoedBy !== null)).toBe(true);
    expect(await read('annual/2026/paysheet.json')).toEqual(annualPaysheetJson(year.annual.allocations));
    const march = await read('monthly/2026-03/paysheet.json');
    expect(
      march.some((r: { allowance?: string }) => r.allowance !== undefined && r.allowance !== '0.00'),
    ).toBe(true);
    const csv = await readFile(join(out, 'results', 'monthly/2026-03/paysheet.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toContain('补贴,财政保底补足,应发合计');
  });
});
