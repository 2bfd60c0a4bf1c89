/**
 * Appeals (申诉/复核, issue 14). A member institution files an appeal while a period is published: against
 * one of its indicator values (a quarter, the year) or a person's pay line, with a reason and the names
 * of its attachments. The office works the queue: accept with the corrected rows (which opens a
 * correction for finance to review; its differences are paid in the next open month) or reject with a
 * reason — never the appellant. Finance and the auditor read the list; so does the board.
 */
import { useState } from 'preact/hooks';
import { getJson, jobJson, postJson } from '../api/client';
import type { Group } from '../api/types';
import { DataTable } from '../components/data-table';
import { Async, ErrorAlert, Notice, PageHeader, SelectField, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { formatMoney } from '../money';

export interface Appeal {
  id: string;
  year: number;
  kind: 'monthly' | 'quarterly' | 'annual';
  period: string;
  institutionId: string;
  target: { type: 'indicator'; indicatorId: string } | { type: 'person'; staffId: string };
  reason: string;
  attachments: string[];
  filedBy: string;
  filedAt: string;
  status: 'open' | 'accepted' | 'rejected';
  decision?: { accepted: boolean; by: string; at: string; reason: string };
  correction?: { kind: string; period: string; revision: number };
}

interface CorrectionSummary {
  kind: string;
  period: string;
  revision: number;
  status: string;
  totals: { difference: number; people: number };
  postedTo?: string;
}

/** The header of each file a correction of each kind takes (the import's columns). */
const HEADERS: Record<string, string> = {
  'workload.csv': 'period,staffId,workPoints,quality,attendedDays,scheduledDays',
  'adjustments.csv': 'period,staffId,amount,reason,refPeriod',
  'finance.csv': 'period,institutionId,category,amount',
  'indicator-values.csv': 'period,institutionId,indicatorId,value,numerator,denominator',
};
const FILES_OF: Record<'monthly' | 'quarterly', string[]> = {
  monthly: ['workload.csv', 'adjustments.csv'],
  quarterly: ['indicator-values.csv', 'finance.csv'],
};

function useWords() {
  const { lang } = useI18n();
  return (zh: string, en: string) => (lang === 'zh' ? zh : en);
}

const hashQuery = () => new URLSearchParams(location.hash.split('?')[1] ?? '');

export function useStatusWords() {
  const w = useWords();
  return (status: Appeal['status']) =>
    status === 'open'
      ? w('待处理', 'open')
      : status === 'accepted'
        ? w('已受理', 'accepted')
        : w('已驳回', 'rejected');
}

/** The list of appeals (the board shows it too): what, who, the state, the decision and its correction. */
export function AppealsTable({
  appeals,
  onPick,
  picked,
}: {
  appeals: readonly Appeal[];
  onPick?: (appeal: Appeal) => void;
  picked?: string;
}) {
  const w = useWords();
  const { lang } = useI18n();
  const statusWord = useStatusWords();
  const when = (iso: string) => new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB');
  return (
    <DataTable
      id="appeals"
      caption={w('申诉', 'Appeals')}
      columns={[
        { header: w('编号', 'No.'), rowHeader: true, cell: (a: Appeal) => a.id },
        { header: w('期间', 'Period'), cell: (a) => a.period },
        { header: w('机构', 'Institution'), cell: (a) => a.institutionId },
        {
          header: w('申诉对象', 'Contested'),
          cell: (a) =>
            a.target.type === 'indicator'
              ? `${w('指标', 'indicator')} ${a.target.indicatorId}`
              : `${w('职工', 'staff')} ${a.target.staffId}`,
        },
        { header: w('理由', 'Reason'), cell: (a) => a.reason },
        { header: w('附件', 'Attachments'), cell: (a) => a.attachments.join('、') },
        { header: w('申诉人', 'Filed by'), cell: (a) => `${a.filedBy} · ${when(a.filedAt)}` },
        {
          header: w('状态', 'State'),
          cell: (a) => <span class={`badge badge-appeal-${a.status}`}>{statusWord(a.status)}</span>,
        },
        {
          header: w('处理', 'Decision'),
          cell: (a) => (a.decision ? `${a.decision.by}：${a.decision.reason}` : ''),
        },
        {
          header: w('更正', 'Correction'),
          cell: (a) =>
            a.correction ? `${a.correction.kind} ${a.correction.period} r${a.correction.revision}` : '',
        },
        ...(onPick
          ? [
              {
                header: w('操作', 'Action'),
                cell: (a: Appeal) =>
                  a.status === 'open' ? (
                    <button
                      type="button"
                      aria-pressed={picked === a.id}
                      onClick={() => onPick(a)}
                      aria-label={w(`处理申诉 ${a.id}`, `Decide appeal ${a.id}`)}
                    >
                      {w('处理', 'Decide')}
                    </button>
                  ) : null,
              },
            ]
          : []),
      ]}
      rows={appeals}
      rowKey={(a) => a.id}
      rowClass={(a) => (a.id === picked ? 'selected' : undefined)}
    />
  );
}

export function AppealsPage({ groups }: { groups: Group[] }) {
  const w = useWords();
  const loaded = useLoad(() => getJson<{ appeals: Appeal[] }>('/api/appeals'), []);
  const [picked, setPicked] = useState<Appeal>();
  const [done, setDone] = useState<string>();
  const isMember = groups.includes('member');
  const isOffice = groups.includes('office');
  return (
    <section>
      <PageHeader
        title={w('申诉与复核', 'Appeals')}
        intro={w(
          '公示期内，成员单位可对本单位的指标值或职工明细提出申诉；医共体办公室受理（以更正后的数据发起更正，差额经财务审核后在下一个未开始的月份发放）或驳回。申诉人不能处理自己的申诉。',
          'While a period is published a member institution may appeal one of its indicator values or a staff line; the office accepts (a correction with the corrected rows, whose differences finance reviews and the next open month pays) or rejects. Nobody decides their own appeal.',
        )}
      />
      {done && <Notice tone="success">{done}</Notice>}
      {isMember && (
        <FileAppealForm
          onFiled={async (a) => {
            setDone(w(`已提交申诉 ${a.id}`, `Appeal ${a.id} filed`));
            await loaded.reload();
          }}
        />
      )}
      <Async loaded={loaded}>
        {(data) =>
          data.appeals.length === 0 ? (
            <Notice>{w('尚无申诉', 'No appeals yet')}</Notice>
          ) : (
            <AppealsTable
              appeals={data.appeals}
              picked={picked?.id}
              onPick={isOffice ? (a) => setPicked(a) : undefined}
            />
          )
        }
      </Async>
      {isOffice && picked && (
        <DecideAppeal
          key={picked.id}
          appeal={picked}
          onDecided={async (message) => {
            setPicked(undefined);
            setDone(message);
            await loaded.reload();
          }}
        />
      )}
    </section>
  );
}

function FileAppealForm({ onFiled }: { onFiled: (appeal: Appeal) => void }) {
  const w = useWords();
  const query = hashQuery();
  const [period, setPeriod] = useState(query.get('period') ?? '');
  const [type, setType] = useState<'person' | 'indicator'>(query.get('indicator') ? 'indicator' : 'person');
  const [target, setTarget] = useState(query.get('staff') ?? query.get('indicator') ?? '');
  const [reason, setReason] = useState('');
  const [attachments, setAttachments] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const filed = await postJson<Appeal>('/api/appeals', {
        period: period.trim(),
        ...(type === 'person' ? { staffId: target.trim() } : { indicatorId: target.trim() }),
        reason,
        attachments: attachments
          .split(/[\n,，、]/)
          .map((a) => a.trim())
          .filter(Boolean),
      });
      setReason('');
      setAttachments('');
      onFiled(filed);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="file-appeal-title">
      <h2 id="file-appeal-title">{w('提出申诉', 'File an appeal')}</h2>
      <div class="toolbar">
        <div class="field inline">
          <label for="appeal-period">{w('期间', 'Period')}</label>
          <input
            id="appeal-period"
            value={period}
            placeholder="2026-02 / 2026-Q1 / 2026"
            required
            onInput={(e) => setPeriod(e.currentTarget.value)}
          />
        </div>
        <SelectField
          id="appeal-type"
          label={w('申诉对象', 'Contested')}
          value={type}
          options={[
            { value: 'person', label: w('职工明细', "A person's line") },
            { value: 'indicator', label: w('指标值（季度、年度）', 'An indicator value (quarter, year)') },
          ]}
          onChange={setType}
        />
        <div class="field inline">
          <label for="appeal-target">
            {type === 'person' ? w('工号', 'Staff id') : w('指标编码', 'Indicator id')}
          </label>
          <input
            id="appeal-target"
            value={target}
            required
            onInput={(e) => setTarget(e.currentTarget.value)}
          />
        </div>
      </div>
      <div class="field">
        <label for="appeal-reason">{w('申诉理由', 'Reason')}</label>
        <textarea
          id="appeal-reason"
          rows={3}
          maxLength={2000}
          required
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="appeal-attachments">
          {w('附件名称（逗号或换行分隔）', 'Attachment names (comma or line separated)')}
        </label>
        <textarea
          id="appeal-attachments"
          rows={2}
          value={attachments}
          onInput={(e) => setAttachments(e.currentTarget.value)}
        />
      </div>
      <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
        {w('提交申诉', 'File appeal')}
      </button>
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
    </form>
  );
}

function DecideAppeal({ appeal, onDecided }: { appeal: Appeal; onDecided: (message: string) => void }) {
  const w = useWords();
  const correctable = appeal.kind === 'annual' ? [] : FILES_OF[appeal.kind];
  const [file, setFile] = useState(correctable[0] ?? '');
  const [rows, setRows] = useState(file ? `${HEADERS[file]}\n` : '');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [issues, setIssues] = useState<
    { file: string; row?: number; column?: string; zh: string; en: string }[]
  >([]);
  const { lang } = useI18n();

  const decide = async (accept: boolean) => {
    setError(undefined);
    setIssues([]);
    const question = accept
      ? w(
          `受理申诉 ${appeal.id}，并以更正后的行发起 ${appeal.period} 的更正（经财务审核后发放差额）？`,
          `Accept appeal ${appeal.id} and correct ${appeal.period} with these rows (finance reviews the differences)?`,
        )
      : w(`驳回申诉 ${appeal.id}？`, `Reject appeal ${appeal.id}?`);
    if (!window.confirm(question)) return;
    setBusy(true);
    try {
      if (accept) {
        // Accepting recomputes the period: a job of the API (issue 12), followed until it records the
        // appeal and its correction (or the rows' issues, file, row and column).
        const answer = await jobJson<{ appeal: Appeal; correction: CorrectionSummary }>(
          `/api/appeals/${appeal.id}/accept`,
          { reason, rows: { [file]: rows } },
        );
        const c = answer.correction;
        onDecided(
          w(
            `已受理申诉 ${appeal.id}：更正 ${c.period} r${c.revision}，差额 ${formatMoney(c.totals.difference)}（${c.totals.people} 人），待财务审核`,
            `Appeal ${appeal.id} accepted: correction ${c.period} r${c.revision}, difference ${formatMoney(c.totals.difference)} (${c.totals.people} people), awaiting finance`,
          ),
        );
      } else {
        await postJson(`/api/appeals/${appeal.id}/reject`, { reason });
        onDecided(w(`已驳回申诉 ${appeal.id}`, `Appeal ${appeal.id} rejected`));
      }
    } catch (err) {
      setError(err);
      const found = (err as { issues?: unknown[] }).issues ?? [];
      setIssues(
        found.filter((i): i is (typeof issues)[number] => typeof i === 'object' && i !== null && 'file' in i),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" aria-labelledby="decide-appeal-title" onSubmit={(e) => e.preventDefault()}>
      <h2 id="decide-appeal-title">
        {w(`处理申诉 ${appeal.id}`, `Decide appeal ${appeal.id}`)}（{appeal.period} {appeal.institutionId}）
      </h2>
      <p class="meta">
        {w('申诉人', 'Filed by')} {appeal.filedBy}：{appeal.reason}
      </p>
      <div class="field">
        <label for="decide-reason">
          {w('处理理由（受理或驳回均须填写）', 'Reason (for either decision)')}
        </label>
        <textarea
          id="decide-reason"
          rows={2}
          maxLength={2000}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </div>
      {appeal.kind === 'annual' ? (
        <Notice tone="warning">
          {w(
            '年度结果不能更正（DOMAIN.md §7.1 只更正月份和季度）：只能驳回；认可的差额计入下一年度的 adjustments.csv。',
            "An annual result cannot be corrected (DOMAIN.md §7.1 corrects months and quarters only): reject it; an agreed difference goes into next year's adjustments.csv.",
          )}
        </Notice>
      ) : (
        <>
          <SelectField
            id="decide-file"
            label={w('更正的文件', 'Corrected file')}
            value={file}
            options={correctable.map((f) => ({ value: f, label: f }))}
            onChange={(f) => {
              setFile(f);
              setRows(`${HEADERS[f]}\n`);
            }}
            inline={false}
          />
          <div class="field">
            <label for="decide-rows">
              {w(
                '更正后的行（CSV，含表头；同键的行替换原行）',
                'Corrected rows (CSV with header; each replaces the row of the same key)',
              )}
            </label>
            <textarea
              id="decide-rows"
              rows={5}
              class="mono"
              value={rows}
              onInput={(e) => setRows(e.currentTarget.value)}
            />
          </div>
        </>
      )}
      <div class="actions">
        {appeal.kind !== 'annual' && (
          <button type="button" class="primary" disabled={busy} aria-busy={busy} onClick={() => decide(true)}>
            {w('受理并发起更正', 'Accept and correct')}
          </button>
        )}
        <button type="button" class="danger" disabled={busy} onClick={() => decide(false)}>
          {w('驳回', 'Reject')}
        </button>
      </div>
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      {issues.length > 0 && (
        <ul class="issues">
          {issues.map((i) => (
            <li key={`${i.file}/${i.row}/${i.column}`}>
              {i.file}
              {i.row ? w(` 第 ${i.row} 行`, ` row ${i.row}`) : ''}
              {i.column ? ` ${i.column}` : ''}：{lang === 'zh' ? i.zh : i.en}
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}

/** The board's list of the year's appeals with their state (read only; the office decides on the appeals page). */
export function BoardAppeals({ year }: { year: number }) {
  const w = useWords();
  const loaded = useLoad(() => getJson<{ appeals: Appeal[] }>(`/api/appeals?year=${year}`), [year]);
  return (
    <section class="appeals" aria-labelledby="board-appeals-title">
      <h2 id="board-appeals-title">{w(`${year} 年申诉`, `Appeals of ${year}`)}</h2>
      <Async loaded={loaded}>
        {(data) =>
          data.appeals.length === 0 ? (
            <Notice>{w('本年度尚无申诉', 'No appeals this year')}</Notice>
          ) : (
            <>
              <AppealsTable appeals={data.appeals} />
              <p>
                <a href="#/appeals">{w('到申诉页处理', 'Decide them on the appeals page')}</a>
              </p>
            </>
          )
        }
      </Async>
    </section>
  );
}
