/**
 * Corrections of completed periods (DOMAIN.md §7.1): each is its own revision of a monthly or quarterly
 * period, recomputed on corrected rows, never paid itself. Its per-person differences are posted as
 * adjustment lines of the next open month once finance approves; the month's pay step reads them from
 * the month's postings item, which the approval writes in the same transaction that checks the month is
 * still open — so a month either pays a correction in full or not at all.
 */
import { decode, encode } from './codec.js';
import { encodeArrayPages } from './datasets.js';
import { isStoreError, StoreError } from './errors.js';
import { type CycleKind, keys } from './keys.js';
import { resultsPartition } from './results.js';
import type { Table, TransactItem } from './store.js';

export type CorrectionStatus = 'awaiting_review' | 'completed' | 'rejected';

/** One person's difference in one pay component (fen), new − old. */
export interface CorrectionLine {
  staffId: string;
  component: string;
  old: number;
  new: number;
  difference: number;
}

export interface CorrectionRecord {
  communityId: string;
  kind: Extract<CycleKind, 'monthly' | 'quarterly'>;
  period: string;
  revision: number;
  status: CorrectionStatus;
  /** The revision whose results this one corrects (the cycle's, or the last approved correction's). */
  baseRevision: number;
  /** The dataset version the correction computed on: the base's rows with the corrected ones in place. */
  datasetVersion: number;
  startedBy: string;
  startedAt: string;
  reason?: string;
  totals: { old: number; new: number; difference: number; people: number; lines: number };
  decision?: { approved: boolean; by: string; at: string; reason?: string };
  /** The month whose sheet carries the differences (set on approval). */
  postedTo?: string;
  /** What started it (an API job, an appeal), so that running it again finds it (CorrectionRun.key). */
  requestKey?: string;
  version: number;
}

/**
 * A correction being computed: its revision is taken first, so a run that stops part-way (a crashed job
 * runner) leaves this item, not a revision that a later correction could reuse with other rows over the
 * write-once results already written. Run again with the same key, the correction goes on where it
 * stopped (the same revision, base and dataset version); another correction marks it abandoned and takes
 * the next revision. Completed, it is removed in the transaction that records the correction.
 */
export interface CorrectionRun {
  communityId: string;
  kind: CorrectionRecord['kind'];
  period: string;
  revision: number;
  /** Who may go on with it: the request's key (a job's id), or a fresh one when nobody may. */
  key: string;
  status: 'preparing' | 'abandoned';
  baseRevision: number;
  baseDatasetVersion: number;
  /** The corrected dataset's version, once written. */
  datasetVersion?: number;
  startedBy: string;
  startedAt: string;
}

/** What a month's pay step adds to the dataset's adjustments: one line per person and component. */
export interface PostedAdjustment {
  period: string;
  staffId: string;
  amount: number;
  reason: string;
  refPeriod: string;
}

export interface PostingRef {
  kind: CorrectionRecord['kind'];
  period: string;
  revision: number;
}

/**
 * One institution's share of a correction, stored beside its difference pages (`DIFFSUM#{institution}`)
 * so that the review queue knows every institution's figures, and which institutions' lines fit its
 * answer, without reading the lines (issue 12: a province's pages are tens of MB).
 * One small item per institution (under 700 bytes with a 64-character Chinese id), not the record nor paged
 * summary items: on the record a province's 3,100 institutions (~250 bytes each) would cross DynamoDB's
 * 400 KB; an item of its own is written right after the institution's pages, so a run that stops holds the
 * summaries of exactly the institutions it finished, and a run going on writes each again as a no-op as
 * it does the pages. 3,100 of them are ~2 MB: two 1 MB query pages, the same read units as paged items.
 */
export interface DifferenceSummary {
  institutionId: string;
  /** Distinct staff with a line. */
  people: number;
  lines: number;
  /** Σ difference (fen). */
  difference: number;
  /** UTF-8 bytes of the institution's lines as one JSON array (`JSON.stringify(lines)`). */
  bytes: number;
  /** How many DIFF pages hold them (`DIFF#{institution}#000` …). */
  pages: number;
}

const diffKey = (institutionId: string, page: number) =>
  `DIFF#${institutionId}#${String(page).padStart(3, '0')}`;
const DIFF_SUMMARY_PREFIX = 'DIFFSUM#';
const diffSummaryKey = (institutionId: string) => `${DIFF_SUMMARY_PREFIX}${institutionId}`;

export const correctionReason = (ref: Pick<PostingRef, 'period' | 'revision'>) =>
  `更正 ${ref.period} r${ref.revision}`;

export class CorrectionRepository {
  constructor(private readonly table: Table) {}

  async get(
    communityId: string,
    kind: CorrectionRecord['kind'],
    period: string,
    revision: number,
  ): Promise<CorrectionRecord | undefined> {
    return this.table.get<CorrectionRecord>(keys.correction(communityId, kind, period, revision));
  }

  /** Corrections of a community (of one year), oldest first within each period. */
  async list(communityId: string, year?: number): Promise<CorrectionRecord[]> {
    const all = await this.table.queryPrefix<CorrectionRecord>(
      keys.community(communityId),
      keys.correctionPrefix(),
    );
    return year === undefined ? all : all.filter((c) => c.period.startsWith(String(year)));
  }

  /** Records a new correction awaiting review; refused if that revision exists already. */
  async create(record: Omit<CorrectionRecord, 'version' | 'status'>): Promise<CorrectionRecord> {
    const full: CorrectionRecord = { ...record, status: 'awaiting_review', version: 1 };
    await this.table.put(
      {
        ...keys.correction(record.communityId, record.kind, record.period, record.revision),
        type: 'Correction',
        ...full,
      },
      { ConditionExpression: 'attribute_not_exists(pk)' },
    );
    return full;
  }

  /** The runs of a period's corrections that were never completed (preparing or abandoned). */
  async runs(communityId: string, kind: CorrectionRecord['kind'], period: string): Promise<CorrectionRun[]> {
    return this.table.queryPrefix<CorrectionRun>(
      keys.community(communityId),
      keys.correctionRunPrefix(kind, period),
    );
  }

  /** Takes a revision for a correction's run; refused (conditional_failed) if it was taken. */
  async beginRun(run: Omit<CorrectionRun, 'status'>): Promise<CorrectionRun> {
    const full: CorrectionRun = { ...run, status: 'preparing' };
    await this.table.put(
      {
        ...keys.correctionRun(run.communityId, run.kind, run.period, run.revision),
        type: 'CorrectionRun',
        ...full,
      },
      { ConditionExpression: 'attribute_not_exists(pk)' },
    );
    return full;
  }

  /** Notes the corrected dataset's version on the run (while it is still `key`'s and preparing). */
  async runVersion(run: CorrectionRun, datasetVersion: number): Promise<void> {
    await this.table.update({
      Key: keys.correctionRun(run.communityId, run.kind, run.period, run.revision),
      UpdateExpression: 'SET datasetVersion = :v',
      ConditionExpression: '#key = :key AND #status = :preparing',
      ExpressionAttributeNames: { '#key': 'key', '#status': 'status' },
      ExpressionAttributeValues: { ':v': datasetVersion, ':key': run.key, ':preparing': 'preparing' },
    });
  }

  /** Marks a run nobody will finish abandoned (its revision stays taken); false if it moved meanwhile. */
  async abandonRun(run: CorrectionRun): Promise<boolean> {
    return this.table.updateIf({
      Key: keys.correctionRun(run.communityId, run.kind, run.period, run.revision),
      UpdateExpression: 'SET #status = :abandoned',
      ConditionExpression: '#key = :key AND #status = :preparing',
      ExpressionAttributeNames: { '#key': 'key', '#status': 'status' },
      ExpressionAttributeValues: { ':abandoned': 'abandoned', ':key': run.key, ':preparing': 'preparing' },
    });
  }

  /**
   * The transaction actions that record a run's correction, awaiting review, and end the run: with the
   * correction's audit entry (AuditRepository.append's alsoWrite), so neither exists without the other.
   */
  completeRunActions(
    run: CorrectionRun,
    record: Omit<CorrectionRecord, 'version' | 'status'>,
  ): TransactItem[] {
    const full: CorrectionRecord = { ...record, status: 'awaiting_review', version: 1 };
    return [
      {
        Put: {
          Item: {
            ...keys.correction(record.communityId, record.kind, record.period, record.revision),
            type: 'Correction',
            ...full,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Delete: {
          Key: keys.correctionRun(run.communityId, run.kind, run.period, run.revision),
          ConditionExpression: '#key = :key AND #status = :preparing',
          ExpressionAttributeNames: { '#key': 'key', '#status': 'status' },
          ExpressionAttributeValues: { ':key': run.key, ':preparing': 'preparing' },
        },
      },
    ];
  }

  /** Rejects a correction awaiting review (nothing is posted). */
  async reject(record: CorrectionRecord, decision: NonNullable<CorrectionRecord['decision']>) {
    try {
      return (await this.table.update({
        Key: keys.correction(record.communityId, record.kind, record.period, record.revision),
        UpdateExpression: 'SET #status = :rejected, decision = :decision ADD version :one',
        ConditionExpression: '#status = :awaiting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':rejected': 'rejected',
          ':decision': decision,
          ':one': 1,
          ':awaiting': 'awaiting_review',
        },
      })) as unknown as CorrectionRecord;
    } catch (error) {
      if (isStoreError(error, 'conditional_failed')) throw alreadyDecided(record);
      throw error;
    }
  }

  /** The transaction actions that approve a correction and post it into `month`. */
  approveActions(
    record: CorrectionRecord,
    decision: NonNullable<CorrectionRecord['decision']>,
    month: string,
  ): TransactItem[] {
    const posting: PostingRef = { kind: record.kind, period: record.period, revision: record.revision };
    return [
      {
        Update: {
          Key: keys.correction(record.communityId, record.kind, record.period, record.revision),
          UpdateExpression:
            'SET #status = :completed, decision = :decision, postedTo = :month ADD version :one',
          ConditionExpression: '#status = :awaiting',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':completed': 'completed',
            ':decision': decision,
            ':month': month,
            ':one': 1,
            ':awaiting': 'awaiting_review',
          },
        },
      },
      {
        Update: {
          Key: keys.postings(record.communityId, month),
          UpdateExpression: 'SET #type = :type, refs = list_append(if_not_exists(refs, :empty), :ref)',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':type': 'Postings', ':empty': [], ':ref': [posting] },
        },
      },
    ];
  }

  /**
   * Writes a correction's difference lines of one institution (pages, once), cut by encoded size as a
   * version's lists are: 2,000 lines a page (as before) reach ~570 KB with 64-character Chinese staff ids.
   */
  async putDifferences(
    ref: { communityId: string; kind: CycleKind; period: string; revision: number },
    institutionId: string,
    lines: readonly CorrectionLine[],
  ): Promise<void> {
    const pk = resultsPartition(ref);
    const { texts } = encodeArrayPages(lines);
    for (const [page, data] of texts.entries())
      await this.putDiffOnce({
        pk,
        sk: diffKey(institutionId, page),
        type: 'CorrectionDiff',
        institutionId,
        data,
      });
    // The institution's summary last: present, it says every page is. `[a,…]` pages joined into one array
    // lose a `]` and a `[` and gain a `,` at each of the (pages − 1) joins.
    const summary: Omit<DifferenceSummary, 'institutionId'> = {
      people: new Set(lines.map((l) => l.staffId)).size,
      lines: lines.length,
      difference: lines.reduce((sum, l) => sum + l.difference, 0),
      bytes: texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0) - texts.length + 1,
      pages: texts.length,
    };
    await this.putDiffOnce({
      pk,
      sk: diffSummaryKey(institutionId),
      type: 'CorrectionDiffSummary',
      institutionId,
      data: encode(summary),
    });
  }

  /** Writes an item once: the same content again (a correction's run going on after a stop) is a no-op. */
  private async putDiffOnce(item: {
    pk: string;
    sk: string;
    type: string;
    institutionId: string;
    data: string;
  }) {
    try {
      await this.table.put(item, { ConditionExpression: 'attribute_not_exists(pk)' });
    } catch (error) {
      if (!isStoreError(error, 'conditional_failed')) throw error;
      const written = await this.table.get<{ data: string }>({ pk: item.pk, sk: item.sk });
      if (written?.data !== item.data)
        throw new StoreError(
          'conditional_failed',
          `${item.pk} ${item.sk} 已写入不同内容，拒绝覆盖 / was already written with different content; refusing to overwrite`,
        );
    }
  }

  /**
   * Every institution's summary of a correction (one paged query, in sort-key order), as putDifferences
   * wrote them: only institutions with lines have one. Empty for a correction stored before summaries
   * were written (its record's totals.lines then tell it apart from one without lines).
   */
  async differenceSummaries(ref: {
    communityId: string;
    kind: CycleKind;
    period: string;
    revision: number;
  }): Promise<DifferenceSummary[]> {
    const items = await this.table.queryPrefix<{ institutionId: string; data: string }>(
      resultsPartition(ref),
      DIFF_SUMMARY_PREFIX,
    );
    return items.map((item) => ({
      institutionId: item.institutionId,
      ...decode<Omit<DifferenceSummary, 'institutionId'>>(item.data),
    }));
  }

  /**
   * The difference lines of the summarised institutions (in the order given), read by their pages' exact
   * keys: nothing of any other institution is read.
   */
  async differencesOf(
    ref: { communityId: string; kind: CycleKind; period: string; revision: number },
    summaries: readonly Pick<DifferenceSummary, 'institutionId' | 'pages'>[],
  ): Promise<{ institutionId: string; lines: CorrectionLine[] }[]> {
    const pk = resultsPartition(ref);
    const wanted = summaries.flatMap((s) =>
      Array.from({ length: s.pages }, (_, page) => ({ pk, sk: diffKey(s.institutionId, page) })),
    );
    const items = await this.table.batchGet<{ sk: string; data: string }>(wanted);
    const bySk = new Map(items.map((item) => [item.sk, item.data]));
    return summaries.map((s) => ({
      institutionId: s.institutionId,
      lines: Array.from({ length: s.pages }, (_, page) => {
        const data = bySk.get(diffKey(s.institutionId, page));
        if (data === undefined)
          throw new StoreError(
            'not_found',
            `${pk} ${diffKey(s.institutionId, page)} 缺失（摘要记有 ${s.pages} 页） / ` +
              `is missing (the summary names ${s.pages} pages)`,
          );
        return decode<CorrectionLine[]>(data);
      }).flat(),
    }));
  }

  /** A correction's difference lines (of one institution, or all), by institution. */
  async differences(
    ref: { communityId: string; kind: CycleKind; period: string; revision: number },
    institutionId?: string,
  ): Promise<{ institutionId: string; lines: CorrectionLine[] }[]> {
    const items = await this.table.queryPrefix<{ data: string; institutionId: string }>(
      resultsPartition(ref),
      institutionId ? `DIFF#${institutionId}#` : 'DIFF#',
    );
    const out = new Map<string, CorrectionLine[]>();
    for (const item of items)
      out.set(item.institutionId, [
        ...(out.get(item.institutionId) ?? []),
        ...decode<CorrectionLine[]>(item.data),
      ]);
    return [...out].map(([id, lines]) => ({ institutionId: id, lines }));
  }

  /** The corrections posted into a month. */
  async postings(communityId: string, month: string): Promise<PostingRef[]> {
    const item = await this.table.get<{ refs?: PostingRef[] }>(keys.postings(communityId, month));
    return item?.refs ?? [];
  }

  /**
   * The adjustment lines approved corrections posted into `month` for one institution's staff (DOMAIN.md
   * §7.1: reason "更正 <period> r<n>", refPeriod the corrected period), one per person and component.
   */
  async postedAdjustments(
    communityId: string,
    month: string,
    institutionId: string,
    /** The month's postings when the caller has read them already (one read for many institutions). */
    known?: readonly PostingRef[],
  ): Promise<PostedAdjustment[]> {
    const refs = known ?? (await this.postings(communityId, month));
    const out: PostedAdjustment[] = [];
    for (const ref of refs) {
      const [diff] = await this.differences({ communityId, ...ref }, institutionId);
      for (const line of diff?.lines ?? []) {
        if (line.difference === 0) continue;
        out.push({
          period: month,
          staffId: line.staffId,
          amount: line.difference,
          reason: correctionReason(ref),
          refPeriod: ref.period,
        });
      }
    }
    return out;
  }
}

function alreadyDecided(record: CorrectionRecord): StoreError {
  return new StoreError(
    'conditional_failed',
    `更正 ${record.kind} ${record.period} r${record.revision} 已有审核结论 / ` +
      `correction ${record.kind} ${record.period} r${record.revision} was already decided`,
  );
}
