/**
 * Account-change notice (issue 16) against the real store: an import that changes someone's account
 * leaves the change (masked) waiting for an HR user other than the importer; until then a bank file for
 * that person is refused; the confirmation is audited. Changes of a version nobody confirmed are not
 * skipped by a later import.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AccountConfirmationError,
  accountChanges,
  assertAccountsConfirmed,
  confirmAccountChanges,
  unconfirmedAccountChanges,
  versionAccountChanges,
} from '../../../shared/app/account-changes.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { FourEyesError } from '../../../shared/errors.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import type { Staff } from '../../../shared/schemas/dataset.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

const TINY = join(import.meta.dirname, '../../fixtures/tiny/dataset');
// C01-002's account in the tiny dataset, and a new valid card number for them.
const OLD = '6299603082462811';
const NEW = '6222021234567890128';

let rt: LocalRuntime;
let dir: string;
let communityId: string;

async function importWith(staffCsv: string, by: string) {
  await writeFile(join(dir, 'staff.csv'), staffCsv);
  return importDataset(rt.repos, { dir }, by);
}

beforeAll(async () => {
  rt = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `accounts-${Date.now().toString(36)}`,
  });
  dir = await mkdtemp(join(import.meta.dirname, '.account-changes-'));
  for (const name of await readdir(TINY)) await writeFile(join(dir, name), await readFile(join(TINY, name)));
  communityId = (await importDataset(rt.repos, { dir }, 'office1')).pointer.communityId;
}, 120_000);

afterAll(async () => {
  await rt?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('accountChanges', () => {
  const person = (staffId: string, bankAccount?: string) =>
    ({ staffId, name: staffId, institutionId: 'C01', bankAccount }) as Staff;

  it('lists changed, added and removed accounts of the same staff ids, masked; not new or departed staff', () => {
    const before = [
      person('a', '6222021234567890128'),
      person('b', '6214830101234561'),
      person('c'),
      person('d', '1'),
    ];
    const after = [
      person('a', '6222021234567890128'),
      person('b', '6214830101234579'),
      person('c', '6214830101234561'),
      person('e', '2'),
    ];
    expect(accountChanges(before, after, 4)).toEqual([
      {
        staffId: 'b',
        name: 'b',
        institutionId: 'C01',
        before: '************4561',
        after: '************4579',
        version: 4,
      },
      { staffId: 'c', name: 'c', institutionId: 'C01', before: '', after: '************4561', version: 4 },
    ]);
  });
});

describe('an import that changes an account', () => {
  let version: number;

  beforeAll(async () => {
    const staff = await readFile(join(TINY, 'staff.csv'), 'utf8');
    version = (await importWith(staff.replace(OLD, NEW), 'office1')).pointer.version;
  }, 60_000);

  it('leaves the change waiting, masked, and refuses a bank file for that person only', async () => {
    const changes = await unconfirmedAccountChanges(rt.repos, communityId, version);
    expect(changes).toEqual([
      expect.objectContaining({
        staffId: 'C01-002',
        before: '************2811',
        after: '************0128',
        version,
      }),
    ]);
    await expect(
      assertAccountsConfirmed(rt.repos, communityId, version, new Set(['C01-002'])),
    ).rejects.toThrow(AccountConfirmationError);
    await assertAccountsConfirmed(rt.repos, communityId, version, new Set(['C01-001', 'C02-001']));
  });

  it('is not skipped when a later import changes nothing', async () => {
    const later = (await importWith(await readFile(join(dir, 'staff.csv'), 'utf8'), 'office1')).pointer
      .version;
    expect(later).toBe(version + 1);
    expect((await unconfirmedAccountChanges(rt.repos, communityId, later)).map((c) => c.version)).toEqual([
      version,
    ]);
  });

  it('cannot be confirmed by the importer; another user confirms it, audited, and the bank file may pay', async () => {
    await expect(confirmAccountChanges(rt.repos, communityId, version, 'office1')).rejects.toThrow(
      FourEyesError,
    );
    const confirmed = await confirmAccountChanges(rt.repos, communityId, version, 'hr2');
    expect(confirmed.map((c) => c.staffId)).toEqual(['C01-002']);
    const entry = (await rt.repos.audit.entries(communityId)).at(-1)!;
    expect(entry).toMatchObject({ actor: 'hr2', action: 'accounts.confirm', subject: `dataset v${version}` });
    expect(entry.details).toMatchObject({ changes: 1, staffIds: 'C01-002' });
    expect(JSON.stringify(entry)).not.toContain(NEW);
    await assertAccountsConfirmed(rt.repos, communityId, version + 1, new Set(['C01-002']));
  });

  it('reads only the rosters that differ between the two versions: none when nothing changed', async () => {
    const read = vi.spyOn(rt.repos.datasets, 'rosters');
    try {
      expect(await versionAccountChanges(rt.repos, communityId, version + 1)).toEqual([]);
      expect(read.mock.calls.map(([, , ids]) => ids)).toEqual([[], []]);
      read.mockClear();
      const changes = await versionAccountChanges(rt.repos, communityId, version);
      expect(changes.map((c) => c.staffId)).toEqual(['C01-002']);
      expect(read.mock.calls.map(([, , ids]) => ids)).toEqual([['C01'], ['C01']]);
    } finally {
      read.mockRestore();
    }
  });
});
