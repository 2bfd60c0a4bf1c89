/**
 * Sealed cycles (issue 13): when a cycle completes, its results — every pay line with the bank account
 * it pays, each institution's result and pool allocation, the bulletin, settlement and report — are
 * hashed in canonical form. The seal is recorded with the completion, in the same transaction as the
 * audit entry (which the keyed chain protects), and per institution and per line beside the results, so
 * a later difference can be named: period, institution, staff id. Sheets, bank files and the API serve
 * only a cycle whose seal still verifies.
 */
import * as crypto from 'node:crypto';
import { bilingual } from '../errors.js';
import type { CycleRef } from '../schemas/events.js';
import type { AuditEntry } from '../store/audit.js';
import { decode } from '../store/codec.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import type { CycleKind } from '../store/keys.js';
import {
  type ResultGroup,
  type ResultWrite,
  resultWrites,
  takePayPageSource,
  type WriteGuard,
} from '../store/results.js';

/** SHA-256 in hex of a text: crypto.hash where Node has it (20.12+: no Hash object per line), else createHash. */
const hashText: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) =>
        (crypto as unknown as { hash: (a: string, d: string, e: string) => string }).hash(
          'sha256',
          text,
          'hex',
        )
    : (text) => crypto.createHash('sha256').update(text).digest('hex');
const sha256 = (value: unknown) => hashText(sealJson(value));

/** An object shape: its own keys in their order, sorted, and each sorted key as `"key":`. */
interface Shape {
  own: string[];
  keys: string[];
  heads: string[];
}
/** The shapes met last, most recent first: a city month's 35,000 lines and their wrappers are a few shapes. */
const recentShapes: Shape[] = [];
const RECENT_SHAPES = 16;

function shapeOf(own: string[]): Shape {
  search: for (const shape of recentShapes) {
    if (shape.own.length !== own.length) continue;
    for (let i = 0; i < own.length; i++) if (shape.own[i] !== own[i]) continue search;
    return shape;
  }
  const keys = [...own].sort();
  const shape = { own, keys, heads: keys.map((k) => `${JSON.stringify(k)}:`) };
  recentShapes.unshift(shape);
  if (recentShapes.length > RECENT_SHAPES) recentShapes.pop();
  return shape;
}

/**
 * `canonicalJson` (shared/store/audit.ts) — the seal's definition — computed faster for the seal's many
 * small objects: the sorted keys of the shapes met last are kept, numbers and strings written directly.
 * The same text for every value (test/unit/app/seal-json.test.ts holds it to canonicalJson).
 */
export function sealJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      // As canonicalJson's join: an element JSON has no text for (undefined, a function) adds nothing.
      const element = sealJson(value[i]) as string | undefined;
      if (element !== undefined) text += element;
    }
    return `${text}]`;
  }
  const known = shapeOf(Object.keys(value));
  let text = '{';
  let first = true;
  for (let i = 0; i < known.keys.length; i++) {
    const v = (value as Record<string, unknown>)[known.keys[i]!];
    if (v === undefined) continue;
    if (!first) text += ',';
    text += `${known.heads[i]!}${sealJson(v)}`;
    first = false;
  }
  return `${text}}`;
}

/** One line's short hash: what it pays and to which account. */
type LineHash = [staffId: string, hash: string];

export interface ComputedSeal {
  total: string;
  documents: string;
  institutions: Record<string, string>;
  lines: Record<string, LineHash[]>;
}

type Line = { staffId: string } & Record<string, unknown>;

/**
 * A line's short hash: `sha256({ institutionId, line, bankAccount })` in canonical JSON, the wrapper's
 * three keys written in their sorted order by hand (one object fewer per line); `middle` is the text
 * between the account and the line, `,"institutionId":…,"line":`, made once per institution.
 */
function lineHashWith(middle: string, line: Line, bankAccount: string | null): string {
  return hashText(`{"bankAccount":${JSON.stringify(bankAccount)}${middle}${lineJson(line)}}`).slice(0, 16);
}

/**
 * `sealJson` of a pay line, written in one loop where every value is a string, number, boolean, null or
 * undefined (a pay line: ids, fen, fraction strings); any other line goes through `sealJson`.
 */
function lineJson(line: Line): string {
  const known = shapeOf(Object.keys(line));
  let text = '{';
  let first = true;
  for (let i = 0; i < known.keys.length; i++) {
    const v = (line as Record<string, unknown>)[known.keys[i]!];
    let json: string;
    if (typeof v === 'string') json = JSON.stringify(v);
    else if (typeof v === 'number') json = Number.isFinite(v) ? String(v) : 'null';
    else if (v === undefined) continue;
    else if (v === null || typeof v === 'boolean') json = String(v);
    else return sealJson(line);
    text += first ? `${known.heads[i]!}${json}` : `,${known.heads[i]!}${json}`;
    first = false;
  }
  return `${text}}`;
}

/**
 * Whether a line is an object whose canonical JSON is the same before and after a JSON round trip (its
 * encoding then decoding, which is how every later check reads it): a plain object whose own values are
 * strings, numbers, booleans, null or undefined. Numbers JSON cannot hold (NaN, ±Infinity) read back as
 * null and -0 as 0, which canonical JSON writes as it writes them; undefined members are dropped by both.
 */
function roundTripsAsIs(line: unknown): line is Line {
  if (line === null || typeof line !== 'object' || Object.getPrototypeOf(line) !== Object.prototype)
    return false;
  for (const key in line) {
    if (!Object.hasOwn(line, key)) return false;
    const v = (line as Record<string, unknown>)[key];
    const type = typeof v;
    if (type !== 'string' && type !== 'number' && type !== 'boolean' && v !== null && v !== undefined)
      return false;
  }
  return true;
}

/**
 * The lines of a pay page as a later read decodes them: the lines it was encoded from where each one
 * round-trips as is (the monthly and allocation steps' lines: ids, fen and fraction strings), else the
 * decoded page itself.
 */
function pageLines(item: ResultWrite): readonly Line[] {
  const source = takePayPageSource(item);
  if (source?.every(roundTripsAsIs)) return source as readonly Line[];
  return decode<Line[]>(item.data);
}

/**
 * `sealJson` of an institution's sorted line hashes, written directly (ids as JSON strings, hashes hex),
 * joined into one flat string: it is also the institution's SEAL# item, held until its batch is written,
 * where a text built by `+=` would be a tree of a few hundred string pieces for the collector to copy.
 */
function lineHashesJson(paid: readonly LineHash[]): string {
  if (paid.length === 0) return '[]';
  const parts = new Array<string>(paid.length);
  for (let i = 0; i < paid.length; i++) {
    const line = paid[i]!;
    parts[i] = `[${JSON.stringify(line[0])},"${line[1]}"]`;
  }
  parts[0] = `[${parts[0]}`;
  parts[parts.length - 1] = `${parts[parts.length - 1]}]`;
  return parts.join(',');
}

/** Whether the line hashes are in staff id order already (no id after a greater one). */
function inStaffOrder(paid: readonly LineHash[]): boolean {
  for (let i = 1; i < paid.length; i++) if (paid[i]![0] < paid[i - 1]![0]) return false;
  return true;
}

/**
 * One institution's seal: its lines' short hashes (each line with the account it pays), sorted by staff
 * id, and the hash of its result, allocation and those. The one definition both the writer of the
 * results (`sealedGroup`) and every later check (`computeSeal`) use.
 */
export function institutionSeal(
  institutionId: string,
  result: unknown,
  allocation: unknown,
  lines: readonly Line[],
  accounts: ReadonlyMap<string, string | null>,
): {
  hash: string;
  lines: LineHash[];
  /** `lines` as sealJson writes them — also their `encode` (JSON.stringify) where every staff id is a string. */
  linesJson: string;
} {
  const middle = `,"institutionId":${JSON.stringify(institutionId)},"line":`;
  const paid = lines.map(
    (line): LineHash => [line.staffId, lineHashWith(middle, line, accounts.get(line.staffId) ?? null)],
  );
  // By staff id; a pay step's lines come in that order already (a stable sort would leave them as they are).
  if (!inStaffOrder(paid)) paid.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  // sha256 of sealJson({ result, allocation, lines }): its three keys in sorted order, the lines written directly.
  const linesJson = lineHashesJson(paid);
  const text = `{"allocation":${sealJson(allocation ?? null)},"lines":${linesJson},"result":${sealJson(result ?? null)}}`;
  return { hash: hashText(text), lines: paid, linesJson };
}

const accountsOf = (roster: readonly { staffId: string; bankAccount?: string | null }[]) =>
  new Map(roster.map((s) => [s.staffId, s.bankAccount ?? null]));

/** The step whose guards carry each institution's seal: the one that writes its pay lines. */
export const SEALING_STEP: Record<CycleKind, string> = {
  monthly: 'MONTHLY',
  quarterly: 'ALLOCATE',
  annual: 'ALLOCATE',
};

/** A month's paid totals of one institution (the dispatch report's `paid`). */
export interface PaidTotals {
  basic: number;
  reward: number;
  adjustment: number;
  gross: number;
}

/** What the sealing step records on each institution's write guard. */
export interface SealSummary {
  /** The institution's seal (`institutionSeal(…).hash`) over exactly the items written. */
  seal: string;
  /** Monthly: the totals of its pay lines. */
  paid?: PaidTotals;
}

/**
 * An institution's writes of the step that writes its pay lines, sealed as they are written: the items
 * plus `SEAL#{institution}` (its lines' hashes, which verify names a changed line by) and, on the guard,
 * the institution's seal — from the encoded items themselves (decoded, as a later read would), the roster
 * of the cycle's dataset version and, where another step wrote it, its stored result. CompleteCycle then
 * builds the cycle's seal from the guards instead of reading every pay line back; `audit verify` and every
 * export still recompute it from the stored items. A group whose items name another institution is left
 * unsealed (CompleteCycle then reads everything, as before).
 */
export function sealedGroup(
  group: ResultGroup,
  roster: readonly { staffId: string; bankAccount?: string | null }[],
  options: { storedResult?: unknown; paid?: boolean } = {},
): ResultGroup {
  const { institutionId, items } = group;
  const lines: Line[] = [];
  let result: unknown = options.storedResult ?? null;
  let allocation: unknown = null;
  for (const item of items) {
    if (item.type === 'PayLines') for (const line of pageLines(item)) lines.push(line);
    else if (item.sk === `INST#${institutionId}`) result = decode(item.data);
    else if (item.sk === `ALLOC#${institutionId}`) allocation = decode(item.data);
  }
  const owner = (value: unknown) =>
    value === null || (value as { institutionId?: unknown }).institutionId === institutionId;
  if (
    !owner(result) ||
    !owner(allocation) ||
    items.some((i) => i.type === 'PayLines' && i.institutionId !== institutionId)
  )
    return group;
  const seal = institutionSeal(institutionId, result, allocation, lines, accountsOf(roster));
  const summary: SealSummary = { seal: seal.hash };
  if (options.paid) {
    const paid = { basic: 0, reward: 0, adjustment: 0, gross: 0 };
    for (const l of lines as unknown as PaidTotals[]) {
      paid.basic += l.basic;
      paid.reward += l.reward;
      paid.adjustment += l.adjustment;
      paid.gross += l.gross;
    }
    summary.paid = paid;
  }
  // The lines' JSON the seal hashed is their encoding too (ids are JSON strings, hashes hex): not written twice.
  const sealKey = `SEAL#${institutionId}`;
  const linesPart = seal.lines.every(([staffId]) => typeof staffId === 'string')
    ? resultWrites.encodedPart(sealKey, seal.linesJson)
    : resultWrites.part(sealKey, seal.lines);
  return { institutionId, items: [...items, linesPart], summary };
}

/**
 * The seal of a revision from what its sealing step recorded on its guards, and its documents; undefined
 * when some institution the revision wrote for has no sealed guard (results written before, or by another
 * path), which the caller then computes from every item.
 */
export async function sealFromGuards(
  repos: Repositories,
  ref: Pick<CycleRef, 'communityId' | 'kind' | 'period' | 'revision'>,
  listed?: readonly WriteGuard<Partial<SealSummary>>[],
): Promise<Omit<ComputedSeal, 'lines'> | undefined> {
  const [guards, bulletin, settlement, report] = await Promise.all([
    listed ?? repos.results.guards<Partial<SealSummary>>(ref),
    repos.results.document(ref, 'BULLETIN'),
    repos.results.document(ref, 'SETTLEMENT'),
    repos.results.document(ref, 'REPORT'),
  ]);
  if (guards.length === 0) return undefined;
  const step = SEALING_STEP[ref.kind];
  const sealed = new Map<string, string>();
  for (const g of guards)
    if (g.step === step && typeof g.summary?.seal === 'string') sealed.set(g.institutionId, g.summary.seal);
  const ids = [...new Set(guards.map((g) => g.institutionId))].sort();
  if (ids.some((id) => !sealed.has(id))) return undefined;
  const institutions: Record<string, string> = {};
  for (const id of ids) institutions[id] = sealed.get(id)!;
  const documents = sha256({
    bulletin: bulletin ?? null,
    settlement: settlement ?? null,
    report: report ?? null,
  });
  return { total: sha256({ institutions, documents }), documents, institutions };
}

/** Recomputes a cycle revision's seal from what is stored now. */
export async function computeSeal(
  repos: Repositories,
  ref: Pick<CycleRef, 'communityId' | 'kind' | 'period' | 'revision' | 'datasetVersion'>,
): Promise<ComputedSeal> {
  const [results, pay, allocations, bulletin, settlement, report] = await Promise.all([
    repos.results.institutions<{ institutionId: string }>(ref),
    repos.results.payLines<Line>(ref),
    repos.results.parts<{ institutionId: string }>(ref, 'ALLOC#'),
    repos.results.document(ref, 'BULLETIN'),
    repos.results.document(ref, 'SETTLEMENT'),
    repos.results.document(ref, 'REPORT'),
  ]);
  const ids = [
    ...new Set([...results.map((r) => r.institutionId), ...pay.map((p) => p.institutionId)]),
  ].sort();
  const rosters = await repos.datasets.rosters(ref.communityId, ref.datasetVersion, ids);
  const institutions: Record<string, string> = {};
  const lines: Record<string, LineHash[]> = {};
  for (const [index, institutionId] of ids.entries()) {
    const seal = institutionSeal(
      institutionId,
      results.find((r) => r.institutionId === institutionId),
      allocations.find((a) => a.institutionId === institutionId),
      pay.find((p) => p.institutionId === institutionId)?.lines ?? [],
      accountsOf(rosters[index] ?? []),
    );
    lines[institutionId] = seal.lines;
    institutions[institutionId] = seal.hash;
  }
  const documents = sha256({
    bulletin: bulletin ?? null,
    settlement: settlement ?? null,
    report: report ?? null,
  });
  return { total: sha256({ institutions, documents }), documents, institutions, lines };
}

/**
 * Stores a seal's parts beside the results (written once), and returns its total for the completion.
 * Where the sealing step sealed every institution as it wrote (`sealedGroup`: its `SEAL#` parts are
 * stored), the seal is made from its guards (`guards`: every guard of the revision, already read by the
 * caller); otherwise from every stored item, writing the `SEAL#` parts.
 */
export async function recordSeal(
  repos: Repositories,
  ref: CycleRef,
  guards?: readonly WriteGuard<Partial<SealSummary>>[],
): Promise<string> {
  const seal: Omit<ComputedSeal, 'lines'> & { lines?: ComputedSeal['lines'] } =
    (await sealFromGuards(repos, ref, guards)) ?? (await computeSeal(repos, ref));
  await Promise.all(
    Object.entries(seal.lines ?? {}).map(([institutionId, lines]) =>
      repos.results.putPart(ref, `SEAL#${institutionId}`, lines),
    ),
  );
  await repos.results.putPart(ref, 'SEAL', {
    total: seal.total,
    documents: seal.documents,
    institutions: seal.institutions,
  });
  return seal.total;
}

export interface SealCheck {
  kind: string;
  period: string;
  revision: number;
  ok: boolean;
  /** Completed before seals existed: nothing to check against. */
  unsealed?: boolean;
  institutionId?: string;
  staffId?: string;
  problem?: string;
}

/**
 * Re-derives a completed cycle's seal and compares it with the one its completion recorded in the audit
 * chain (the keyed record) — or on the cycle record when the chain has none — naming the first item that
 * differs.
 */
export async function verifySeal(
  repos: Repositories,
  cycle: CycleRecord,
  chainSeal?: string,
): Promise<SealCheck> {
  const base = { kind: cycle.kind, period: cycle.period, revision: cycle.revision };
  const expected = chainSeal ?? cycle.seal;
  if (!expected) return { ...base, ok: true, unsealed: true };
  const now = await computeSeal(repos, cycle);
  if (now.total === expected && cycle.seal === expected) return { ...base, ok: true };
  const [stored] = await repos.results.parts<{
    total: string;
    documents: string;
    institutions: Record<string, string>;
  }>(cycle, 'SEAL');
  if (!stored || stored.total !== expected) {
    return {
      ...base,
      ok: false,
      problem:
        now.total === expected
          ? 'the seal recorded on the cycle or beside its results was changed'
          : 'the results differ from their seal, and the stored seal parts were changed too',
    };
  }
  if (now.documents !== stored.documents) {
    return { ...base, ok: false, problem: 'the bulletin, settlement or report differs from the sealed one' };
  }
  for (const institutionId of new Set([
    ...Object.keys(stored.institutions),
    ...Object.keys(now.institutions),
  ])) {
    if (stored.institutions[institutionId] === now.institutions[institutionId]) continue;
    const [sealedLines = []] = await repos.results.parts<LineHash[]>(cycle, `SEAL#${institutionId}`);
    const sealed = new Map(sealedLines);
    const current = new Map(now.lines[institutionId] ?? []);
    for (const staffId of [...new Set([...sealed.keys(), ...current.keys()])].sort()) {
      if (sealed.get(staffId) !== current.get(staffId)) {
        return {
          ...base,
          ok: false,
          institutionId,
          staffId,
          problem: current.has(staffId)
            ? sealed.has(staffId)
              ? 'the pay line or the bank account it pays differs from the sealed one'
              : 'a pay line that was not sealed'
            : 'a sealed pay line is missing',
        };
      }
    }
    return {
      ...base,
      ok: false,
      institutionId,
      problem: "the institution's result or pool allocation differs from the sealed one",
    };
  }
  return {
    ...base,
    ok: false,
    problem: 'the seal recorded on the cycle differs from the one in the audit trail',
  };
}

/** The seal each completion recorded in the audit chain, by "kind period rN". */
export function chainSeals(entries: readonly AuditEntry[]): Map<string, string> {
  const seals = new Map<string, string>();
  for (const entry of entries) {
    if (entry.action === 'cycle.complete' && typeof entry.details.seal === 'string') {
      seals.set(entry.subject, entry.details.seal);
    }
  }
  return seals;
}

export class SealBrokenError extends Error {
  override readonly name = 'SealBrokenError' as const;
}

/**
 * Refuses a cycle whose results no longer match their seal, or whose community's audit chain no longer
 * verifies (exports and the API call this): nothing is paid from data whose record was tampered with.
 */
export async function assertSealed(repos: Repositories, cycle: CycleRecord): Promise<void> {
  // One read of the trail serves both the chain's check and the seal it recorded.
  const { check: chain, entries } = await repos.audit.read(cycle.communityId);
  if (!chain.ok) {
    throw new SealBrokenError(
      bilingual(
        `${cycle.communityId} 的审计链在第 ${chain.brokenAt} 条处被改动，拒绝导出；请审计人员运行 medcomm audit verify`,
        `the audit chain of ${cycle.communityId} is broken at record ${chain.brokenAt} (${chain.problem}); ` +
          'refusing to serve results — an auditor should run medcomm audit verify',
      ),
    );
  }
  const seals = chainSeals(entries);
  const check = await verifySeal(repos, cycle, seals.get(`${cycle.kind} ${cycle.period} r${cycle.revision}`));
  if (check.ok) return;
  const where = [check.institutionId, check.staffId].filter(Boolean).join(' ');
  throw new SealBrokenError(
    bilingual(
      `${cycle.kind} ${cycle.period} r${cycle.revision} 的结果与封存时不一致${where ? `（${where}）` : ''}，拒绝导出；请审计人员运行 medcomm audit verify`,
      `the results of ${cycle.kind} ${cycle.period} r${cycle.revision} differ from their seal${where ? ` (${where})` : ''} (${check.problem}); ` +
        'refusing to serve them — an auditor should run medcomm audit verify',
    ),
  );
}
