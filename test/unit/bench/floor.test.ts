/**
 * The floors' items (bench/lib/floor.ts): each of the step's average size by the store's own itemSize, and
 * — by default — text like the store's (JSON with quotes and Chinese names), which DynamoDB Local has to
 * escape as it does the store's own items; `plain` keeps the first floors' `x`s.
 */
import { describe, expect, it } from 'vitest';
import { floorItems } from '../../../bench/lib/floor.js';
import { itemSize } from '../../../shared/store/batch.js';

describe('floor items', () => {
  it.each([0, 40, 100, 1_000, 16_384, 60_001])(
    'are %i bytes each (give or take one), JSON text or x',
    (bytes) => {
      for (const fill of ['json', 'plain'] as const) {
        const items = floorItems(5, bytes, fill);
        expect(items).toHaveLength(5);
        for (const item of items)
          expect(
            Math.abs(itemSize(item) - Math.max(bytes, itemSize({ ...item, data: '' }))),
          ).toBeLessThanOrEqual(1);
      }
    },
  );

  it('hold JSON rows with quotes and Chinese names by default, x only when plain', () => {
    const [json] = floorItems(1, 8_000);
    const [plain] = floorItems(1, 8_000, 'plain');
    expect(json!.data).toMatch(/^\[\{"period":"2026-01",/);
    expect(json!.data).toContain('张三');
    expect((json!.data as string).split('"').length).toBeGreaterThan(500);
    expect(plain!.data).toMatch(/^x+$/);
  });
});
