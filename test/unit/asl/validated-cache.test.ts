/**
 * Definitions validated once per install (issue 17: ~1 s of CPU at the start of every cycle command): an
 * engine built with a `validatedCache` records a definition it validated, keyed by its text and the
 * validator's versions, and records nothing for one that fails validation, which still throws.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalEngine } from '../../../shared/local/asl/engine.js';

const dir = mkdtempSync(join(tmpdir(), 'validated-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pass = (result: string) => ({
  StartAt: 'Only',
  States: { Only: { Type: 'Pass', Result: result, End: true } },
});

describe('validated definitions', () => {
  it('are recorded by text and validator versions, and run as before', async () => {
    const cache = { dir: join(dir, 'one'), salt: 'interpreter 1 validator 1' };
    const engine = createLocalEngine({ definition: pass('first'), taskHandlers: {}, validatedCache: cache });
    expect(readdirSync(cache.dir)).toHaveLength(1);
    expect(await engine.run({})).toBe('first');
    // The same text again: nothing new. Another text, or other versions: one more record each.
    createLocalEngine({ definition: pass('first'), taskHandlers: {}, validatedCache: cache });
    expect(readdirSync(cache.dir)).toHaveLength(1);
    createLocalEngine({ definition: pass('second'), taskHandlers: {}, validatedCache: cache });
    createLocalEngine({
      definition: pass('first'),
      taskHandlers: {},
      validatedCache: { ...cache, salt: 'interpreter 2 validator 1' },
    });
    expect(readdirSync(cache.dir)).toHaveLength(3);
  });

  it('records nothing for a definition that fails validation, which still throws', () => {
    const cache = { dir: join(dir, 'two'), salt: 'interpreter 1 validator 1' };
    const broken = {
      StartAt: 'Only',
      States: { Only: { Type: 'Pass', Next: 'Nowhere' } },
    };
    expect(() =>
      createLocalEngine({ definition: broken, taskHandlers: {}, validatedCache: cache }),
    ).toThrow();
    expect(() => readdirSync(cache.dir)).toThrow();
  });
});
