/**
 * When a streamed import's writer puts its queued blobs (shared/store/datasets.ts VersionWriter): a flush's
 * worth (250 pages or 4 MB) at any time, and a BatchWriteItem's worth (25 pages) as soon as nothing is in
 * flight — so a county's writes overlap its parse instead of beginning when it ends (issue 17).
 */
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../shared/schemas/dataset.js';
import { BATCH_WRITE_LIMIT } from '../../../shared/store/batch.js';
import {
  type OtherFileRows,
  VersionWriter,
  type WorkloadGroup,
  type WriterStore,
} from '../../../shared/store/datasets.js';

/** A store whose putBlobs calls wait until the test lets them end. */
function heldStore() {
  const calls: { pages: number; done: () => void }[] = [];
  const store = {
    putBlobs: (_version: number, _logPage: number, blobs: { texts: string[] }[]) =>
      new Promise<number>((resolve) => {
        const pages = blobs.reduce((sum, b) => sum + b.texts.length, 0);
        calls.push({ pages, done: () => resolve(pages) });
      }),
  } as unknown as WriterStore;
  return { store, calls };
}

const noRows: OtherFileRows = { indicatorValues: [], finance: [], adjustments: [] };
const dataset = { staff: [], indicatorValues: [], finance: [], adjustments: [] } as unknown as Dataset;

/** `count` one-page institution-months of `period`, each with its own rows (so its own hash). */
function month(period: string, count: number, from = 0): Map<string, WorkloadGroup> {
  const workload = new Map<string, WorkloadGroup>();
  for (let i = from; i < from + count; i++) {
    const text = JSON.stringify({ period, staffId: `I${i}-0001`, workPoints: String(i) });
    workload.set(`I${i}`, { texts: [text], rows: [i + 2] });
  }
  return workload;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the writer puts a BatchWriteItem’s worth at once while nothing is in flight', () => {
  it('puts 25 pages when idle, holds the next ones while they are written, and puts again once idle', async () => {
    const { store, calls } = heldStore();
    const writer = new VersionWriter(store, async () => 7, 'c', new Set(), dataset, noRows);
    writer.put(writer.month('2026-01', month('2026-01', BATCH_WRITE_LIMIT - 1)));
    await settle();
    expect(calls).toHaveLength(0); // less than a BatchWriteItem: kept

    writer.put(writer.month('2026-02', month('2026-02', 1)));
    await settle();
    expect(calls.map((c) => c.pages)).toEqual([BATCH_WRITE_LIMIT]);

    // A flush in flight: the next pages wait for a flush's worth (or the end).
    writer.put(writer.month('2026-03', month('2026-03', 2 * BATCH_WRITE_LIMIT)));
    await settle();
    expect(calls).toHaveLength(1);

    calls[0]!.done();
    await settle();
    writer.put(writer.month('2026-04', month('2026-04', 1)));
    await settle();
    expect(calls.map((c) => c.pages)).toEqual([BATCH_WRITE_LIMIT, 2 * BATCH_WRITE_LIMIT + 1]);
    calls[1]!.done();
    await settle();
    expect(writer.pagesWritten).toBe(3 * BATCH_WRITE_LIMIT + 1);
  });

  it('a flush’s worth goes out whatever is in flight', async () => {
    const { store, calls } = heldStore();
    const writer = new VersionWriter(store, async () => 7, 'c', new Set(), dataset, noRows);
    writer.put(writer.month('2026-01', month('2026-01', BATCH_WRITE_LIMIT)));
    await settle();
    writer.put(writer.month('2026-02', month('2026-02', VersionWriter.flushItems)));
    await settle();
    expect(calls.map((c) => c.pages)).toEqual([BATCH_WRITE_LIMIT, VersionWriter.flushItems]);
    for (const call of calls) call.done();
  });
});
