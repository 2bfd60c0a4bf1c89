/**
 * A month parked at the §9.1 wait before the Maps carried batch references (issue 12): its window holds the
 * state the first wait stored then — PrepareCycle's batches of institution ids themselves — and the local
 * engine re-enters the monthly definition with it when the office closes the window. The Map bodies take a
 * batch of ids as they take a reference, so the month pays from that state, reading no stored batch.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeWindow } from '../../../shared/app/secondary-service.js';
import type { LocalRuntime } from '../../../shared/local/runtime.js';
import type { CycleRef } from '../../../shared/schemas/events.js';
import { CycleBatchRepository } from '../../../shared/store/batches.js';
import { secondaryPartition } from '../../../shared/store/secondary.js';
import { MANUAL_MONTH, openManualMonth, startManualMonth } from './secondary-setup.js';

const { community, period } = MANUAL_MONTH;
let rt: LocalRuntime;

beforeAll(async () => {
  rt = await openManualMonth('secondary-legacy');
}, 120_000);

afterAll(() => rt?.close());

describe('a month parked at the §9.1 wait with the ids in its state (before batch references)', () => {
  it('pays from that state when the office closes the window, reading no stored batch', async () => {
    const { cycle } = await startManualMonth(rt);
    expect(rt.workflows.lastOutcome).toBe('paused');
    const ref = { communityId: community, period, revision: cycle.revision };
    const stored = (await rt.repos.secondary.window(ref))?.resumeInput as {
      cycle: CycleRef;
      prepared: unknown;
    };
    expect(stored.prepared).toMatchObject({ secondary: { institutionBatches: expect.any(Array) } });
    expect(JSON.stringify(stored)).not.toContain('C01');
    // The state as the wait stored it before: the batches of ids in place of the references.
    const all = await rt.repos.batches.batches(stored.cycle, 'all');
    const waiting = await rt.repos.batches.batches(stored.cycle, 'secondary');
    const legacy = {
      cycle: stored.cycle,
      prepared: { institutionBatches: all, approved: false, secondary: { institutionBatches: waiting } },
    };
    await rt.repos.table.update({
      Key: { pk: secondaryPartition(ref), sk: 'WINDOW' },
      UpdateExpression: 'SET resumeInput = :input',
      ExpressionAttributeValues: { ':input': legacy },
    });
    const reads = vi.spyOn(CycleBatchRepository.prototype, 'batches');
    try {
      await closeWindow(
        rt.repos,
        rt.workflows,
        { communityId: community, period },
        { by: 'office1', role: 'office' },
      );
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }
    expect((await rt.repos.cycles.get(community, 'monthly', period))?.status).toBe('completed');
    const paid = await rt.repos.results.payLines({ ...cycle });
    expect(paid.map((g) => g.institutionId).sort()).toEqual(all.flat().sort());
  }, 120_000);
});
