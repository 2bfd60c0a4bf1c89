/**
 * Audit entries whose details list a province (issue 12): a bank file per institution (3,100 names with
 * 64-character Chinese ids, ~660 KB), payer accounts set for every institution at once (~1.3 MB), a year's
 * bank files (~1.9 MB) and the accounts a bank switch changed (350,000 staff ids, ~3 MB). Joined whole, as
 * the entries were written before, each passes DynamoDB's 400 KB item, which the store's AWS-limits mode
 * refuses as AWS does — and the export or confirmation it records would fail with it. Through `auditList`
 * (what bank-export.ts, account-changes.ts, reports/index.ts and the cycle start now write) a long list is
 * its count, its hash and its first values: the entries append and the chain verifies; a short list is
 * written whole as before.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_LIST_BYTES, AuditRepository, auditList } from '../../../shared/store/audit.js';
import { itemBytes } from '../../../shared/store/aws-limits.js';
import { keys } from '../../../shared/store/keys.js';
import type { Table } from '../../../shared/store/store.js';
import { type LimitedTable, limitedTable } from './helpers.js';

const ITEM_LIMIT = 400 * 1024;
const DIGITS = '零一二三四五六七八九';
const community = '江西省医共体联盟';
const institutions = Array.from({ length: 3_100 }, (_, i) => {
  const number = [...String(i + 1).padStart(6, '0')].map((d) => DIGITS[Number(d)]).join('');
  return `江西省赣州市兴国县人民医院第${'分'.repeat(64 - 15 - number.length)}院${number}`;
});
const staffIds = Array.from({ length: 350_000 }, (_, i) => `S${String(i).padStart(7, '0')}`);

/** What each entry's details list, by the action that records them. */
const lists: { action: string; field: string; values: string[]; separator?: string }[] = [
  {
    action: 'export.bank',
    field: 'files',
    values: institutions.map((id) => `bank-monthly-2026-03-${id}.txt`),
  },
  { action: 'settings.payer-account', field: 'institutions', values: institutions },
  {
    action: 'settings.payer-account',
    field: 'changes',
    values: institutions.map((id) => `${id}: ****1234 (中国工商银行兴国县支行)`),
    separator: '; ',
  },
  {
    action: 'export.all',
    field: 'bankFiles',
    values: ['monthly', 'quarterly', 'annual'].flatMap((k) =>
      institutions.map((id) => `bank-${k}-${id}.txt`),
    ),
  },
  { action: 'accounts.confirm', field: 'staffIds', values: staffIds },
];

let store: LimitedTable;
let audit: AuditRepository;
let plain: Table;

beforeAll(async () => {
  store = await limitedTable('auditlists');
  audit = new AuditRepository(store.table);
  plain = store.plain;
});
afterAll(() => store?.close());

describe("a province's lists in audit entries, in the AWS-limits mode", () => {
  it('joined whole, each entry would be refused (the model refuses what AWS refuses)', async () => {
    for (const { action, field, values, separator = ' ' } of lists) {
      const details = { [field]: values.join(separator) };
      expect(itemBytes({ pk: keys.audit(community), sk: '000000000001', details })).toBeGreaterThan(
        ITEM_LIMIT,
      );
      await expect(
        audit.append(community, { actor: 'hr1', action, subject: 'x', details }),
      ).rejects.toMatchObject({ name: 'ValidationException' });
    }
  }, 120_000);

  it('through auditList they append, name their list exactly and the chain verifies', async () => {
    for (const { action, field, values, separator = ' ' } of lists) {
      const text = auditList(values, separator);
      const hash = createHash('sha256').update(values.join(separator)).digest('hex');
      expect(text.startsWith(`${values.length} items, sha256 ${hash} `)).toBe(true);
      expect(text).toContain(values[0]);
      await audit.append(community, { actor: 'hr1', action, subject: 'x', details: { [field]: text } });
    }
    const stored = await plain.queryPrefix<Record<string, unknown>>(keys.audit(community));
    for (const entry of stored) expect(itemBytes(entry)).toBeLessThan(4_000);
    expect(await audit.verify(community)).toMatchObject({ ok: true, entries: lists.length });
  }, 120_000);

  it('a short list is written whole, as before', () => {
    const few = institutions.slice(0, 3);
    expect(auditList(few)).toBe(few.join(' '));
    expect(auditList(['a', 'b'], '; ')).toBe('a; b');
    const justUnder = Array.from(
      { length: Math.floor(AUDIT_LIST_BYTES / 9) },
      (_, i) => `S${String(i).padStart(7, '0')}`,
    );
    expect(auditList(justUnder)).toBe(justUnder.join(' '));
  });
});
