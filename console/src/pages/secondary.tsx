/**
 * 科室二次分配 (DOMAIN.md §9.1 manual mode). A department head's form: the department's pool, each person
 * on the month's payroll with the rule split as the default and the personal cap, an amount per person in
 * yuan with the live sum and the fen still to assign, and a paste box that takes a column (or staffId +
 * amount rows) copied from a spreadsheet. An institution user's approval queue: every submitted split of
 * their institution with its amounts against the rule split; approve, or reject with a reason (never one's
 * own: the API refuses it too). The office's view: every department's state and the close button.
 * Amounts are integer fen in the browser as on the server; the server checks everything again.
 */
import { useState } from 'preact/hooks';
import { getJson, postJson } from '../api/client';
import type { Group } from '../api/types';
import { Async, ErrorAlert, Notice, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { formatFen, toFen } from '../money';

interface Member {
  staffId: string;
  name: string;
  points: string;
  rule: number;
}
interface Department {
  departmentId: string;
  name: string;
  pool: number;
  cap?: number;
  members: Member[];
}
interface Submission {
  amounts: Record<string, number>;
  status: 'submitted' | 'approved' | 'rejected';
  submittedBy: string;
  decidedBy?: string;
  reason?: string;
}
interface DepartmentView {
  period: string;
  window: { status: 'open' | 'closed'; closedBy: string | null };
  institutionId: string;
  department: Department;
  submission: Submission | null;
}
interface StatusDepartment {
  departmentId: string;
  name: string;
  pool: number;
  people: number;
  status: 'none' | 'submitted' | 'approved' | 'rejected';
  submittedBy: string | null;
  decidedBy: string | null;
  reason: string | null;
}
interface WindowStatus {
  period: string;
  window: { status: 'open' | 'closed'; closedAt: string | null; closedBy: string | null } | null;
  institutions: { institutionId: string; institutionName: string; departments: StatusDepartment[] }[];
}
interface Me {
  user: string;
  institutionId?: string;
  departmentId?: string;
}

const money = (fen: number) => `${fen < 0 ? '-' : ''}¥${formatFen(Math.abs(fen))}`;

/** Text pasted from a spreadsheet: one amount per line in the form's order, or `staffId<TAB|,>amount` lines. */
export function parsePasted(text: string, order: readonly string[]): Map<string, string> {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const out = new Map<string, string>();
  const pairs = lines.every((l) => /[\t,;]/.test(l));
  lines.forEach((line, i) => {
    if (pairs) {
      const [id, amount] = line.split(/[\t,;]/).map((c) => c.trim());
      if (id && amount !== undefined && order.includes(id)) out.set(id, amount.replace(/[¥,\s]/g, ''));
    } else if (order[i] !== undefined) out.set(order[i]!, line.replace(/[¥,\s]/g, ''));
  });
  return out;
}

const thisMonth = () => new Date().toISOString().slice(0, 7);

export function SecondaryPage({ groups }: { groups: Group[] }) {
  const { lang } = useI18n();
  const zh = lang === 'zh';
  const [period, setPeriod] = useState(thisMonth);
  const me = useLoad(() => getJson<Me>('/api/me'), []);
  return (
    <section class="secondary">
      <h2>{zh ? '科室二次分配' : "Department heads' split"}</h2>
      <p class="intro">
        {zh
          ? '手工模式：科室主任按人分配本科室奖励池（到分，合计等于奖励池，不超过个人上限），本机构另一位用户审核，办公室关闭窗口后未审核通过的科室按规则分配。'
          : 'Manual mode: a head splits the department pool per person (to the fen, summing to the pool, within the cap); another user of the institution approves; when the office closes the window, departments without an approved split are paid by the rule.'}
      </p>
      <label>
        {zh ? '月份' : 'Month'}{' '}
        <input
          type="month"
          value={period}
          onInput={(e) => setPeriod((e.target as HTMLInputElement).value)}
          aria-label={zh ? '月份' : 'Month'}
        />
      </label>
      <Async loaded={me}>
        {(who) => (
          <>
            {groups.includes('dept_head') && who.institutionId && who.departmentId && (
              <HeadForm period={period} institutionId={who.institutionId} departmentId={who.departmentId} />
            )}
            {(groups.includes('institution') ||
              groups.includes('office') ||
              groups.includes('finance') ||
              groups.includes('auditor')) && <Queue period={period} groups={groups} user={who.user} />}
          </>
        )}
      </Async>
    </section>
  );
}

function HeadForm({
  period,
  institutionId,
  departmentId,
}: {
  period: string;
  institutionId: string;
  departmentId: string;
}) {
  const { lang } = useI18n();
  const zh = lang === 'zh';
  const path = `/api/secondary/${period}/departments/${encodeURIComponent(institutionId)}/${encodeURIComponent(departmentId)}`;
  const view = useLoad(() => getJson<DepartmentView>(path), [path]);
  // Kept here: the form is built again from the reloaded submission after a submit.
  const [done, setDone] = useState<string>();
  return (
    <>
      {done && <Notice tone="success">{done}</Notice>}
      <Async loaded={view}>
        {(v) => (
          <SplitForm
            key={`${path}:${v.submission?.status ?? ''}`}
            view={v}
            path={path}
            onDone={(message) => {
              setDone(message);
              view.reload();
            }}
            zh={zh}
          />
        )}
      </Async>
    </>
  );
}

function SplitForm({
  view,
  path,
  onDone,
  zh,
}: {
  view: DepartmentView;
  path: string;
  onDone: (message: string) => void;
  zh: boolean;
}) {
  const d = view.department;
  const start = (m: Member) => {
    const fen = view.submission?.amounts[m.staffId] ?? m.rule;
    return formatFen(fen).replace(/,/g, '');
  };
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(d.members.map((m) => [m.staffId, start(m)])),
  );
  const [paste, setPaste] = useState('');
  const [error, setError] = useState<unknown>();
  const fenOf = (text: string | undefined): number | undefined => {
    try {
      return toFen(text ?? '');
    } catch {
      return undefined;
    }
  };
  const amounts = d.members.map((m) => fenOf(values[m.staffId]));
  const invalid = amounts.some((a) => a === undefined || a < 0);
  const total = amounts.reduce<number>((acc, a) => acc + (a ?? 0), 0);
  const remaining = d.pool - total;
  const overCap = d.members.filter((_m, i) => d.cap !== undefined && (amounts[i] ?? 0) > d.cap);
  const locked = view.window.status !== 'open' || view.submission?.status === 'approved';
  const canSubmit = !locked && !invalid && remaining === 0 && overCap.length === 0;

  const applyPaste = () => {
    const pasted = parsePasted(
      paste,
      d.members.map((m) => m.staffId),
    );
    setValues((old) => ({ ...old, ...Object.fromEntries(pasted) }));
    setPaste('');
  };
  const submit = async () => {
    setError(undefined);
    try {
      await postJson(path, { amounts: values });
      onDone(
        zh
          ? '已提交，等待本机构另一位用户审核'
          : 'Submitted; awaiting approval by another user of the institution',
      );
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div class="split-form">
      <h3>
        {view.institutionId} / {d.name} · {view.period}
      </h3>
      <dl class="split-totals">
        <dt>{zh ? '科室奖励池' : 'Department pool'}</dt>
        <dd data-testid="pool">{money(d.pool)}</dd>
        <dt>{zh ? '已分配' : 'Assigned'}</dt>
        <dd data-testid="sum">{money(total)}</dd>
        <dt>{zh ? '剩余（分）' : 'Remaining (fen)'}</dt>
        <dd data-testid="remaining" class={remaining === 0 ? 'ok' : 'warn'}>
          {remaining} {zh ? '分' : 'fen'} ({money(remaining)})
        </dd>
        {d.cap !== undefined && (
          <>
            <dt>{zh ? '个人上限' : 'Cap per person'}</dt>
            <dd data-testid="cap">{money(d.cap)}</dd>
          </>
        )}
      </dl>
      {view.submission && (
        <Notice
          tone={
            view.submission.status === 'approved'
              ? 'success'
              : view.submission.status === 'rejected'
                ? 'warning'
                : 'info'
          }
        >
          {zh ? '当前状态' : 'Status'}: {view.submission.status}
          {view.submission.decidedBy ? ` · ${view.submission.decidedBy}` : ''}
          {view.submission.reason ? ` · ${view.submission.reason}` : ''}
        </Notice>
      )}
      {view.window.status !== 'open' && (
        <Notice tone="warning">{zh ? '窗口已关闭' : 'The window is closed'}</Notice>
      )}
      <table class="data">
        <thead>
          <tr>
            <th>{zh ? '工号' : 'Staff id'}</th>
            <th>{zh ? '姓名' : 'Name'}</th>
            <th>{zh ? '按规则' : 'Rule split'}</th>
            <th>{zh ? '分配金额（元）' : 'Amount (yuan)'}</th>
          </tr>
        </thead>
        <tbody>
          {d.members.map((m, i) => {
            const a = amounts[i];
            const over = d.cap !== undefined && a !== undefined && a > d.cap;
            return (
              <tr key={m.staffId} class={over || a === undefined ? 'row-error' : ''}>
                <td>{m.staffId}</td>
                <td>{m.name}</td>
                <td class="num">{money(m.rule)}</td>
                <td>
                  <input
                    class="num"
                    inputMode="decimal"
                    aria-label={`${m.name} ${m.staffId}`}
                    value={values[m.staffId]}
                    disabled={locked}
                    onInput={(e) =>
                      setValues((old) => ({ ...old, [m.staffId]: (e.target as HTMLInputElement).value }))
                    }
                  />
                  {over && (
                    <span class="field-error">
                      {zh ? '超出上限' : 'over the cap by'} {money((a ?? 0) - d.cap!)}
                    </span>
                  )}
                  {a === undefined && <span class="field-error">{zh ? '金额格式' : 'not an amount'}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {!locked && (
        <div class="paste">
          <label>
            {zh
              ? '从表格粘贴（一列金额按上表顺序，或“工号 金额”两列）'
              : 'Paste from a spreadsheet (a column of amounts in the order above, or staff id and amount)'}
            <textarea
              rows={4}
              value={paste}
              onInput={(e) => setPaste((e.target as HTMLTextAreaElement).value)}
            />
          </label>
          <button type="button" onClick={applyPaste} disabled={!paste.trim()}>
            {zh ? '填入' : 'Fill in'}
          </button>
        </div>
      )}
      {error !== undefined && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
      {!locked && (
        <button type="button" class="primary" disabled={!canSubmit} onClick={submit}>
          {zh ? '提交分配' : 'Submit the split'}
        </button>
      )}
    </div>
  );
}

function Queue({ period, groups, user }: { period: string; groups: Group[]; user: string }) {
  const { lang } = useI18n();
  const zh = lang === 'zh';
  const status = useLoad(() => getJson<WindowStatus>(`/api/secondary/${period}`), [period]);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const approver = groups.includes('institution');
  const decide = async (institutionId: string, d: StatusDepartment, approve: boolean) => {
    const key = `${institutionId}/${d.departmentId}`;
    const reason = reasons[key]?.trim();
    if (!approve && !reason) {
      setError(new Error(zh ? '驳回必须填写原因' : 'A rejection needs a reason'));
      return;
    }
    setError(undefined);
    try {
      const base = `/api/secondary/${period}/departments/${encodeURIComponent(institutionId)}/${encodeURIComponent(d.departmentId)}`;
      await postJson(`${base}/${approve ? 'approve' : 'reject'}`, approve ? {} : { reason });
      setDone(`${key}: ${approve ? (zh ? '已审核通过' : 'approved') : zh ? '已驳回' : 'rejected'}`);
      status.reload();
    } catch (e) {
      setError(e);
    }
  };
  const close = async () => {
    if (
      !window.confirm(
        zh
          ? `关闭 ${period} 的分配窗口？未审核通过的科室将按规则分配，本月随即发放并锁定。`
          : `Close the window of ${period}? Departments without an approved split are paid by the rule, and the month pays and locks.`,
      )
    )
      return;
    setError(undefined);
    try {
      await postJson(`/api/secondary/${period}/close`, {});
      setDone(zh ? '窗口已关闭，本月已发放' : 'Window closed; the month is paid');
      status.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div class="secondary-queue">
      <h3>
        {approver
          ? zh
            ? '待审核的科室分配'
            : 'Splits awaiting approval'
          : zh
            ? '各科室分配状态'
            : 'Every department'}
      </h3>
      {error !== undefined && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
      {done && <Notice tone="success">{done}</Notice>}
      <Async loaded={status}>
        {(s) =>
          !s.window ? (
            <Notice>{zh ? '本月没有科室二次分配窗口' : 'No secondary-distribution window this month'}</Notice>
          ) : (
            <>
              <p>
                {zh ? '窗口' : 'Window'}: {s.window.status}
                {s.window.closedBy ? ` · ${s.window.closedBy} ${s.window.closedAt ?? ''}` : ''}
              </p>
              <table class="data">
                <thead>
                  <tr>
                    <th>{zh ? '机构' : 'Institution'}</th>
                    <th>{zh ? '科室' : 'Department'}</th>
                    <th>{zh ? '奖励池' : 'Pool'}</th>
                    <th>{zh ? '人数' : 'People'}</th>
                    <th>{zh ? '状态' : 'Status'}</th>
                    <th>{zh ? '提交人' : 'Submitted by'}</th>
                    {approver && <th>{zh ? '审核' : 'Decide'}</th>}
                  </tr>
                </thead>
                <tbody>
                  {s.institutions.flatMap((i) =>
                    i.departments.map((d) => {
                      const key = `${i.institutionId}/${d.departmentId}`;
                      const mayDecide =
                        approver &&
                        s.window?.status === 'open' &&
                        d.status === 'submitted' &&
                        d.submittedBy !== user;
                      return (
                        <tr key={key}>
                          <td>{i.institutionName}</td>
                          <td>{d.name}</td>
                          <td class="num">{money(d.pool)}</td>
                          <td class="num">{d.people}</td>
                          <td>
                            {d.status}
                            {d.decidedBy ? ` · ${d.decidedBy}` : ''}
                            {d.reason ? ` · ${d.reason}` : ''}
                          </td>
                          <td>{d.submittedBy ?? '—'}</td>
                          {approver && (
                            <td>
                              {mayDecide ? (
                                <>
                                  <button type="button" onClick={() => decide(i.institutionId, d, true)}>
                                    {zh ? '通过' : 'Approve'}
                                  </button>
                                  <input
                                    aria-label={zh ? '驳回原因' : 'Reason'}
                                    placeholder={zh ? '驳回原因' : 'Reason'}
                                    value={reasons[key] ?? ''}
                                    onInput={(e) =>
                                      setReasons((r) => ({
                                        ...r,
                                        [key]: (e.target as HTMLInputElement).value,
                                      }))
                                    }
                                  />
                                  <button type="button" onClick={() => decide(i.institutionId, d, false)}>
                                    {zh ? '驳回' : 'Reject'}
                                  </button>
                                </>
                              ) : d.status === 'submitted' && d.submittedBy === user ? (
                                zh ? (
                                  '本人提交，须由他人审核'
                                ) : (
                                  'yours: another user decides'
                                )
                              ) : (
                                '—'
                              )}
                            </td>
                          )}
                        </tr>
                      );
                    }),
                  )}
                </tbody>
              </table>
              {groups.includes('office') && s.window.status === 'open' && (
                <button type="button" class="primary" onClick={close}>
                  {zh ? '关闭分配窗口' : 'Close the window'}
                </button>
              )}
            </>
          )
        }
      </Async>
    </div>
  );
}
