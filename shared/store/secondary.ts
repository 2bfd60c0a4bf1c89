/**
 * Secondary distribution in manual mode (科室二次分配, DOMAIN.md §9.1): one monthly cycle revision's window,
 * each waiting institution's draft (department pools, members and the rule split as the default), the task
 * token each batch of institutions waits on, and the department heads' submissions. The window's state lives
 * in one partition `SECONDARY#{community}#{period}#r{revision}` (one query reads it): the window, a draft
 * head per institution (its departments' pools and headcounts, and where its full draft is), a token per
 * batch and the submissions. A draft itself is the JSON of the institution's departments and members, cut
 * by encoded size into pages of ≤ 349,000 bytes (an institution of 10,000 people is ~1 MB, over DynamoDB's
 * 400 KB item) under a partition of its own, `…#DRAFT#{institution}`, named by the draft's hash: the pages
 * are written first and the head, which names the hash, last — a reader sees the whole draft or none.
 * A head's submission keeps its amounts on its own item while they are small; a department's amounts over
 * INLINE_AMOUNTS_BYTES (a department of ~1,600 people or more: 25,000 people are ~500 KB) go to pages the
 * same way, under `…#AMOUNTS#{institution}`, written before the transaction that puts the submission naming
 * them — the submission and its audit entry stay one conditional write, and a reader sees all of its
 * amounts or none. Submissions written before (amounts on the item) read as they are.
 * Every decision is a conditional write in the same transaction as its audit entry, and each needs the
 * window still open; a decision updates the submission's state and leaves its amounts where they are.
 */
import { AuditRepository } from './audit.js';
import { decode, encode } from './codec.js';
import { isStoreError, StoreError } from './errors.js';
import { keys } from './keys.js';
import { PAGE_BYTES, type PagesRef, putPages, readPages } from './pages.js';
import { PromiseCache } from './promise-cache.js';
import type { Table, TransactItem } from './store.js';

export interface SecondaryRef {
  communityId: string;
  period: string;
  revision: number;
}

export interface SecondaryWindow {
  status: 'open' | 'closed';
  institutionIds: string[];
  openedAt: string;
  closedAt?: string;
  /** A user id, or `timeout` when the wait ran out and the workflow closed it itself. */
  closedBy?: string;
  /** The paused Map state's input: the local engine re-enters the definition there on close. */
  resumeInput?: unknown;
}

export interface DraftMember {
  staffId: string;
  name: string;
  /** pts over the month (fraction string). */
  points: string;
  /** The rule split's amount: the default a head starts from, and what an unapproved department pays. */
  rule: number;
}

export interface DraftDepartment {
  departmentId: string;
  name: string;
  headStaffId?: string;
  /** P_d (fraction string) and X_d in fen. */
  points: string;
  pool: number;
  capMultiple?: string;
  /** round(capMultiple × X_d ÷ n_d) when capMultiple is set. */
  cap?: number;
  members: DraftMember[];
}

export interface SecondaryDraft {
  institutionId: string;
  institutionName: string;
  departments: DraftDepartment[];
}

/** What the window's status shows of a draft, without reading its pages. */
export interface DraftSummary {
  institutionId: string;
  institutionName: string;
  departments: { departmentId: string; name: string; pool: number; people: number }[];
}

/** The task token one batch of institutions waits on. */
export interface WaitToken {
  institutionIds: string[];
  token: string;
}

export type SubmissionStatus = 'submitted' | 'approved' | 'rejected';

export interface Submission {
  institutionId: string;
  departmentId: string;
  /** staffId → fen. */
  amounts: Record<string, number>;
  status: SubmissionStatus;
  submittedBy: string;
  submittedAt: string;
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
  version: number;
}

const WINDOW = 'WINDOW';
const draftKey = (institutionId: string) => `INST#${institutionId}`;
/** A batch's wait, named by its first institution (batches are consecutive runs of the sorted ids). */
const waitKey = (institutionIds: readonly string[]) => `WAIT#${institutionIds[0]}`;
/** A draft page's JSON at most (UTF-8 bytes): shared/store/pages.ts cuts every page so. */
export const DRAFT_PAGE_BYTES = PAGE_BYTES;
export { splitUtf8 } from './pages.js';

const submissionKey = (institutionId: string, departmentId: string) => `SUB#${institutionId}#${departmentId}`;

export const secondaryPartition = (ref: SecondaryRef) =>
  keys.secondary(ref.communityId, ref.period, ref.revision);

/** An institution's draft pages: a partition of their own, so a province's drafts spread over 3,100 keys. */
export const draftPartition = (ref: SecondaryRef, institutionId: string) =>
  `${secondaryPartition(ref)}#DRAFT#${institutionId}`;

/** The pages of the window's waiting ids when they are larger than INLINE_AMOUNTS_BYTES. */
const windowIdsPartition = (ref: SecondaryRef) => `${secondaryPartition(ref)}#WINDOW`;

/** The pages of an institution's large submissions (amounts over INLINE_AMOUNTS_BYTES), one partition each. */
export const amountsPartition = (ref: SecondaryRef, institutionId: string) =>
  `${secondaryPartition(ref)}#AMOUNTS#${institutionId}`;

/**
 * A department's amounts (JSON, UTF-8 bytes) kept on its submission item at most: ~1,600 people. The
 * window's partition holds every submission of the month and is read whole by its status and its close,
 * so what is larger — up to a whole department, however big — goes to pages.
 */
export const INLINE_AMOUNTS_BYTES = 32_000;

interface DraftHead {
  institutionId: string;
  /** SHA-256 of the draft's JSON: its pages' names. Absent on a draft stored whole in `data` (before paging). */
  hash?: string;
  pages?: number;
  summary?: DraftSummary;
  data?: string;
}

/** The window as stored: its ids on the item, or (a province's) the hash and page count of their JSON. */
type WindowItem = Omit<SecondaryWindow, 'institutionIds'> & {
  institutionIds?: string[];
  institutionIdsRef?: PagesRef;
};

/** A submission as stored: its amounts on the item, or (large ones) the hash and page count of their JSON. */
type SubmissionItem = Omit<Submission, 'amounts'> & {
  amounts?: Record<string, number>;
  amountsHash?: string;
  amountsPages?: number;
};

/** A submission's state without its amounts: what the window's status and close need. */
export type SubmissionState = Omit<Submission, 'amounts'>;

export class SecondaryRepository {
  private readonly audit: AuditRepository;
  private readonly idsCache = new PromiseCache<string[]>(8);
  private readonly waitingCache = new PromiseCache<string[]>(16);

  constructor(private readonly table: Table) {
    this.audit = new AuditRepository(table);
  }

  private key(ref: SecondaryRef, sk: string) {
    return { pk: secondaryPartition(ref), sk };
  }

  /** Opens the window once (a retried or resumed step finds it and leaves it as it is). */
  async open(ref: SecondaryRef, institutionIds: readonly string[]): Promise<SecondaryWindow> {
    const window: SecondaryWindow = {
      status: 'open',
      institutionIds: [...institutionIds],
      openedAt: new Date().toISOString(),
    };
    // A province's waiting ids (3,100 of up to 64 Chinese characters: ~600 KB) do not fit on the window's
    // item: their pages first, then the window naming them (as a large submission's amounts).
    const text = encode(window.institutionIds);
    const { institutionIds: _ids, ...rest } = window;
    const stored: WindowItem =
      Buffer.byteLength(text, 'utf8') > INLINE_AMOUNTS_BYTES
        ? {
            ...rest,
            institutionIdsRef: await putPages(
              this.table,
              windowIdsPartition(ref),
              text,
              'SecondaryWindowIdsPage',
            ),
          }
        : window;
    try {
      await this.table.put(
        { ...this.key(ref, WINDOW), type: 'SecondaryWindow', ...stored },
        { ConditionExpression: 'attribute_not_exists(pk)' },
      );
      return window;
    } catch (error) {
      if (!isStoreError(error, 'conditional_failed')) throw error;
      return (await this.window(ref))!;
    }
  }

  async window(ref: SecondaryRef): Promise<SecondaryWindow | undefined> {
    const item = await this.table.get<WindowItem & { pk?: string; sk?: string; type?: string }>(
      this.key(ref, WINDOW),
    );
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, type: _type, institutionIdsRef, ...window } = item;
    if (!institutionIdsRef) return window as SecondaryWindow;
    return { ...window, institutionIds: await this.windowIds(ref, institutionIdsRef) };
  }

  /**
   * The institutions a window waits for, or undefined before it is opened: read once per process and
   * window, as they never change once it is opened (a window not there yet is read again next time).
   */
  async waitingIds(ref: SecondaryRef): Promise<string[] | undefined> {
    const key = `${ref.communityId}\u0000${ref.period}\u0000${ref.revision}`;
    try {
      return await this.waitingCache.get(key, async () => {
        const window = await this.window(ref);
        if (!window) throw new NoWindowYet();
        return window.institutionIds;
      });
    } catch (error) {
      if (error instanceof NoWindowYet) return undefined;
      throw error;
    }
  }

  /** A window's paged ids, read once per process (they never change: the pages are named by their hash). */
  private windowIds(ref: SecondaryRef, pages: PagesRef): Promise<string[]> {
    const what = `the secondary window of ${ref.period} r${ref.revision}`;
    return this.idsCache.get(pages.hash, () =>
      readPages(this.table, windowIdsPartition(ref), pages, what).then((t) => decode<string[]>(t)),
    );
  }

  /** Where the local engine resumes: recorded once, by the first institution's wait. */
  async recordResumeInput(ref: SecondaryRef, input: unknown): Promise<void> {
    await this.table.update({
      Key: this.key(ref, WINDOW),
      UpdateExpression: 'SET resumeInput = if_not_exists(resumeInput, :input)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':input': input },
    });
  }

  /**
   * The draft is a function of the cycle's data: writing it again writes the same thing. Its pages (named
   * by its hash) first, then the head that points at them: a reader never sees part of a draft.
   */
  async putDraft(ref: SecondaryRef, draft: SecondaryDraft): Promise<void> {
    const { hash, pages } = await putPages(
      this.table,
      draftPartition(ref, draft.institutionId),
      encode(draft),
      'SecondaryDraftPage',
    );
    const summary: DraftSummary = {
      institutionId: draft.institutionId,
      institutionName: draft.institutionName,
      departments: draft.departments.map((d) => ({
        departmentId: d.departmentId,
        name: d.name,
        pool: d.pool,
        people: d.members.length,
      })),
    };
    await this.table.update({
      Key: this.key(ref, draftKey(draft.institutionId)),
      UpdateExpression:
        'SET #type = :type, institutionId = :id, #hash = :hash, pages = :pages, summary = :summary REMOVE #data',
      ExpressionAttributeNames: { '#type': 'type', '#hash': 'hash', '#data': 'data' },
      ExpressionAttributeValues: {
        ':type': 'SecondaryDraft',
        ':id': draft.institutionId,
        ':hash': hash,
        ':pages': pages,
        ':summary': summary,
      },
    });
  }

  async draft(ref: SecondaryRef, institutionId: string): Promise<SecondaryDraft | undefined> {
    const head = await this.table.get<DraftHead>(this.key(ref, draftKey(institutionId)));
    if (head?.data) return decode<SecondaryDraft>(head.data);
    if (!head?.hash) return undefined;
    const text = await readPages(
      this.table,
      draftPartition(ref, institutionId),
      { hash: head.hash, pages: head.pages ?? 0 },
      `the secondary draft of ${institutionId} (${ref.period} r${ref.revision})`,
    );
    return decode<SecondaryDraft>(text);
  }

  /** Every drafted institution's departments (pools and headcounts), in one query of the window. */
  async draftSummaries(ref: SecondaryRef): Promise<Map<string, DraftSummary>> {
    const heads = await this.table.queryPrefix<DraftHead>(secondaryPartition(ref), 'INST#');
    const out = new Map<string, DraftSummary>();
    for (const head of heads) {
      if (head.summary) out.set(head.institutionId, head.summary);
      else if (head.data) {
        const d = decode<SecondaryDraft>(head.data);
        out.set(head.institutionId, {
          institutionId: d.institutionId,
          institutionName: d.institutionName,
          departments: d.departments.map((x) => ({
            departmentId: x.departmentId,
            name: x.name,
            pool: x.pool,
            people: x.members.length,
          })),
        });
      }
    }
    return out;
  }

  /** The task token a batch of institutions parks on (answered when the window closes). */
  async putToken(ref: SecondaryRef, institutionIds: readonly string[], token: string): Promise<void> {
    await this.table.put({
      ...this.key(ref, waitKey(institutionIds)),
      type: 'SecondaryWait',
      institutionIds: [...institutionIds],
      token,
      tokenAt: new Date().toISOString(),
    });
  }

  /** Every batch's stored task token. */
  async tokens(ref: SecondaryRef): Promise<WaitToken[]> {
    const items = await this.table.queryPrefix<WaitToken>(secondaryPartition(ref), 'WAIT#');
    return items.map((i) => ({ institutionIds: i.institutionIds, token: i.token }));
  }

  /** The window's submissions (of one institution; of one status), each with its amounts. */
  async submissions(
    ref: SecondaryRef,
    institutionId?: string,
    status?: SubmissionStatus,
  ): Promise<Submission[]> {
    const items = await this.submissionItems(ref, institutionId);
    return Promise.all(
      items.filter((i) => status === undefined || i.status === status).map((i) => this.withAmounts(ref, i)),
    );
  }

  /** The window's submissions (of one institution) without their amounts: no page is read. */
  async submissionStates(ref: SecondaryRef, institutionId?: string): Promise<SubmissionState[]> {
    return (await this.submissionItems(ref, institutionId)).map(
      ({ amounts: _a, amountsHash: _h, amountsPages: _p, ...state }) => state,
    );
  }

  async submission(
    ref: SecondaryRef,
    institutionId: string,
    departmentId: string,
  ): Promise<Submission | undefined> {
    const item = await this.table.get<SubmissionItem & Record<string, unknown>>(
      this.key(ref, submissionKey(institutionId, departmentId)),
    );
    return item ? this.withAmounts(ref, stripSubmission(item)) : undefined;
  }

  private async submissionItems(ref: SecondaryRef, institutionId?: string): Promise<SubmissionItem[]> {
    const items = await this.table.queryPrefix<SubmissionItem & Record<string, unknown>>(
      secondaryPartition(ref),
      institutionId === undefined ? 'SUB#' : `SUB#${institutionId}#`,
    );
    return items.map(stripSubmission);
  }

  /** A stored submission with its amounts: on the item (small, or written before paging) or in its pages. */
  private async withAmounts(ref: SecondaryRef, item: SubmissionItem): Promise<Submission> {
    const { amounts, amountsHash, amountsPages, ...state } = item;
    if (amounts) return { ...state, amounts };
    const what = `the submission of ${item.institutionId}/${item.departmentId} (${ref.period} r${ref.revision})`;
    if (!amountsHash) throw new StoreError('not_found', `${what} has no amounts`);
    const text = await readPages(
      this.table,
      amountsPartition(ref, item.institutionId),
      { hash: amountsHash, pages: amountsPages ?? 0 },
      `${what}'s amounts`,
    );
    return { ...state, amounts: decode<Record<string, number>>(text) };
  }

  /**
   * The monthly cycle still at this revision: a call made from a caller's view of the revision (not read
   * again) writes only while it is so, and any call is refused if the month was recomputed meanwhile.
   */
  private cycleAtRevision(ref: SecondaryRef): TransactItem {
    return {
      ConditionCheck: {
        Key: keys.cycle(ref.communityId, 'monthly', ref.period),
        ConditionExpression: 'revision = :revision',
        ExpressionAttributeValues: { ':revision': ref.revision },
      },
    };
  }

  private windowOpen(ref: SecondaryRef): TransactItem {
    return {
      ConditionCheck: {
        Key: this.key(ref, WINDOW),
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':open': 'open' },
      },
    };
  }

  /**
   * A head's submission: a new one, or one replacing an earlier submission not yet approved (`previous`
   * is what the caller read: its version must still be there). Refused once the window closed.
   */
  async submit(
    ref: SecondaryRef,
    submission: Omit<Submission, 'version' | 'status'>,
    previous: Submission | undefined,
    audited: { details: Record<string, string | number> },
  ): Promise<Submission> {
    const next: Submission = { ...submission, status: 'submitted', version: (previous?.version ?? 0) + 1 };
    const text = encode(next.amounts);
    // A large department's amounts: their pages first, then the submission that names them (below).
    const paged =
      Buffer.byteLength(text, 'utf8') > INLINE_AMOUNTS_BYTES
        ? await putPages(
            this.table,
            amountsPartition(ref, submission.institutionId),
            text,
            'SecondaryAmountsPage',
          )
        : undefined;
    const { amounts: _amounts, ...state } = next;
    const stored: SubmissionItem = paged
      ? { ...state, amountsHash: paged.hash, amountsPages: paged.pages }
      : next;
    await this.write(ref, {
      actor: submission.submittedBy,
      action: 'secondary.submit',
      subject: subject(ref, submission.institutionId, submission.departmentId),
      details: audited.details,
      changes: [
        this.windowOpen(ref),
        this.cycleAtRevision(ref),
        {
          Put: {
            Item: {
              ...this.key(ref, submissionKey(submission.institutionId, submission.departmentId)),
              type: 'SecondarySubmission',
              ...stored,
            },
            ...(previous
              ? {
                  ConditionExpression: 'version = :v AND #status <> :approved',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':v': previous.version, ':approved': 'approved' },
                }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          },
        },
      ],
    });
    return next;
  }

  /** Approves or rejects the submitted version `previous`; one decision wins, and only while the window is open. */
  async decide(
    ref: SecondaryRef,
    previous: Submission,
    decision: { approved: boolean; by: string; reason?: string },
  ): Promise<Submission> {
    const next: Submission = {
      ...previous,
      status: decision.approved ? 'approved' : 'rejected',
      decidedBy: decision.by,
      decidedAt: new Date().toISOString(),
      ...(decision.reason ? { reason: decision.reason } : {}),
      version: previous.version + 1,
    };
    await this.write(ref, {
      actor: decision.by,
      action: decision.approved ? 'secondary.approve' : 'secondary.reject',
      subject: subject(ref, previous.institutionId, previous.departmentId),
      details: {
        submittedBy: previous.submittedBy,
        submission: previous.version,
        ...(decision.reason ? { reason: decision.reason } : {}),
      },
      changes: [
        this.windowOpen(ref),
        this.cycleAtRevision(ref),
        {
          // The state only: the amounts (on the item or in pages) stay as submitted.
          Update: {
            Key: this.key(ref, submissionKey(previous.institutionId, previous.departmentId)),
            UpdateExpression: `SET #status = :status, decidedBy = :by, decidedAt = :at, version = :next${
              decision.reason ? ', #reason = :reason' : ''
            }`,
            // That version, still submitted, by that submitter (the four-eyes check was made against it).
            ConditionExpression: 'version = :v AND #status = :submitted AND submittedBy = :submitter',
            ExpressionAttributeNames: {
              '#status': 'status',
              ...(decision.reason ? { '#reason': 'reason' } : {}),
            },
            ExpressionAttributeValues: {
              ':status': next.status,
              ':by': next.decidedBy,
              ':at': next.decidedAt,
              ':next': next.version,
              ':v': previous.version,
              ':submitted': 'submitted',
              ':submitter': previous.submittedBy,
              ...(decision.reason ? { ':reason': decision.reason } : {}),
            },
          },
        },
      ],
    });
    return next;
  }

  /** Closes the window (the office, or the workflow when the wait timed out); false if it was closed already. */
  async close(ref: SecondaryRef, by: string, details: Record<string, string | number>): Promise<boolean> {
    try {
      await this.write(ref, {
        actor: by,
        action: 'secondary.close',
        subject: `monthly ${ref.period} r${ref.revision}`,
        details,
        changes: [
          {
            Update: {
              Key: this.key(ref, WINDOW),
              UpdateExpression: 'SET #status = :closed, closedAt = :now, closedBy = :by',
              ConditionExpression: '#status = :open',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':closed': 'closed',
                ':open': 'open',
                ':now': new Date().toISOString(),
                ':by': by,
              },
            },
          },
        ],
      });
      return true;
    } catch (error) {
      if (error instanceof StoreError && error.code === 'conditional_failed') return false;
      throw error;
    }
  }

  private async write(
    ref: SecondaryRef,
    entry: {
      actor: string;
      action: string;
      subject: string;
      details: Record<string, string | number>;
      changes: TransactItem[];
    },
  ): Promise<void> {
    const { changes, ...audited } = entry;
    await this.audit.append(ref.communityId, audited, changes);
  }
}

/** waitingIds' read found no window: not kept, so the next call reads again. */
class NoWindowYet extends Error {
  override readonly name = 'NoWindowYet' as const;
}

const subject = (ref: SecondaryRef, institutionId: string, departmentId: string) =>
  `monthly ${ref.period} r${ref.revision} ${institutionId}/${departmentId}`;

function stripSubmission(item: SubmissionItem & Record<string, unknown>): SubmissionItem {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  return rest as unknown as SubmissionItem;
}
