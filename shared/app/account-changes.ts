/**
 * Account-change notice (issue 16): an import that changes someone's bank account is the moment money
 * can be redirected — by a typo, a spreadsheet, or on purpose. The changes are listed masked, and the
 * next bank file for those people waits until an HR user other than the importer confirms them; the
 * confirmation is an audit entry (`accounts.confirm`), so who vouched for which change stays on record.
 *
 * A dataset version's changes are those against the version before it. The bank check walks back from
 * the version a cycle paid on to the last confirmed one, so a change in a version no bank file was made
 * from is not skipped.
 */
import { bilingual, FourEyesError, PrerequisiteError } from '../errors.js';
import { maskBankAccount } from '../privacy.js';
import type { Staff } from '../schemas/dataset.js';
import { auditList } from '../store/audit.js';
import type { Repositories } from '../store/index.js';

export interface AccountChange {
  staffId: string;
  name: string;
  institutionId: string;
  /** Masked (************1234); '' for none on file. */
  before: string;
  after: string;
  /** The dataset version that made the change. */
  version: number;
}

export const CONFIRM_ACTION = 'accounts.confirm';
const IMPORT_ACTION = 'dataset.import';
const subjectOf = (version: number) => `dataset v${version}`;

/** Who keeps their staff id but has another account (or gains or loses one); new and departed staff are not changes. */
export function accountChanges(
  before: readonly Staff[],
  after: readonly Staff[],
  version: number,
): AccountChange[] {
  const previous = new Map(before.map((s) => [s.staffId, s.bankAccount?.trim() ?? '']));
  const changes: AccountChange[] = [];
  for (const person of after) {
    const was = previous.get(person.staffId);
    const now = person.bankAccount?.trim() ?? '';
    if (was === undefined || was === now) continue;
    changes.push({
      staffId: person.staffId,
      name: person.name,
      institutionId: person.institutionId,
      before: was === '' ? '' : maskBankAccount(was),
      after: now === '' ? '' : maskBankAccount(now),
      version,
    });
  }
  return changes;
}

/** The account changes a version made against the one before it. */
export async function versionAccountChanges(
  repos: Repositories,
  communityId: string,
  version: number,
): Promise<AccountChange[]> {
  if (version <= 1) return [];
  // Against the version before that was written whole (a failed import's may have lost its blobs to a
  // sweep); a version that never completed changed nobody's account.
  const complete = await repos.datasets.completeVersions(communityId);
  const previous = complete.filter((v) => v < version).at(-1);
  if (!complete.includes(version) || previous === undefined) return [];
  // Rosters are content-addressed: an institution whose roster is the same blob in both versions has the
  // same people with the same accounts, and a person is in one roster of a version, so only the rosters
  // that differ are read (none for an office's unchanged monthly import).
  const [hashesBefore, hashesAfter] = await Promise.all([
    repos.datasets.rosterHashes(communityId, previous),
    repos.datasets.rosterHashes(communityId, version),
  ]);
  const differs = (institutionId: string) =>
    hashesBefore.get(institutionId) !== hashesAfter.get(institutionId);
  const [before, after] = await Promise.all([
    staffOf(repos, communityId, previous, differs),
    staffOf(repos, communityId, version, differs),
  ]);
  return accountChanges(before, after, version);
}

/** A version's staff in the institutions `read` names: rosters only (not every month of the version). */
async function staffOf(
  repos: Repositories,
  communityId: string,
  version: number,
  read: (institutionId: string) => boolean,
): Promise<Staff[]> {
  const institutions = await repos.datasets.institutions(communityId, version);
  const rosters = await repos.datasets.rosters(
    communityId,
    version,
    institutions.map((i) => i.id).filter(read),
  );
  return rosters.flat();
}

/** Changes of `version` and the unconfirmed versions before it, back to the last confirmed one. */
export async function unconfirmedAccountChanges(
  repos: Repositories,
  communityId: string,
  version: number,
): Promise<AccountChange[]> {
  if (version <= 1) return []; // a first version changes nobody's account
  const entries = await repos.audit.entries(communityId);
  const confirmed = new Set(entries.filter((e) => e.action === CONFIRM_ACTION).map((e) => e.subject));
  const changes: AccountChange[] = [];
  for (let v = version; v > 1 && !confirmed.has(subjectOf(v)); v--) {
    changes.push(...(await versionAccountChanges(repos, communityId, v)));
  }
  return changes;
}

/** A missing confirmation is a prerequisite of the bank file (the API answers 409 with this message). */
export class AccountConfirmationError extends PrerequisiteError {
  constructor(readonly changes: readonly AccountChange[]) {
    const versions = [...new Set(changes.map((c) => c.version))].sort((a, b) => a - b);
    const list = changes
      .slice(0, 10)
      .map((c) => `${c.staffId} ${c.name} ${c.before || '—'} → ${c.after || '—'} (v${c.version})`)
      .join('; ');
    const more = changes.length > 10 ? ` …(+${changes.length - 10})` : '';
    const command = versions.map((v) => `medcomm accounts confirm ${v} --as <HR>`).join(', ');
    super(
      bilingual(
        `${changes.length} 人的银行账号在导入中被改动，须由导入人以外的人事人员核对确认后才能生成银行文件：${list}${more}（${command}）`,
        `the bank accounts of ${changes.length} people were changed by an import; an HR user other than the importer must confirm them before a bank file pays them: ${list}${more} (${command})`,
      ),
    );
  }
}

/** Refuses a bank file for anyone whose account changed and is not yet confirmed. */
export async function assertAccountsConfirmed(
  repos: Repositories,
  communityId: string,
  version: number,
  paid: ReadonlySet<string>,
): Promise<void> {
  const pending = (await unconfirmedAccountChanges(repos, communityId, version)).filter((c) =>
    paid.has(c.staffId),
  );
  if (pending.length > 0) throw new AccountConfirmationError(pending);
}

/** HR confirms a version's account changes: never the user who imported it; audited with the staff ids. */
export async function confirmAccountChanges(
  repos: Repositories,
  communityId: string,
  version: number,
  by: string,
): Promise<AccountChange[]> {
  const entries = await repos.audit.entries(communityId);
  const imported = entries
    .filter((e) => e.action === IMPORT_ACTION && e.subject === subjectOf(version))
    .at(-1);
  if (imported && imported.actor === by) {
    throw new FourEyesError(
      bilingual(
        `${by} 导入了数据集第 ${version} 版，不能自己确认其中的账号改动：请由另一位人事人员确认`,
        `${by} imported dataset v${version} and cannot confirm its account changes: another HR user must`,
      ),
    );
  }
  const changes = await versionAccountChanges(repos, communityId, version);
  await repos.audit.append(communityId, {
    actor: by,
    action: CONFIRM_ACTION,
    subject: subjectOf(version),
    details: { changes: changes.length, staffIds: auditList(changes.map((c) => c.staffId)) },
  });
  return changes;
}
