/**
 * The scheme lifecycle on DynamoDB Local: draft (office) → submitted → approved by the committee (never
 * the drafter or an editor) → published, which the next cycle uses; the import rule for scheme.json; the
 * audit of every step; and a readable diff of two versions.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../shared/app/import-service.js';
import { diffSchemes } from '../../../shared/app/scheme-diff.js';
import { checkDatasetScheme, schemeFileInForce, withSchemeInForce } from '../../../shared/app/scheme-rule.js';
import {
  createSchemeDraft,
  decideScheme,
  publishScheme,
  schemeInForce,
  schemeStatusLine,
  schemesOf,
  submitScheme,
  updateSchemeDraft,
} from '../../../shared/app/scheme-service.js';
import { simulateScheme } from '../../../shared/app/simulation.js';
import { runCycleToEnd } from '../../../shared/app/year-runner.js';
import { datasetOrThrow, parseDatasetFiles, readDatasetDir } from '../../../shared/dataset/index.js';
import { FourEyesError, PrerequisiteError, ReviewStateError } from '../../../shared/errors.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import type { Dataset } from '../../../shared/schemas/dataset.js';
import type { MonthlyInstitutionResult } from '../../../shared/schemas/results.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

const DATASET = join(import.meta.dirname, '../../fixtures/tiny/dataset');
const communityId = 'county7';
const year = 2026;

let rt: LocalRuntime;
let original: Dataset;

beforeAll(async () => {
  rt = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `schemes-${Date.now().toString(36)}`,
  });
  original = datasetOrThrow(await readDatasetDir(DATASET));
  // A year without any scheme yet takes the dataset's: the first import publishes it.
  await checkDatasetScheme(rt.repos, original);
  await importDataset(rt.repos, { dir: DATASET }, 'office1');
}, 120_000);

afterAll(async () => {
  await rt?.close();
});

const ref = (version: number) => ({ communityId, year, version });

describe('the scheme lifecycle', () => {
  it('starts from the scheme the first import carried', async () => {
    const inForce = await schemeInForce(rt.repos, communityId, year);
    expect(inForce).toMatchObject({ source: 'dataset', version: null, datasetVersion: 1 });
    expect(inForce!.scheme.pay.holdbackRate).toBe(original.scheme.pay.holdbackRate);
  });

  it('drafts, edits, submits; the committee approves with four eyes; publishing makes the next cycle use it', async () => {
    const draft = await createSchemeDraft(rt.repos, { communityId, year, by: 'office1' });
    expect(draft).toMatchObject({ version: 1, status: 'draft', createdBy: 'office1', basedOn: null });

    const scheme = structuredClone(draft.scheme);
    scheme.pay.holdbackRate = '0.3';
    const edited = await updateSchemeDraft(rt.repos, { ...ref(1), by: 'office2', scheme });
    expect(edited.editedBy).toEqual(['office1', 'office2']);
    expect(edited.hash).not.toBe(draft.hash);

    // Not before it is submitted, and never by whoever drafted or edited it.
    await expect(decideScheme(rt.repos, { ...ref(1), by: 'committee1', approve: true })).rejects.toThrow(
      ReviewStateError,
    );
    await submitScheme(rt.repos, { ...ref(1), by: 'office1' });
    await expect(submitScheme(rt.repos, { ...ref(1), by: 'office1' })).rejects.toThrow(ReviewStateError);
    await expect(updateSchemeDraft(rt.repos, { ...ref(1), by: 'office1', scheme })).rejects.toThrow(
      ReviewStateError,
    );
    for (const author of ['office1', 'office2']) {
      await expect(decideScheme(rt.repos, { ...ref(1), by: author, approve: true })).rejects.toThrow(
        FourEyesError,
      );
    }
    await expect(publishScheme(rt.repos, { ...ref(1), by: 'office1' })).rejects.toThrow(ReviewStateError);
    const approved = await decideScheme(rt.repos, { ...ref(1), by: 'committee1', approve: true });
    expect(approved).toMatchObject({ status: 'approved', decidedBy: 'committee1' });

    const published = await publishScheme(rt.repos, { ...ref(1), by: 'office1' });
    expect(published).toMatchObject({ status: 'published', datasetVersion: 2 });
    const inForce = await schemeInForce(rt.repos, communityId, year);
    expect(inForce).toMatchObject({ source: 'published', version: 1, datasetVersion: 2, hash: edited.hash });
    expect(await rt.repos.datasets.scheme(communityId, 2)).toMatchObject({ pay: { holdbackRate: '0.3' } });

    // Publishing again is a retry: nothing new is written.
    expect(await publishScheme(rt.repos, { ...ref(1), by: 'office1' })).toMatchObject({ datasetVersion: 2 });
    expect((await rt.repos.datasets.current(communityId, year))?.version).toBe(2);

    // The next cycle runs on the published scheme and keeps its dataset version.
    const cycle = await runCycleToEnd(rt.repos, rt.workflows, {
      communityId,
      kind: 'monthly',
      period: '2026-01',
      by: 'office1',
      approver: 'finance1',
    });
    expect(cycle.datasetVersion).toBe(2);
    const results = await rt.repos.results.institutions<MonthlyInstitutionResult>(cycle);
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      // H = round(M × 0.3), half-up, in integer fen.
      expect(r.holdback).toBe(Math.floor((r.pool * 3 + 5) / 10));
    }
  });

  it('records every step in the audit trail', async () => {
    const actions = (await rt.repos.audit.entries(communityId)).map((e) => `${e.action} ${e.actor}`);
    const steps = actions.filter((a) => a.startsWith('scheme.') || a.startsWith('dataset.import'));
    expect(steps).toEqual([
      'dataset.import office1',
      'scheme.draft office1',
      'scheme.edit office2',
      'scheme.submit office1',
      'scheme.approve committee1',
      'scheme.publish office1',
      'dataset.import office1',
    ]);
    expect((await rt.repos.audit.verify(communityId)).ok).toBe(true);
  });

  it('a rejection needs a reason and ends the version; a new draft supersedes the published one when published', async () => {
    const scheme = structuredClone(original.scheme);
    scheme.grades[0]!.min = '85';
    const v2 = await createSchemeDraft(rt.repos, { communityId, year, by: 'office1', scheme });
    expect(v2).toMatchObject({ version: 2, basedOn: 1 });
    await submitScheme(rt.repos, { ...ref(2), by: 'office1' });
    await expect(decideScheme(rt.repos, { ...ref(2), by: 'committee1', approve: false })).rejects.toThrow(
      ReviewStateError,
    );
    const rejected = await decideScheme(rt.repos, {
      ...ref(2),
      by: 'committee1',
      approve: false,
      reason: '等级线需再议',
    });
    expect(rejected).toMatchObject({ status: 'rejected', reason: '等级线需再议' });
    await expect(publishScheme(rt.repos, { ...ref(2), by: 'office1' })).rejects.toThrow(ReviewStateError);

    const v3 = await createSchemeDraft(rt.repos, { communityId, year, by: 'office2', basedOn: 2 });
    await submitScheme(rt.repos, { ...ref(3), by: 'office2' });
    await decideScheme(rt.repos, { ...ref(3), by: 'committee2', approve: true });
    await publishScheme(rt.repos, { ...ref(3), by: 'committee2' });
    const versions = await schemesOf(rt.repos).list(communityId, year);
    expect(versions.map((v) => `${v.version}:${v.status}`)).toEqual([
      '1:superseded',
      '2:rejected',
      '3:published',
    ]);
    expect(v3.hash).toBe(v2.hash);
    expect((await schemeInForce(rt.repos, communityId, year))?.version).toBe(3);
    expect(await schemeStatusLine(rt.repos, communityId, year)).toBe(`2026 考核方案 scheme: v3 #${v3.hash}`);
    await createSchemeDraft(rt.repos, { communityId, year, by: 'office1' });
    expect(await schemeStatusLine(rt.repos, communityId, year)).toBe(
      `2026 考核方案 scheme: v3 #${v3.hash} · 待办 pending: v4 草稿 draft`,
    );
  });

  it('diffs two versions readably', async () => {
    const schemes = schemesOf(rt.repos);
    const [v1, v3] = [await schemes.get(communityId, year, 1), await schemes.get(communityId, year, 3)];
    const changes = diffSchemes(v1!, v3!);
    expect(changes).toContainEqual(
      expect.objectContaining({ kind: 'field.changed', field: 'pay.holdbackRate', from: '0.3', to: '0.2' }),
    );
    expect(changes).toContainEqual(
      expect.objectContaining({ kind: 'grade.changed', grade: '优秀', field: 'min', from: '90', to: '85' }),
    );
    expect(diffSchemes(v3!, v3!)).toEqual([]);
  });
});

describe('side by side', () => {
  it('two committee members deciding at once: one decision wins, the other is told', async () => {
    await submitScheme(rt.repos, { ...ref(4), by: 'office1' });
    const outcomes = await Promise.allSettled([
      decideScheme(rt.repos, { ...ref(4), by: 'committee1', approve: true }),
      decideScheme(rt.repos, { ...ref(4), by: 'committee2', approve: false, reason: '不同意' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ReviewStateError);
    const stored = await schemesOf(rt.repos).get(communityId, year, 4);
    const winner = (
      outcomes.find((o) => o.status === 'fulfilled') as PromiseFulfilledResult<{ status: string }>
    ).value;
    expect(stored?.status).toBe(winner.status);
  });

  it('a simulation runs while a cycle runs, and neither disturbs the other', async () => {
    const draft = { scheme: (await schemeInForce(rt.repos, communityId, year))!.scheme };
    const [cycle, simulation] = await Promise.all([
      runCycleToEnd(rt.repos, rt.workflows, {
        communityId,
        kind: 'monthly',
        period: '2026-02',
        by: 'office1',
        approver: 'finance1',
      }),
      simulateScheme(rt.repos, { communityId, year, draft, months: [1, 2], by: 'office1' }),
    ]);
    expect(cycle.status).toBe('completed');
    expect(simulation.periods.map((p) => p.period)).toEqual(['2026-01', '2026-02']);
    expect((await rt.repos.audit.verify(communityId)).ok).toBe(true);
  });
});

describe('the import rule for scheme.json', () => {
  it('refuses a dataset whose scheme differs from the published one, naming the first differing field', async () => {
    const error = await checkDatasetScheme(rt.repos, original).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as Error).message).toContain('grades[0].min');
    expect((error as Error).message).toContain('v3');
  });

  it('is applied by the import, which then changes nothing', async () => {
    const before = await rt.repos.datasets.current(communityId, year);
    const error = await importDataset(rt.repos, { dir: DATASET }, 'office1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as Error).message).toContain('scheme.json');
    expect(await rt.repos.datasets.current(communityId, year)).toEqual(before);
  });

  it('names the indicators.csv row and column that differ', async () => {
    const published = await schemeInForce(rt.repos, communityId, year);
    const indicators = structuredClone(published!.indicators);
    indicators[2]!.weight = '20';
    const error = await checkDatasetScheme(rt.repos, {
      ...original,
      scheme: published!.scheme,
      indicators,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('indicators.csv 第 4 行 weight');
    expect((error as Error).message).toContain('row 4, column weight');
  });

  it('accepts a dataset carrying the published scheme, and gives its scheme.json to an import without one', async () => {
    expect(await schemeFileInForce(rt.repos, communityId, year)).toContain('"holdbackRate"');
    const { readFile, readdir } = await import('node:fs/promises');
    const files: Record<string, string> = {};
    for (const name of await readdir(DATASET))
      if (name !== 'scheme.json') files[name] = await readFile(join(DATASET, name), 'utf8');
    const parsed = parseDatasetFiles(await withSchemeInForce(rt.repos, files, communityId));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.dataset.scheme).toEqual((await schemeInForce(rt.repos, communityId, year))!.scheme);
    await expect(checkDatasetScheme(rt.repos, parsed.dataset)).resolves.toBeUndefined();
  });
});
