/**
 * History events per execution (Step Functions Standard: at most 25,000), computed from the synthesized
 * definitions (infra/history-events.ts) for a county (31 institutions), a city (310) and a province (3,100).
 * Every Map iterates PrepareCycle's batches of institutions, cut as PrepareCycle cuts them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AslMachine,
  type AslState,
  eventsPerExecution,
  HISTORY_EVENT_LIMIT,
} from '../../infra/history-events.js';
import { institutionBatches, MAX_BATCH_INSTITUTIONS } from '../../shared/app/institution-batches.js';
import { workflowMachines } from './offline-synth.js';

const SCALES = { county: 31, city: 310, province: 3100 } as const;
let machines: Record<string, AslMachine>;
let importMachine: AslMachine | undefined;

beforeAll(() => {
  // The import workflow's Map iterates chunks, not institutions (its own test below).
  const { import: imports, ...cycles } = workflowMachines();
  importMachine = imports;
  machines = cycles;
}, 120_000);

/** The Map iterations of a cycle of `institutions`: PrepareCycle's batches of their ids. */
const batchesOf = (institutions: number) =>
  institutionBatches(Array.from({ length: institutions }, (_, i) => `I${String(i).padStart(5, '0')}`)).length;

/**
 * Every Map of the cycles iterates the cycle's batches of institutions (PrepareCycle's institutionBatches),
 * except the monthly §9.1 manual-mode Maps, which iterate the batches of the institutions whose department
 * heads split their pools (`$.prepared.secondary.institutionBatches`, one task token per batch): `manual`
 * of them, cut as PrepareCycle cuts them.
 */
const events = (kind: string, institutions: number, manual = 0) =>
  eventsPerExecution(machines[kind]!, (name, state) => {
    if (state.ItemsPath === '$.prepared.secondary.institutionBatches') return batchesOf(manual);
    expect(state.ItemsPath, name).toBe('$.prepared.institutionBatches');
    return batchesOf(institutions);
  });

/** "Well under" the limit: a tenth of it, room for retries, a bigger province and steps added later. */
const WELL_UNDER = HISTORY_EVENT_LIMIT / 10;

describe('history events per execution', () => {
  it('counts the three cycles, each growing with the batches of institutions', () => {
    expect(Object.keys(machines).sort()).toEqual(['annual', 'monthly', 'quarterly']);
    for (const kind of Object.keys(machines)) {
      expect(events(kind, SCALES.city)).toBeGreaterThan(events(kind, 1));
      expect(events(kind, SCALES.province)).toBeGreaterThan(events(kind, SCALES.city));
    }
  });

  it('cuts a province into batches of at most 50 and a county into at least 8 (the Map runs 8 at a time)', () => {
    expect(batchesOf(SCALES.county)).toBe(8);
    expect(batchesOf(SCALES.city)).toBe(8);
    expect(batchesOf(SCALES.province)).toBe(Math.ceil(SCALES.province / MAX_BATCH_INSTITUTIONS));
  });

  it.each(['monthly', 'quarterly', 'annual'])(
    '%s: a county, a city and a province (3,100 institutions) stay well under 25,000',
    (kind) => {
      for (const institutions of Object.values(SCALES))
        expect(events(kind, institutions)).toBeLessThan(WELL_UNDER);
    },
  );

  it('counts a monthly cycle as its states do: 7 events per batch', () => {
    expect(events('monthly', SCALES.province) - events('monthly', SCALES.city)).toBe(
      7 * (batchesOf(SCALES.province) - batchesOf(SCALES.city)),
    );
  });

  it.each(Object.entries(SCALES))(
    'monthly in §9.1 manual mode: a %s whose every institution waits stays well under 25,000',
    (_scale, institutions) => {
      const manual = events('monthly', institutions, institutions);
      expect(manual).toBeGreaterThan(events('monthly', institutions));
      expect(manual).toBeLessThan(WELL_UNDER);
    },
  );

  it('monthly in §9.1 manual mode: the wait grows with the batches, not the institutions that wait', () => {
    const waiting = (n: number) => events('monthly', SCALES.province, n) - events('monthly', SCALES.province);
    // Per batch: its draft (an iteration, 2, of a Lambda task, 5) and its wait (2 + a task-token task, 6).
    // (The longest path goes through the manual branch's two Maps and CloseSecondary even when nobody waits.)
    for (const n of [1, 40, 3000, SCALES.province, 10_000])
      expect(waiting(n), `${n} waiting`).toBe(batchesOf(n) * (7 + 8));
    // A province of 10,000 institutions, every one waiting, still fits.
    expect(events('monthly', 10_000, 10_000)).toBeLessThan(HISTORY_EVENT_LIMIT);
  });

  it('monthly in §9.1 manual mode: a batch whose wait times out closes the window, so a batch started later answers at once', () => {
    // AWS runs at most 40 of a Map's iterations at once: a province's 62 batches wait in two waves, and the
    // second must not wait another 20 days.
    const map = machines.monthly!.States.AwaitSecondaryEach!;
    const processor = (map.ItemProcessor ?? map.Iterator)!;
    const wait = processor.States.AwaitSecondary as AslState & {
      Catch?: { ErrorEquals: string[]; Next: string }[];
      TimeoutSeconds?: number;
    };
    expect(wait.Resource).toContain('waitForTaskToken');
    expect(wait.TimeoutSeconds).toBe(20 * 24 * 3600);
    const onTimeout = wait.Catch?.find((c) => c.ErrorEquals.includes('States.Timeout'))?.Next;
    expect(processor.States[onTimeout!]).toMatchObject({ Type: 'Task' });
    // The CloseSecondary function (the definition here has its ARNs blanked out; the state names it).
    expect(onTimeout).toBe('CloseSecondaryOnTimeout');
  });

  it('would not fit a province with one Map iteration per institution (what batching fixes)', () => {
    const perInstitution = (kind: string) => eventsPerExecution(machines[kind]!, () => SCALES.province);
    expect(perInstitution('quarterly')).toBeGreaterThan(HISTORY_EVENT_LIMIT);
    expect(perInstitution('annual')).toBeGreaterThan(HISTORY_EVENT_LIMIT);
  });
});

describe('history events of the import workflow', () => {
  // bench/README.md, PrepareImport: a province staged 39,956 items in 161 chunks of ≤ 4 MB (2026-12-07).
  it('a province import (161 chunks of ≤ 4 MB measured, counted as 200) stays well under 25,000', () => {
    expect(importMachine).toBeDefined();
    const chunks = (n: number) =>
      eventsPerExecution(importMachine!, (name, state) => {
        expect(state.ItemsPath, name).toBe('$.prepared.chunks');
        return n;
      });
    expect(chunks(200)).toBeGreaterThan(chunks(17));
    expect(chunks(200)).toBeLessThan(WELL_UNDER);
    // Even 4 GB of items (1,000 chunks) would fit one execution.
    expect(chunks(1000)).toBeLessThan(HISTORY_EVENT_LIMIT);
  });
});
