/**
 * The golden example (../shared/spec/examples/tiny, copied to test/fixtures/tiny): the domain core run
 * over its dataset reproduces every figure of `expected/`, exactly.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDatasetDir } from '../../../shared/dataset/index.js';
import { computeYear, type YearResults } from '../../../shared/domain/year.js';
import {
  annualPaysheetJson,
  appraisalJson,
  bulletinJson,
  monthlyPaysheetJson,
  quarterlyPaysheetJson,
} from '../../../shared/results/contract.js';

const fixture = join(import.meta.dirname, '../../fixtures/tiny');
const expectedDir = join(fixture, 'expected');

function expectedFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? expectedFiles(path) : [relative(expectedDir, path)];
  });
}

/** The contract file a path names, computed from the in-memory year. */
function computed(year: YearResults, file: string): unknown {
  const [kind, period, name] = file.split('/') as [string, string, string];
  if (kind === 'monthly') return monthlyPaysheetJson(period, year.monthly.get(period)!);
  if (kind === 'quarterly') {
    const q = year.quarterly.get(period)!;
    return name === 'bulletin.json' ? bulletinJson(q.bulletin) : quarterlyPaysheetJson(q.allocations);
  }
  return name === 'appraisal.json'
    ? appraisalJson(year.annual.institutions, year.annual.settlement)
    : annualPaysheetJson(year.annual.allocations);
}

describe('the tiny golden dataset', () => {
  let year: YearResults;

  beforeAll(async () => {
    const parsed = await readDatasetDir(join(fixture, 'dataset'));
    if (!parsed.ok) throw new Error(`tiny dataset does not import: ${JSON.stringify(parsed.issues)}`);
    year = computeYear(parsed.dataset);
  });

  it('has the 22 expected result files', () => {
    expect(expectedFiles(expectedDir)).toHaveLength(22);
  });

  it.each(expectedFiles(expectedDir))('reproduces %s exactly', (file) => {
    const expected = JSON.parse(readFileSync(join(expectedDir, file), 'utf8'));
    expect(computed(year, file)).toEqual(expected);
  });
});
