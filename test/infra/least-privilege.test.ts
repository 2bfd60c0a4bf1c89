/**
 * Least privilege (issue 13): every Lambda's table policy is exactly what its code calls. The actions and
 * written partitions are derived from the handlers' bundles and the store's source
 * (infra/derive-table-access.ts) and compared with infra/table-access.ts, and that file with the
 * synthesized policies: reads on the table, writes only under `dynamodb:LeadingKeys` of the partitions
 * the function writes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ENTRIES } from '../../functions/api/index.js';
import { ALL_FUNCTIONS } from '../../functions/registry.js';
import { STACK_NAMES } from '../../infra/app.js';
import { type DerivedAccess, deriveTableAccessOf } from '../../infra/derive-table-access.js';
import { type AccessId, TABLE_ACCESS } from '../../infra/table-access.js';
import { synthOffline } from './offline-synth.js';

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};
type Resource = { Type: string; Properties: Record<string, unknown> };

const entries: [AccessId, string][] = [
  ...Object.entries(ALL_FUNCTIONS).map(
    ([id, spec]) => [id as AccessId, `functions/${spec.entry}`] as [AccessId, string],
  ),
  ...Object.entries(API_ENTRIES).map(
    ([group, file]) => [`api:${group}` as AccessId, `functions/api/${file}`] as [AccessId, string],
  ),
];

/** Each function's DynamoDB statements in the synthesized templates, by access id. */
const synthesized = new Map<AccessId, Statement[]>();
/** What each handler's code uses, derived from its bundle (every handler bundled in one esbuild call). */
let derived: Map<string, DerivedAccess>;

beforeAll(async () => {
  derived = await deriveTableAccessOf(entries.map(([, entry]) => entry));
  const { assembly } = synthOffline();
  for (const [stack, prefix] of [
    [STACK_NAMES.workflows, ''],
    [STACK_NAMES.api, 'api:'],
    // The API's job runner (RunApiJob, issue 12) is a registry function that lives in the API stack.
    [STACK_NAMES.api, ''],
  ] as const) {
    const resources = Object.entries(
      (assembly.getStackByName(stack).template as { Resources: Record<string, Resource> }).Resources,
    );
    for (const [id, r] of resources) {
      if (r.Type !== 'AWS::IAM::Policy') continue;
      const owner = entries.find(([access]) => {
        const name = access.startsWith('api:') ? `Api${access[4]!.toUpperCase()}${access.slice(5)}` : access;
        return (
          access.startsWith('api:') === (prefix === 'api:') &&
          id.startsWith(`${name}ServiceRoleDefaultPolicy`)
        );
      });
      if (!owner) continue;
      const dynamo = (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement.filter((s) =>
        [s.Action].flat().some((a) => a.startsWith('dynamodb:')),
      );
      synthesized.set(owner[0], [...(synthesized.get(owner[0]) ?? []), ...dynamo]);
    }
  }
}, 120_000);

describe('the table policy of every function', () => {
  it.each(entries)(
    '%s: infra/table-access.ts lists exactly the actions and partitions its code uses',
    (id, entry) => {
      expect(TABLE_ACCESS[id], `${id} (${entry}) — update infra/table-access.ts`).toEqual(derived.get(entry));
    },
    60_000,
  );

  it.each(entries)(
    '%s: the synthesized policy grants that and nothing more, writes only to its partitions',
    (id) => {
      const access = TABLE_ACCESS[id];
      const statements = synthesized.get(id) ?? [];
      const actions = (s: Statement) =>
        [s.Action]
          .flat()
          .map((a) => a.replace('dynamodb:', ''))
          .sort();
      const reads = statements.filter((s) => !s.Condition);
      expect(reads.flatMap(actions)).toEqual([...access.read].sort());
      // Every write statement is conditioned on the partitions; together they grant each action exactly its own.
      const granted: Record<string, string[]> = {};
      for (const s of statements.filter((s) => s.Condition)) {
        const leading = s.Condition!['ForAllValues:StringLike']!['dynamodb:LeadingKeys'] as string[];
        expect(Object.keys(s.Condition!)).toEqual(['ForAllValues:StringLike']);
        for (const action of actions(s)) granted[action] = [...(granted[action] ?? []), ...leading].sort();
      }
      const expected = Object.fromEntries(
        Object.entries(access.write).map(([a, prefixes]) => [a, prefixes.map((p) => `${p}*`).sort()]),
      );
      expect(granted).toEqual(expected);
      for (const s of statements) expect(s.Effect).toBe('Allow');
    },
  );

  it('derives from the code, so it can fail: a read-only function has no write, and an exporter writes only the audit trail', () => {
    expect(TABLE_ACCESS['api:explain'].write).toEqual({});
    // PrepareCycle writes nothing but the revision's batches of institution ids (the Maps carry references)
    // and the revision's result layout item.
    expect(TABLE_ACCESS.PrepareCycle.write).toEqual({ PutItem: ['BATCHES#', 'RESULT#'] });
    // A job's read records a job whose runner died as failed (issue 12), and writes nothing else.
    expect(TABLE_ACCESS['api:jobs'].write).toEqual({ UpdateItem: ['APIJOB#'] });
    // Issue 12: a sheet route records its job; the runner exports and appends the export's audit entry.
    expect(TABLE_ACCESS['api:sheets'].write).toEqual({ PutItem: ['APIJOB#'], UpdateItem: ['APIJOB#'] });
    // The runner's exports append only the audit trail; its corrections (issue 12) write a version and results.
    expect(TABLE_ACCESS.RunApiJob.write.PutItem).toContain('AUDIT#');
    expect(TABLE_ACCESS.RunApiJob.write.UpdateItem).toContain('APIJOB#');
    // A correction is recorded by its route and written by the runner: the route writes no dataset or result.
    expect(TABLE_ACCESS['api:cycles'].write.BatchWriteItem).toBeUndefined();
    expect(TABLE_ACCESS['api:appeals'].write).toEqual({
      PutItem: ['APIJOB#', 'AUDIT#', 'COMMUNITY#'],
      UpdateItem: ['APIJOB#'],
    });
    expect(TABLE_ACCESS.ComputeMonthlyPay.write).toEqual({
      BatchWriteItem: ['RESULT#'],
      PutItem: ['RESULT#'],
    });
  });
});
