/**
 * Derives, from the code, what each Lambda does to the table: the DynamoDB actions its handler calls and
 * the partition-key prefixes it writes. Used by test/infra/least-privilege.test.ts to hold the IAM
 * policies of infra/table-access.ts to exactly that (never by the synth: the policies are written out so a
 * reviewer reads them).
 *
 * How: each handler is bundled by esbuild (tree-shaken, as for Lambda) and its code outside shared/store
 * is searched for calls of repository methods (`repos.results.putPayLines(`, `cycles.complete(`, and
 * direct `table.transact(`); each repository method's own calls are read from the TypeScript source of
 * shared/store: `this.table.<op>(` → actions (a transaction's Put/Update/ConditionCheck/Delete items →
 * PutItem/UpdateItem/ConditionCheckItem/DeleteItem), calls of other methods and store functions followed;
 * a method that writes contributes the partitions of every `keys.*` it (or a helper) builds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';
import { keys } from '../shared/store/keys.js';

export type ReadAction = 'GetItem' | 'Query' | 'BatchGetItem';
export type WriteAction = 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem' | 'ConditionCheckItem';
export interface DerivedAccess {
  read: ReadAction[];
  /** Each write action with the partition-key prefixes it writes (e.g. `RESULT#`). */
  write: Partial<Record<WriteAction, string[]>>;
}

const root = fileURLToPath(new URL('../', import.meta.url));
const storeDir = `${root}shared/store/`;

const TABLE_OPS: Record<string, (ReadAction | WriteAction)[]> = {
  get: ['GetItem'],
  queryPrefix: ['Query'],
  batchGet: ['BatchGetItem'],
  put: ['PutItem'],
  update: ['UpdateItem'],
  updateIf: ['UpdateItem'],
  delete: ['DeleteItem'],
  deleteIf: ['DeleteItem'],
  batchWrite: ['BatchWriteItem'],
  transact: [],
};
const TRANSACT_ITEMS: Record<string, WriteAction> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  ConditionCheck: 'ConditionCheckItem',
  Delete: 'DeleteItem',
};
const READS = new Set<string>(['GetItem', 'Query', 'BatchGetItem']);

/** `keys.*` helpers that build a sort key only (their result is no partition). */
const SORT_KEY_HELPERS = new Set([
  'currentDatasetPrefix',
  'datasetManifestPrefix',
  'indexPrefix',
  'rosterIndex',
  'rosterIndexPrefix',
  'monthIndex',
  'monthIndexPrefix',
  'blobPage',
  'blobLog',
  'blobLogPrefix',
  'lockPrefix',
  'correctionPrefix',
  'institutionResult',
  'payPage',
  'payPrefix',
  'publicationPrefix',
  'auditEntry',
]);

/** The partition prefix a `keys.*` helper builds (up to its first `#`), found by calling it. */
function partitionOf(helper: string): string | undefined {
  if (SORT_KEY_HELPERS.has(helper)) return undefined;
  const fn = (keys as Record<string, (...a: unknown[]) => unknown>)[helper];
  if (typeof fn !== 'function') return undefined;
  const out = fn('c', 'monthly', '2026-01', 1, 1) as string | { pk: string };
  const pk = typeof out === 'string' ? out : out.pk;
  return `${pk.slice(0, pk.indexOf('#') + 1)}`;
}

interface Unit {
  ops: Set<string>;
  keyHelpers: Set<string>;
  /** Units called: `Class.method` or `fn:name`. */
  calls: Set<string>;
}

/** Every method of every class and every top-level function of shared/store, by `Class.method` / `fn:name`. */
function storeUnits(): { units: Map<string, Unit>; repoClass: Map<string, string> } {
  const units = new Map<string, Unit>();
  const repoClass = new Map<string, string>();
  const skip = new Set(['store.ts', 'batch.ts', 'keys.ts', 'client.ts']);
  const files = readdirSync(storeDir).filter((f) => f.endsWith('.ts') && !skip.has(f));
  const fieldClasses = new Map<string, Map<string, string>>(); // class → field → class
  for (const file of files) {
    const text = readFileSync(`${storeDir}${file}`, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    if (file === 'index.ts') {
      // `datasets: new DatasetRepository(table)` names each repository as handlers reach it.
      for (const m of text.matchAll(/(\w+): new (\w+Repository)\(/g)) repoClass.set(m[1]!, m[2]!);
      continue;
    }
    const scan = (node: ts.Node, unit: Unit, className?: string) => {
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
          const name = n.expression.name.text;
          const target = n.expression.expression;
          // this.table.op(…)
          if (
            ts.isPropertyAccessExpression(target) &&
            target.name.text === 'table' &&
            target.expression.kind === ts.SyntaxKind.ThisKeyword &&
            name in TABLE_OPS
          )
            unit.ops.add(name);
          // this.method(…)
          else if (target.kind === ts.SyntaxKind.ThisKeyword && className)
            unit.calls.add(`${className}.${name}`);
          // this.field.method(…) on another repository
          else if (
            ts.isPropertyAccessExpression(target) &&
            target.expression.kind === ts.SyntaxKind.ThisKeyword &&
            className
          )
            unit.calls.add(`field:${className}.${target.name.text}.${name}`);
          // keys.helper(…)
          else if (ts.isIdentifier(target) && target.text === 'keys') unit.keyHelpers.add(name);
        } else if (ts.isCallExpression(n) && ts.isIdentifier(n.expression)) {
          unit.calls.add(`fn:${n.expression.text}`);
        } else if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && n.name.text in TRANSACT_ITEMS) {
          unit.ops.add(`transact:${n.name.text}`);
        }
        ts.forEachChild(n, visit);
      };
      visit(node);
    };
    const empty = (): Unit => ({ ops: new Set(), keyHelpers: new Set(), calls: new Set() });
    for (const statement of source.statements) {
      if (ts.isClassDeclaration(statement) && statement.name) {
        const className = statement.name.text;
        const fields = new Map<string, string>();
        fieldClasses.set(className, fields);
        for (const member of statement.members) {
          if (ts.isPropertyDeclaration(member) && member.initializer && ts.isIdentifier(member.name)) {
            const init = member.initializer;
            if (ts.isNewExpression(init) && ts.isIdentifier(init.expression))
              fields.set(member.name.text, init.expression.text);
          }
          if (ts.isConstructorDeclaration(member) && member.body) {
            for (const m of member.body.getText().matchAll(/this\.(\w+) = new (\w+)\(/g))
              fields.set(m[1]!, m[2]!);
          }
          if ((ts.isMethodDeclaration(member) || ts.isGetAccessor(member)) && ts.isIdentifier(member.name)) {
            const unit = empty();
            scan(member, unit, className);
            units.set(`${className}.${member.name.text}`, unit);
          }
        }
      } else if (ts.isFunctionDeclaration(statement) && statement.name) {
        const unit = empty();
        scan(statement, unit);
        units.set(`fn:${statement.name.text}`, unit);
      } else if (ts.isVariableStatement(statement)) {
        for (const d of statement.declarationList.declarations)
          if (
            ts.isIdentifier(d.name) &&
            d.initializer &&
            (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))
          ) {
            const unit = empty();
            scan(d.initializer, unit);
            units.set(`fn:${d.name.text}`, unit);
          }
      }
    }
  }
  // Resolve `field:Class.field.method` to `Other.method`.
  for (const unit of units.values())
    for (const call of [...unit.calls])
      if (call.startsWith('field:')) {
        const [cls, field, method] = call.slice(6).split('.') as [string, string, string];
        const other = fieldClasses.get(cls)?.get(field);
        unit.calls.delete(call);
        if (other) unit.calls.add(`${other}.${method}`);
      }
  for (const cls of fieldClasses.keys())
    if (cls.endsWith('Repository') && ![...repoClass.values()].includes(cls)) {
      const base = cls.replace(/Repository$/, '');
      repoClass.set(`${base[0]!.toLowerCase()}${base.slice(1)}s`, cls);
    }
  return { units, repoClass };
}

const isWrite = (op: string) => !['get', 'queryPrefix', 'batchGet'].includes(op);

/** The actions of a table op (a transaction's by its items). */
function actionsOf(op: string): (ReadAction | WriteAction)[] {
  if (op.startsWith('transact:')) return [TRANSACT_ITEMS[op.slice(9)]!];
  return TABLE_OPS[op] ?? [];
}

/** The `keys.*` helpers a unit uses itself or through helpers that touch no table. */
function helpersOf(units: Map<string, Unit>, id: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  const unit = units.get(id);
  if (!unit || seen.has(id)) return out;
  seen.add(id);
  for (const k of unit.keyHelpers) out.add(k);
  for (const call of unit.calls) {
    const callee = units.get(call);
    if (callee && callee.ops.size === 0) for (const k of helpersOf(units, call, seen)) out.add(k);
  }
  return out;
}

/** Reads, and per write action the partitions it writes. */
class Access {
  readonly read = new Set<ReadAction>();
  readonly write = new Map<WriteAction, Set<string>>();
  add(action: ReadAction | WriteAction, helpers: Iterable<string> = []): void {
    if (READS.has(action)) {
      this.read.add(action as ReadAction);
      return;
    }
    const partitions = this.write.get(action as WriteAction) ?? new Set<string>();
    this.write.set(action as WriteAction, partitions);
    for (const helper of helpers) {
      const prefix = partitionOf(helper);
      if (prefix) partitions.add(prefix);
    }
  }
  result(): DerivedAccess {
    const write: Partial<Record<WriteAction, string[]>> = {};
    for (const action of [...this.write.keys()].sort()) write[action] = [...this.write.get(action)!].sort();
    return { read: [...this.read].sort(), write };
  }
}

/**
 * What calling `start` does, following every call into the store: reads, and each write action with the
 * partitions of the keys built on the way to it (by the writing method, the methods that called it, and
 * the key helpers they use) — a method that writes an item its caller built gets that item's partition.
 */
function closure(units: Map<string, Unit>, start: string, access: Access): void {
  const walk = (id: string, inherited: Set<string>, path: Set<string>) => {
    const unit = units.get(id);
    if (!unit || path.has(id)) return;
    const helpers = new Set([...inherited, ...helpersOf(units, id)]);
    for (const op of unit.ops)
      for (const action of actionsOf(op)) access.add(action, isWrite(op) ? helpers : []);
    const next = new Set([...path, id]);
    for (const call of unit.calls)
      if (units.get(call) && units.get(call)!.ops.size + units.get(call)!.calls.size > 0)
        walk(call, helpers, next);
  };
  walk(start, new Set(), new Set());
}

/** Splits esbuild's unminified ESM output into its modules (`// path` comments). */
function modules(bundle: string): { path: string; code: string }[] {
  const parts = bundle.split(/^\/\/ ((?:[\w.@-]+\/)+[\w.-]+\.[cm]?[jt]s)$/m);
  const out: { path: string; code: string }[] = [];
  for (let i = 1; i < parts.length; i += 2) out.push({ path: parts[i]!, code: parts[i + 1] ?? '' });
  return out;
}

/** The argument text of the call whose `(` is at `open`. */
function argumentsAt(code: string, open: number): string {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')' && --depth === 0) return code.slice(open + 1, i);
  }
  return code.slice(open + 1);
}

/** Derives the table access of one handler entry (a path under the repository root). */
export async function deriveTableAccess(entry: string): Promise<DerivedAccess> {
  return (await deriveTableAccessOf([entry])).get(entry)!;
}

/**
 * Derives the table access of several handler entries from one esbuild call: esbuild bundles the entries
 * side by side (each tree-shaken on its own, as for its Lambda), far faster than a build per entry.
 */
export async function deriveTableAccessOf(entries: readonly string[]): Promise<Map<string, DerivedAccess>> {
  const result = await build({
    entryPoints: Object.fromEntries(entries.map((entry, i) => [`entry${i}`, `${root}${entry}`])),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    write: false,
    minify: false,
    treeShaking: true,
    logLevel: 'silent',
    external: ['@aws-sdk/*'],
    outdir: '/nonexistent',
  });
  const bundleOf = (i: number) => result.outputFiles.find((f) => f.path.endsWith(`/entry${i}.js`))!.text;
  const store = storeUnits();
  return new Map(entries.map((entry, i) => [entry, accessOfBundle(bundleOf(i), store)]));
}

function accessOfBundle(bundle: string, { units, repoClass }: ReturnType<typeof storeUnits>): DerivedAccess {
  const access = new Access();
  const repos = [...repoClass.keys()].join('|');
  const callSite = new RegExp(`\\b(${repos}|table)\\.(\\w+)\\(`, 'g');
  for (const { path, code } of modules(bundle)) {
    if (path.includes('shared/store/') || path.includes('node_modules/')) continue;
    for (const m of code.matchAll(callSite)) {
      const [, repo, method] = m as unknown as [string, string, string];
      if (repo === 'table') {
        if (!(method in TABLE_OPS)) continue;
        // A table call outside the store (a service's own transaction): its items and keys are in its argument.
        const args = argumentsAt(code, m.index! + m[0].length - 1);
        const ops =
          method === 'transact'
            ? Object.keys(TRANSACT_ITEMS)
                .filter((kind) => new RegExp(`\\b${kind}:`).test(args))
                .map((kind) => `transact:${kind}`)
            : [method];
        const helpers = [...args.matchAll(/\bkeys\.(\w+)\(/g)].map((k) => k[1]!);
        for (const op of ops) for (const action of actionsOf(op)) access.add(action, helpers);
        continue;
      }
      const cls = repoClass.get(repo)!;
      if (units.has(`${cls}.${method}`)) closure(units, `${cls}.${method}`, access);
    }
  }
  return access.result();
}
