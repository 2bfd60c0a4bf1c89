/**
 * The scheme lifecycle (考核方案审定): the office drafts a version of the year's scheme and submits it; a
 * member of the committee (医管会) who neither drafted nor edited it approves or rejects it (four eyes);
 * an approved version is published for the year. Publishing onto a year already imported writes a new
 * dataset version carrying the scheme, so the cycles started after it use it and every completed cycle
 * keeps the version (and scheme) it ran on. Every step is audited.
 */
import { bilingual, FourEyesError, LockedPeriodError, NotFoundError, ReviewStateError } from '../errors.js';
import type { Dataset, Indicator, Scheme } from '../schemas/dataset.js';
import { type AuditEntry, canonicalJson } from '../store/audit.js';
import { hashOfEncoded } from '../store/codec.js';
import { isStoreError } from '../store/errors.js';
import type { Repositories } from '../store/index.js';
import { SchemeRepository, type SchemeStatus, type SchemeVersion } from '../store/schemes.js';
import type { TransactItem } from '../store/store.js';
import { withImportLease } from './import-service.js';

/** The scheme repository over the same table (kept out of the shared Repositories object). */
export const schemesOf = (repos: Repositories) => new SchemeRepository(repos.table);

/** Short hash of a scheme's content, whatever order its keys come back in. */
export const schemeHash = (scheme: Scheme, indicators: readonly Indicator[]) =>
  hashOfEncoded(canonicalJson({ scheme, indicators }));

/** The scheme a year's cycles use now: the version published, or the one its imported dataset carries. */
export interface SchemeInForce {
  source: 'published' | 'dataset';
  /** The published version (null: the scheme came with the first import and was never revised). */
  version: number | null;
  datasetVersion: number | null;
  scheme: Scheme;
  indicators: Indicator[];
  hash: string;
}

export async function schemeInForce(
  repos: Repositories,
  communityId: string,
  year: number,
): Promise<SchemeInForce | undefined> {
  const schemes = schemesOf(repos);
  const [published, current] = await Promise.all([
    schemes.published(communityId, year),
    repos.datasets.current(communityId, year),
  ]);
  const datasetVersion = current?.year === year ? current.version : null;
  if (published) {
    const record = await schemes.get(communityId, year, published.version);
    if (record) {
      return {
        source: 'published',
        version: record.version,
        datasetVersion,
        scheme: record.scheme,
        indicators: record.indicators,
        hash: record.hash,
      };
    }
  }
  if (datasetVersion === null) return undefined;
  const [scheme, indicators] = await Promise.all([
    repos.datasets.scheme(communityId, datasetVersion),
    repos.datasets.indicators(communityId, datasetVersion),
  ]);
  return {
    source: 'dataset',
    version: null,
    datasetVersion,
    scheme,
    indicators,
    hash: schemeHash(scheme, indicators),
  };
}

type Entry = Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'details'>;

/**
 * Writes a change with the audit entry that records it, in one transaction; false when the change's
 * condition failed (someone moved the version first), so no change is ever left unrecorded.
 */
async function recorded(
  repos: Repositories,
  communityId: string,
  entry: Entry,
  items: readonly TransactItem[],
): Promise<boolean> {
  try {
    await repos.audit.append(communityId, entry, items);
    return true;
  } catch (error) {
    if (isStoreError(error, 'conditional_failed')) return false;
    throw error;
  }
}

const WORDS: Record<SchemeStatus, string> = {
  draft: '草稿',
  submitted: '已提交待审定',
  approved: '已审定',
  rejected: '已退回',
  published: '已发布',
  superseded: '已被替代',
};

async function versionOf(
  repos: Repositories,
  communityId: string,
  year: number,
  version: number,
): Promise<SchemeVersion> {
  const record = await schemesOf(repos).get(communityId, year, version);
  if (!record) {
    throw new NotFoundError(
      bilingual(
        `${communityId} 没有 ${year} 年方案第 ${version} 版`,
        `${communityId} has no ${year} scheme v${version}`,
      ),
    );
  }
  return record;
}

function expectStatus(record: SchemeVersion, wanted: readonly SchemeStatus[], action: string): void {
  if (!wanted.includes(record.status)) {
    throw new ReviewStateError(
      bilingual(
        `${record.year} 年方案第 ${record.version} 版当前为${WORDS[record.status]}，不能${action}`,
        `${record.year} scheme v${record.version} is ${record.status}; it cannot be ${action === '审定' ? 'decided' : action === '发布' ? 'published' : action === '提交' ? 'submitted' : 'edited'}`,
      ),
    );
  }
}

const moved = (record: SchemeVersion) =>
  new ReviewStateError(
    bilingual(
      `${record.year} 年方案第 ${record.version} 版刚被他人改动，请刷新后重试`,
      `${record.year} scheme v${record.version} was changed by someone else meanwhile; reload and try again`,
    ),
  );

function checkFits(communityId: string, year: number, scheme: Scheme): void {
  if (scheme.year !== year || scheme.community.id !== communityId) {
    throw new ReviewStateError(
      bilingual(
        `方案的 community.id/year 为 ${scheme.community.id}/${scheme.year}，应为 ${communityId}/${year}`,
        `the scheme's community.id/year are ${scheme.community.id}/${scheme.year}, not ${communityId}/${year}`,
      ),
    );
  }
}

/** A new draft: the content given, else a copy of `basedOn` or of the scheme in force. */
export async function createSchemeDraft(
  repos: Repositories,
  input: {
    communityId: string;
    year: number;
    by: string;
    scheme?: Scheme;
    indicators?: Indicator[];
    basedOn?: number;
  },
): Promise<SchemeVersion> {
  const { communityId, year } = input;
  const base =
    input.basedOn !== undefined
      ? await versionOf(repos, communityId, year, input.basedOn)
      : await schemeInForce(repos, communityId, year);
  const scheme = input.scheme ?? base?.scheme;
  const indicators = input.indicators ?? base?.indicators;
  if (!scheme || !indicators) {
    throw new NotFoundError(
      bilingual(
        `${communityId} ${year} 年还没有方案可作底稿，请提供完整的 scheme.json 和 indicators.csv`,
        `${communityId} has no ${year} scheme to start from; give both scheme.json and indicators.csv`,
      ),
    );
  }
  checkFits(communityId, year, scheme);
  const now = new Date().toISOString();
  const record = await schemesOf(repos).createDraft(
    {
      communityId,
      year,
      scheme,
      indicators,
      hash: schemeHash(scheme, indicators),
      basedOn: input.basedOn ?? (base && 'source' in base ? base.version : null),
      createdBy: input.by,
      createdAt: now,
    },
    (items, draft) =>
      recorded(
        repos,
        communityId,
        {
          actor: input.by,
          action: 'scheme.draft',
          subject: `scheme ${year} v${draft.version}`,
          details: { hash: draft.hash, basedOn: draft.basedOn },
        },
        items,
      ),
  );
  return record;
}

export async function updateSchemeDraft(
  repos: Repositories,
  input: {
    communityId: string;
    year: number;
    version: number;
    by: string;
    scheme?: Scheme;
    indicators?: Indicator[];
  },
): Promise<SchemeVersion> {
  const record = await versionOf(repos, input.communityId, input.year, input.version);
  expectStatus(record, ['draft'], '修改');
  const scheme = input.scheme ?? record.scheme;
  const indicators = input.indicators ?? record.indicators;
  checkFits(input.communityId, input.year, scheme);
  const next: SchemeVersion = {
    ...record,
    scheme,
    indicators,
    hash: schemeHash(scheme, indicators),
    editedBy: record.editedBy.includes(input.by) ? record.editedBy : [...record.editedBy, input.by],
    updatedAt: new Date().toISOString(),
  };
  const entry: Entry = {
    actor: input.by,
    action: 'scheme.edit',
    subject: `scheme ${input.year} v${input.version}`,
    details: { hash: next.hash, previousHash: record.hash },
  };
  if (!(await recorded(repos, input.communityId, entry, [schemesOf(repos).transitionItem(record, next)])))
    throw moved(record);
  return next;
}

export async function submitScheme(
  repos: Repositories,
  input: { communityId: string; year: number; version: number; by: string },
): Promise<SchemeVersion> {
  const record = await versionOf(repos, input.communityId, input.year, input.version);
  expectStatus(record, ['draft'], '提交');
  const next: SchemeVersion = {
    ...record,
    status: 'submitted',
    submittedBy: input.by,
    submittedAt: new Date().toISOString(),
  };
  const entry: Entry = {
    actor: input.by,
    action: 'scheme.submit',
    subject: `scheme ${input.year} v${input.version}`,
    details: { hash: record.hash },
  };
  if (!(await recorded(repos, input.communityId, entry, [schemesOf(repos).transitionItem(record, next)])))
    throw moved(record);
  return next;
}

/** The committee's decision (医管会审定). Four eyes: never by whoever drafted, edited or submitted it. */
export async function decideScheme(
  repos: Repositories,
  input: {
    communityId: string;
    year: number;
    version: number;
    by: string;
    approve: boolean;
    reason?: string;
  },
): Promise<SchemeVersion> {
  const record = await versionOf(repos, input.communityId, input.year, input.version);
  expectStatus(record, ['submitted'], '审定');
  const authors = new Set([record.createdBy, ...record.editedBy, record.submittedBy ?? record.createdBy]);
  if (authors.has(input.by)) {
    throw new FourEyesError(
      bilingual(
        `方案须由起草、修改、提交者以外的医管会成员审定（${[...authors].join('、')} 不能审定）`,
        `a scheme is decided by a committee member who neither drafted, edited nor submitted it (not ${[...authors].join(', ')})`,
      ),
    );
  }
  if (!input.approve && !input.reason?.trim()) {
    throw new ReviewStateError(bilingual('退回须说明原因', 'a rejection needs a reason'));
  }
  const next: SchemeVersion = {
    ...record,
    status: input.approve ? 'approved' : 'rejected',
    decidedBy: input.by,
    decidedAt: new Date().toISOString(),
    ...(input.reason ? { reason: input.reason } : {}),
  };
  const entry: Entry = {
    actor: input.by,
    action: input.approve ? 'scheme.approve' : 'scheme.reject',
    subject: `scheme ${input.year} v${input.version}`,
    details: { hash: record.hash, ...(input.reason ? { reason: input.reason } : {}) },
  };
  if (!(await recorded(repos, input.communityId, entry, [schemesOf(repos).transitionItem(record, next)])))
    throw moved(record);
  return next;
}

/**
 * Publishes an approved version for its year. When the year has data, a new dataset version carrying
 * the scheme becomes current (under the year's import lease), so the cycles started from now on use it.
 * Publishing a version already published writes that dataset version if it is missing (a retry).
 */
export async function publishScheme(
  repos: Repositories,
  input: { communityId: string; year: number; version: number; by: string },
): Promise<SchemeVersion> {
  const { communityId, year } = input;
  const schemes = schemesOf(repos);
  let record = await versionOf(repos, communityId, year, input.version);
  expectStatus(record, ['approved', 'published'], '发布');
  const locks = await repos.cycles.yearLocks(communityId, year);
  if (locks.year) {
    throw new LockedPeriodError(
      bilingual(
        `${year} 年度已完成年考核并锁定，方案不能再发布`,
        `${year} is locked by its annual appraisal; no scheme can be published for it`,
      ),
    );
  }
  if (record.status === 'approved') {
    const previous = await schemes.published(communityId, year);
    const publishedAt = new Date().toISOString();
    const next: SchemeVersion = { ...record, status: 'published', publishedBy: input.by, publishedAt };
    const pointer = schemes.publishPointer(
      { communityId, year, version: record.version, hash: record.hash, publishedBy: input.by, publishedAt },
      previous?.version,
    );
    const items = [
      schemes.transitionItem(record, next),
      pointer,
      ...(previous ? [schemes.supersede(communityId, year, previous.version)] : []),
    ];
    const entry: Entry = {
      actor: input.by,
      action: 'scheme.publish',
      subject: `scheme ${year} v${record.version}`,
      details: { hash: record.hash, replaces: previous?.version ?? null },
    };
    if (!(await recorded(repos, communityId, entry, items))) throw moved(record);
    record = next;
  }
  const datasetVersion = await carryIntoDataset(repos, record, input.by);
  if (datasetVersion !== undefined && record.datasetVersion !== datasetVersion) {
    const next = { ...record, datasetVersion };
    if (await schemes.transition(record, next)) record = next;
  }
  return record;
}

/** Writes the year's current dataset again with the published scheme, unless it already carries it. */
async function carryIntoDataset(
  repos: Repositories,
  record: SchemeVersion,
  by: string,
): Promise<number | undefined> {
  const { communityId, year } = record;
  const current = await repos.datasets.current(communityId, year);
  if (!current || current.year !== year) return undefined; // the first import will carry it
  return withImportLease(repos, communityId, year, by, async (lease) => {
    const now = await repos.datasets.current(communityId, year);
    if (!now) return undefined;
    const [scheme, indicators] = await Promise.all([
      repos.datasets.scheme(communityId, now.version),
      repos.datasets.indicators(communityId, now.version),
    ]);
    if (schemeHash(scheme, indicators) === record.hash) return now.version;
    const dataset: Dataset = {
      ...(await repos.datasets.load(communityId, now.version)),
      scheme: record.scheme,
      indicators: record.indicators,
    };
    // The version's entry is written with its pointer switch, as an import's is.
    const pointer = await repos.datasets.writeVersion(dataset, by, now.version, undefined, {
      lease,
      audited: (version) => ({
        actor: by,
        action: 'dataset.import',
        subject: `dataset v${version}`,
        details: {
          year,
          scheme: `published scheme ${year} v${record.version}`,
          from: `dataset v${now.version}`,
        },
      }),
    });
    return pointer.version;
  });
}

/** The scheme line of `medcomm status` and the board: the version in force and the versions not yet published. */
export async function schemeStatusLine(
  repos: Repositories,
  communityId: string,
  year: number,
): Promise<string> {
  const [inForce, versions] = await Promise.all([
    schemeInForce(repos, communityId, year),
    schemesOf(repos).list(communityId, year),
  ]);
  const current = !inForce
    ? '—'
    : inForce.source === 'published'
      ? `v${inForce.version} #${inForce.hash}`
      : `随数据 v${inForce.datasetVersion} 导入 from the import #${inForce.hash}`;
  const pending = versions
    .filter((v) => v.status === 'draft' || v.status === 'submitted' || v.status === 'approved')
    .map((v) => `v${v.version} ${WORDS[v.status]} ${v.status}`);
  return `${year} 考核方案 scheme: ${current}${pending.length ? ` · 待办 pending: ${pending.join(', ')}` : ''}`;
}
