/**
 * DOMAIN.md §7 "no empty month": a month whose institutions have no workload rows is refused until the
 * starter acknowledges them. The refusal is read by a person (CLI, console, the scheduler's wait): a
 * province may miss thousands, so it names the first MISSING_NAMED and counts the rest, while the error
 * keeps every id for callers.
 */
import { describe, expect, it } from 'vitest';
import { acknowledgeMissing, MISSING_NAMED, MissingDataError } from '../../../shared/app/cycle-service.js';

const coverage = (missingCount: number) => ({
  period: '2026-06',
  datasetVersion: 1,
  withRows: ['C01'],
  headcount: 120,
  missing: Array.from({ length: missingCount }, (_, i) => ({
    id: `T${String(i + 1).padStart(4, '0')}`,
    name: `乡镇卫生院${i + 1}`,
    staff: 10 + i,
  })),
});

function refusal(missingCount: number): MissingDataError {
  try {
    acknowledgeMissing('2026-06', coverage(missingCount), undefined);
  } catch (error) {
    if (error instanceof MissingDataError) return error;
    throw error;
  }
  throw new Error('expected the month to be refused');
}

describe('a month with institutions missing', () => {
  it('names each one, and the ids to acknowledge, when there are few', () => {
    const error = refusal(3);
    expect(error.message).toContain(
      'T0001 乡镇卫生院1（10 人）、T0002 乡镇卫生院2（11 人）、T0003 乡镇卫生院3（12 人）。',
    );
    expect(error.message).toContain('--allow-missing T0001,T0002,T0003（或 all）');
    expect(error.message).toContain('--allow-missing T0001,T0002,T0003 (or all)');
    expect(error.institutionIds).toEqual(['T0001', 'T0002', 'T0003']);
  });

  it('names the first few of a province and counts the rest, in both languages; the error keeps every id', () => {
    const count = 2_500;
    const error = refusal(count);
    const more = count - MISSING_NAMED;
    expect(error.message).toContain(`T${String(MISSING_NAMED).padStart(4, '0')} `);
    expect(error.message).not.toContain(`T${String(MISSING_NAMED + 1).padStart(4, '0')}`);
    expect(error.message).toContain(`另有 ${more} 个机构（共 ${count} 个）`);
    expect(error.message).toContain(`and ${more} more (${count} in all)`);
    expect(error.message).toContain('--allow-missing all确认');
    expect(error.message).toContain('--allow-missing all;');
    expect(Buffer.byteLength(error.message)).toBeLessThan(4_000);
    expect(error.institutionIds).toHaveLength(count);
  });

  it('goes on when every missing one is acknowledged', () => {
    expect(acknowledgeMissing('2026-06', coverage(30), 'all')).toHaveLength(30);
  });
});
