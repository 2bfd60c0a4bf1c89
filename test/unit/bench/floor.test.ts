/**
 * The floors' items (bench/lib/floor.ts): each of the step's average size by the store's own itemSize, and
 * — by default — text like the store's (JSON with quotes and Chinese names), which DynamoDB Local has to
 * escape as it does the store's own items; `plain` keeps the first floors' `x`s.
 */
import { describe, expect, it } from 'vitest';
import { capturedFloorItems, floorItems } from '../../../bench/lib/floor.js';
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

describe('floor items from a step’s own', () => {
  const captured = [
    { pk: 'A', sk: '1', type: 'Page', data: '[{"a":"张三"}]' },
    { pk: 'A', sk: '1', type: 'Page', data: '[{"a":"李四"}]' },
    { pk: 'B', sk: '2', type: 'Page', data: '"x"' },
  ];

  it('are the captured items, each under a key of its own, and no more when they hold the step’s bytes', () => {
    // The step's count also counts updates and checks (no item to write): it adds nothing.
    const items = capturedFloorItems(captured, 50, 10);
    expect(items.map((i) => `${i.pk} ${i.sk}`)).toEqual(['A 1#0', 'A 1#1', 'B 2#2']);
    expect(items.map((i) => i.data)).toEqual(captured.map((i) => i.data));
  });

  it('are the captured ones again in turn past the capture’s bound, until they hold the step’s bytes', () => {
    const once = capturedFloorItems(captured, 3, 0).reduce((n, i) => n + itemSize(i), 0);
    const items = capturedFloorItems(captured, 3, 2 * once + 1);
    expect(items.length).toBeGreaterThan(6);
    expect(items.length).toBeLessThanOrEqual(8);
    expect(items.map((i) => i.data).slice(0, 6)).toEqual([...captured, ...captured].map((i) => i.data));
    expect(new Set(items.map((i) => `${i.pk} ${i.sk}`)).size).toBe(items.length);
  });

  it('are rows of JSON text of the average size when nothing was captured', () => {
    const items = capturedFloorItems([], 3, 6_000);
    expect(items).toHaveLength(3);
    for (const item of items) expect(Math.abs(itemSize(item) - 2_000)).toBeLessThanOrEqual(1);
  });
});
