/**
 * Corrections' differences (DOMAIN.md §7.1): for random old and new revisions — people added, removed,
 * every component changed or not — what is posted, added to the old pay, is the new pay, per person and
 * in total, to the fen; nothing is posted for an unchanged amount.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDatasetFiles } from '../../../shared/dataset/index.js';
import {
  type ComponentAmounts,
  componentTotal,
  correctionDifferences,
} from '../../../shared/domain/corrections.js';
import { DatasetIndex } from '../../../shared/domain/dataset-index.js';
import { monthlyStep } from '../../../shared/domain/steps.js';
import type { WorkloadRow } from '../../../shared/schemas/dataset.js';

const COMPONENTS = ['basic', 'reward', 'adjustment', 'allowance', 'fiscalTopUp'] as const;

const fen = fc.integer({ min: -2_000_000, max: 20_000_000 });
const line = (staffId: string) =>
  fc
    .record({
      basic: fen,
      reward: fen,
      adjustment: fen,
      allowance: fc.option(fen, { nil: undefined }),
      fiscalTopUp: fc.option(fen, { nil: undefined }),
    })
    .map((amounts) => ({ staffId, ...amounts }) as ComponentAmounts);

/** Two revisions of a period over overlapping staff, some lines identical. */
const revisions = fc
  .uniqueArray(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 40 })
  .chain((ids) => {
    const staff = ids.map((n) => `S${String(n).padStart(4, '0')}`);
    return fc.tuple(
      fc.tuple(...staff.map((id) => fc.option(line(id), { freq: 5 }))),
      fc.tuple(...staff.map((id) => fc.option(line(id), { freq: 5 }))),
      fc.array(fc.boolean(), { minLength: staff.length, maxLength: staff.length }),
    );
  })
  .map(([before, after, same]) => {
    const old = before.filter((l): l is ComponentAmounts => l !== null);
    // Some people keep their old line exactly (a correction touches few).
    const next = after
      .map((l, i) => (same[i] && before[i] ? before[i] : l))
      .filter((l): l is ComponentAmounts => l !== null);
    return { old, next };
  });

const personTotal = (lines: readonly ComponentAmounts[], staffId: string) =>
  componentTotal(
    lines.filter((l) => l.staffId === staffId),
    COMPONENTS,
  );

describe('correction differences', () => {
  it('old + posted = new, per person and in total, to the fen', () => {
    fc.assert(
      fc.property(revisions, ({ old, next }) => {
        const posted = correctionDifferences(old, next, COMPONENTS);
        const people = new Set([...old, ...next].map((l) => l.staffId));
        for (const staffId of people) {
          const sum = posted.filter((p) => p.staffId === staffId).reduce((acc, p) => acc + p.difference, 0);
          expect(personTotal(old, staffId) + sum).toBe(personTotal(next, staffId));
        }
        const total = posted.reduce((acc, p) => acc + p.difference, 0);
        expect(componentTotal(old, COMPONENTS) + total).toBe(componentTotal(next, COMPONENTS));
        expect(posted.every((p) => p.difference !== 0 && p.difference === p.new - p.old)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('posts one line per person and component that changed, in staff id order', () => {
    const old = [
      { staffId: 'B', basic: 100, reward: 50, adjustment: 0 },
      { staffId: 'A', basic: 100, reward: 50, adjustment: 0 },
    ];
    const next = [
      { staffId: 'A', basic: 100, reward: 51, adjustment: 0 },
      { staffId: 'C', basic: 0, reward: 0, adjustment: 7 },
    ];
    expect(correctionDifferences(old, next, ['basic', 'reward', 'adjustment'])).toEqual([
      { staffId: 'A', component: 'reward', old: 50, new: 51, difference: 1 },
      { staffId: 'B', component: 'basic', old: 100, new: 0, difference: -100 },
      { staffId: 'B', component: 'reward', old: 50, new: 0, difference: -50 },
      { staffId: 'C', component: 'adjustment', old: 0, new: 7, difference: 7 },
    ]);
  });
});

describe('a corrected month of the tiny dataset', () => {
  const parsed = parseDatasetDirSync();
  const ix = new DatasetIndex(parsed);
  const period = '2026-03';
  const monthOf = (workload: readonly WorkloadRow[], institutionId: string) =>
    monthlyStep({
      scheme: parsed.scheme,
      institution: parsed.institutions.find((i) => i.id === institutionId)!,
      roster: ix.roster(institutionId),
      period,
      workload,
      adjustments: ix.adjustments(institutionId, period),
    }).lines;

  it('for random corrections of its workload, old + posted = new per person, to the fen', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...parsed.institutions.map((i) => i.id)),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3000 }), fc.boolean()), { maxLength: 8 }),
        (institutionId, edits) => {
          const rows = ix.workload(institutionId, [period]);
          const corrected = rows.map((r) => ({ ...r }));
          for (const [at, points, drop] of edits) {
            if (corrected.length === 0) break;
            const i = at % corrected.length;
            if (drop && corrected.length > 1) corrected.splice(i, 1);
            else corrected[i] = { ...corrected[i]!, workPoints: String(points) };
          }
          const old = monthOf(rows, institutionId);
          const next = monthOf(corrected, institutionId);
          const posted = correctionDifferences(old, next, COMPONENTS);
          for (const staffId of new Set([...old, ...next].map((l) => l.staffId))) {
            const sum = posted.filter((p) => p.staffId === staffId).reduce((acc, p) => acc + p.difference, 0);
            const gross = (lines: typeof old) => lines.find((l) => l.staffId === staffId)?.gross ?? 0;
            expect(gross(old) + sum).toBe(gross(next));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

function parseDatasetDirSync() {
  const dir = join(import.meta.dirname, '../../fixtures/tiny/dataset');
  const files = Object.fromEntries(
    readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );
  const parsed = parseDatasetFiles(files);
  if (!parsed.ok) throw new Error('tiny dataset invalid');
  return parsed.dataset;
}
