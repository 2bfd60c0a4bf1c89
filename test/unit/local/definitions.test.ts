/**
 * The local state machines come from a cache keyed by a hash of what the CDK synthesis reads. The cache
 * must hold exactly what a fresh synthesis gives, and any change to those sources must change the key.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractStateMachines, findStateMachine } from '../../../shared/local/asl/extract.js';
import {
  definitionsHash,
  importClosure,
  synthesizeWorkflowTemplate,
  workflowTemplate,
} from '../../../shared/local/definitions.js';

const work = mkdtempSync(join(tmpdir(), 'medcomm-definitions-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the state machine definitions cache', () => {
  it('holds exactly what a fresh synthesis gives, and is read back without synthesizing', {
    timeout: 120_000,
  }, async () => {
    const cacheDir = join(work, 'cache');
    const first = await workflowTemplate({ cacheDir });
    expect(first.cached).toBe(false);
    // Read back; if a source changed in between (people edit this tree while tests run), the second call
    // synthesized the new sources and a third reads them back.
    let again = await workflowTemplate({ cacheDir });
    if (!again.cached) again = await workflowTemplate({ cacheDir });
    expect(again.cached).toBe(true);
    expect(readdirSync(cacheDir)).toContain(`${again.hash}.json`);
    const fresh = await synthesizeWorkflowTemplate();
    const machines = extractStateMachines(fresh);
    for (const path of [
      'MonthlyCycle/StateMachine',
      'QuarterlyCycle/StateMachine',
      'AnnualCycle/StateMachine',
    ])
      expect(findStateMachine(machines, path).definition.States).toBeDefined();
    expect(extractStateMachines(again.template)).toEqual(machines);
    // The project's own cache (filled by `npm ci`, or by the first cycle command) as well.
    expect(extractStateMachines((await workflowTemplate()).template)).toEqual(machines);
  });

  it('leaves no cloud assembly in the temp directory', { timeout: 120_000 }, async () => {
    const before = readdirSync(tmpdir()).sort();
    await synthesizeWorkflowTemplate();
    expect(readdirSync(tmpdir()).sort()).toEqual(before);
  });

  it('is keyed by every file the synthesis imports, and by nothing else', () => {
    const root = join(work, 'project');
    const file = (path: string, text: string) => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    file('infra/app.ts', "import { flow } from '../workflows/flow.js';\nexport * from './stack.js';\n");
    file('infra/stack.ts', "export const stack = await import('../shared/table.js');\n");
    file('workflows/flow.ts', "import type { T } from '../shared/types.js';\nexport const flow = 1;\n");
    file('shared/table.ts', 'export const table = 1;\n');
    file('shared/types.ts', 'export type T = 1;\n');
    file('shared/unrelated.ts', 'export const other = 1;\n');
    expect(importClosure('infra/app.ts', root)).toEqual([
      'infra/app.ts',
      'infra/stack.ts',
      'shared/table.ts',
      'shared/types.ts',
      'workflows/flow.ts',
    ]);
    const hash = definitionsHash(root);
    file('shared/unrelated.ts', 'export const other = 2;\n');
    expect(definitionsHash(root)).toBe(hash);
    file('shared/table.ts', 'export const table = 2;\n');
    const changed = definitionsHash(root);
    expect(changed).not.toBe(hash);
    file('workflows/flow.ts', "import type { T } from '../shared/types.js';\nexport const flow = 2;\n");
    expect(definitionsHash(root)).not.toBe(changed);
  });

  it('follows the real app to the workflows, the function registry and the table', () => {
    const closure = importClosure('infra/app.ts');
    expect(closure).toEqual(
      expect.arrayContaining([
        'infra/app.ts',
        'workflows/cycles.ts',
        'functions/registry.ts',
        'shared/store/table.ts',
      ]),
    );
  });
});
