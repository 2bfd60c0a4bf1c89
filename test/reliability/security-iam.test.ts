/**
 * What the workflow functions may do to the table, read from the synthesized template (infra/app.ts
 * buildApp, no bundling, no nag): item-level DynamoDB actions on the table's ARN and nothing wider — no
 * table administration, no scans, no wildcard action or resource anywhere in the stack.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, STACK_NAMES } from '../../infra/app.js';
import { TABLE_ACCESS } from '../../infra/table-access.js';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resource = { Type: string; Properties: Record<string, unknown> };

const ITEM_ACTIONS = new Set([
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
]);

let resources: [string, Resource][];
let statements: { policy: string; statement: Statement }[];

const actionsOf = (s: Statement) => ([] as string[]).concat(s.Action);
const resourcesOf = (s: Statement) => ([] as unknown[]).concat(s.Resource);

beforeAll(() => {
  const { app } = buildApp({ nag: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const template = app.synth({ validateOnSynthesis: false }).getStackByName(STACK_NAMES.workflows)
    .template as { Resources: Record<string, Resource> };
  resources = Object.entries(template.Resources);
  statements = resources
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
    .flatMap(([id, r]) =>
      (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement.map((statement) => ({
        policy: id,
        statement,
      })),
    );
}, 120_000);

describe('IAM of the workflow stack', () => {
  it('has no inline role policies or managed policies that would escape these checks', () => {
    const roles = resources.filter(([, r]) => r.Type === 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThan(10);
    for (const [id, role] of roles) {
      expect(role.Properties.Policies, id).toBeUndefined();
      const managed = JSON.stringify(role.Properties.ManagedPolicyArns ?? []);
      expect(managed, id).not.toMatch(/AdministratorAccess|AmazonDynamoDBFullAccess|PowerUserAccess/);
    }
    expect(resources.filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy')).toEqual([]);
  });

  it('grants DynamoDB only item actions, only on the table ARN, to every function that touches it', () => {
    const dynamo = statements.filter(({ statement }) =>
      actionsOf(statement).some((a) => a.startsWith('dynamodb:')),
    );
    // Per function a read statement, and a write statement per set of partitions it writes
    // (infra/table-access.ts) — counted from that table.
    const expected = Object.entries(TABLE_ACCESS)
      // The API stack's functions: its route groups and the job runner it invokes (infra/stacks/api-stack.ts).
      .filter(([id]) => !id.startsWith('api:') && id !== 'RunApiJob')
      .reduce(
        (n, [, a]) =>
          n + (a.read.length ? 1 : 0) + new Set(Object.values(a.write).map((p) => [...p].sort().join())).size,
        0,
      );
    expect(dynamo).toHaveLength(expected);
    const tableArns = new Set<string>();
    for (const { policy, statement } of dynamo) {
      expect(statement.Effect, policy).toBe('Allow');
      for (const action of actionsOf(statement))
        expect(ITEM_ACTIONS.has(action), `${policy}: ${action}`).toBe(true);
      const targets = resourcesOf(statement);
      expect(targets, policy).toHaveLength(1);
      // The data stack's table, imported by its ARN — not '*', not an index, not another table.
      expect(JSON.stringify(targets[0]), policy).toMatch(
        /^\{"Fn::ImportValue":"MedcommData:ExportsOutputFnGetAttTable[0-9A-F]+Arn[0-9A-F]+"\}$/,
      );
      tableArns.add(JSON.stringify(targets[0]));
    }
    expect(tableArns.size).toBe(1);
  });

  it('has no wildcard action and no DynamoDB or Lambda permission on "*"', () => {
    for (const { policy, statement } of statements) {
      for (const action of actionsOf(statement)) {
        expect(action, policy).not.toBe('*');
        expect(action, policy).not.toMatch(/^[a-z0-9-]+:\*$/);
      }
      const wide = resourcesOf(statement).some((r) => r === '*');
      if (wide) {
        // Only services whose actions take no resource (X-Ray, log delivery) may use '*'.
        for (const action of actionsOf(statement)) expect(action, policy).toMatch(/^(xray|logs):/);
      }
    }
  });

  // Workflow steps get only the item actions they use, each on the partitions it writes
  // (infra/table-access.ts, held to the code by test/infra/least-privilege.test.ts): the audit trail and
  // pay results stay append-only for them — no delete or update reaches RESULT# or AUDIT#, no batch write
  // reaches AUDIT#, and no write goes unconditioned by dynamodb:LeadingKeys. The one exception is the
  // per-institution steps' batch write of their results (a batch of institutions per Map iteration, issue
  // 12): it may only follow that batch's write-once guards, created in one conditioned transaction
  // (test/integration/dynamodb/results-batch.test.ts), and a completed cycle's results are sealed, so an
  // overwrite is detected (test/reliability/tamper.test.ts). (The scheduled starter releases an import
  // lease, a COMMUNITY# item.)
  const BATCH_RESULT_WRITERS = /^(ComputeMonthlyPay|ScoreQuarter|ScoreAnnual|AllocatePool)/;
  it('no workflow function can delete or update results or the audit trail; only the guarded per-institution steps batch-write results', () => {
    const writes = [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
    ];
    const dynamoWrites = statements.filter(({ statement }) =>
      actionsOf(statement).some((a) => writes.includes(a)),
    );
    expect(dynamoWrites.length).toBeGreaterThan(0);
    for (const { policy, statement } of dynamoWrites) {
      const leading = JSON.stringify(statement.Condition ?? {});
      expect(leading, policy).toContain('dynamodb:LeadingKeys');
      const destructive = actionsOf(statement).filter((a) =>
        ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'].includes(a),
      );
      if (destructive.length)
        expect(leading, `${policy}: ${destructive.join()}`).not.toMatch(/RESULT#|AUDIT#/);
      if (actionsOf(statement).includes('dynamodb:BatchWriteItem')) {
        expect(leading, `${policy}: BatchWriteItem`).not.toMatch(/AUDIT#/);
        if (/RESULT#/.test(leading)) expect(policy).toMatch(BATCH_RESULT_WRITERS);
      }
    }
  });
});
