/**
 * 考核方案 (issue 15): the scheme in force and its versions; the office drafts a version in a form
 * (indicators, weights, targets, methods and params, pay parameters, grade bands), simulates it against
 * the year (模拟测算: winners and losers beside the current figures) and submits it; the committee (医管会)
 * reads the diff and the simulation and approves or rejects; an approved version is published. The form
 * sends the dataset's own files (scheme.json, indicators.csv), which the API reads with the import's rules,
 * so every problem comes back naming file, row and column.
 */
import { useEffect, useId, useState } from 'preact/hooks';
import { ApiError, getJson, jobJson, postJson } from '../api/client';
import type { Group } from '../api/types';
import { ErrorAlert, Loading, PageHeader } from '../components/ui';
import { useI18n } from '../i18n';
import { formatFen } from '../money';

// ── what the API answers ──────────────────────────────────────────────────────────────────────────────

interface Indicator {
  id: string;
  nameZh: string;
  nameEn: string;
  dimension: string;
  appliesTo: '*' | string[];
  cadence: string;
  direction: string;
  aggregation: string;
  method: string;
  weight: string;
  target?: string;
  floor?: string;
  params?: string;
}
interface Grade {
  min: string;
  grade: string;
  coefficient: string;
  reserveRelease: string;
  insuranceGate: string;
}
interface Scheme {
  community: { id: string; name: string; residentPopulation: number };
  year: number;
  grades: Grade[];
  bonusCap: string;
  pay: {
    holdbackRate: string;
    basicShareRange: [string, string];
    growthRate: string;
    tilt: Record<string, string>;
    surplus: { fundExtractionRate: string; rewardShare: string };
    [key: string]: unknown;
  };
  publicHealth: { perCapita: number; preAllocationRate: string };
  [key: string]: unknown;
}
interface SchemeContent {
  scheme: Scheme;
  indicators: Indicator[];
  hash: string;
}
interface Version extends Partial<SchemeContent> {
  version: number;
  status: 'draft' | 'submitted' | 'approved' | 'rejected' | 'published' | 'superseded';
  hash: string;
  createdBy: string;
  editedBy: string[];
  submittedBy?: string;
  decidedBy?: string;
  reason?: string;
  publishedBy?: string;
}
interface Overview {
  communityId: string;
  year: number;
  inForce: (SchemeContent & { source: 'published' | 'dataset'; version: number | null }) | null;
  versions: Version[];
}
interface Change {
  kind: string;
  zh: string;
  en: string;
}
interface PersonRow {
  staffId: string;
  name: string;
  institutionId: string;
  actual: number;
  simulated: number;
  difference: number;
}
interface Simulation {
  periods: { period: string }[];
  counts: { people: number; winners: number; losers: number; unchanged: number };
  distribution: { label: string; count: number; from: number | null; to: number | null }[];
  community: { actual: { paid: number }; simulated: { paid: number }; difference: number };
  gains: PersonRow[];
  losses: PersonRow[];
  institutions: {
    institutionId: string;
    name: string;
    actual: { score: string | null; grade: string | null; paid: number };
    simulated: { score: string | null; grade: string | null; paid: number };
    paidDifference: number;
  }[];
}

// ── words (this page's own; the API's messages are bilingual already) ───────────────────────────────

const WORDS = {
  zh: {
    title: '考核方案',
    intro: '现行方案与各版本。办公室起草并模拟测算，医管会审定（不能是起草或修改的人），审定后发布。',
    inForce: '现行方案',
    fromImport: '随数据集导入',
    versions: '方案版本',
    newDraft: '新建草稿',
    edit: '编辑',
    view: '查看',
    status: '状态',
    drafted: '起草',
    decided: '审定',
    indicators: '考核指标',
    payParams: '薪酬参数',
    grades: '等级',
    weightSum: '非加分指标权重合计 {sum}（现行 {current}）',
    weightDiffers: '权重合计与现行方案不同：综合得分按 Σ得分 ÷ Σ权重 折算为百分制。',
    add: '新增',
    remove: '删除',
    save: '保存草稿',
    saved: '已保存第 {v} 版',
    simulate: '模拟测算',
    simulating: '正在测算…',
    submit: '提交医管会审定',
    approve: '审定通过',
    reject: '退回',
    reason: '退回原因',
    publish: '发布',
    diff: '与现行方案的差异',
    noDiff: '与现行方案相同',
    result: '模拟测算结果',
    winners: '增加',
    losers: '减少',
    unchanged: '不变',
    people: '人',
    chart: '每人应发合计的变化（模拟 − 现行），按区间计人数',
    totalPaid: '发放合计：现行 {a} → 模拟 {b}（{d}）',
    gains: '增加最多',
    losses: '减少最多',
    byInstitution: '各单位：现行 → 模拟',
    staff: '人员',
    institution: '机构',
    current: '现行',
    simulated: '模拟',
    difference: '差额',
    score: '得分',
    grade: '等级',
    invalid: '须为数字',
    done: '第 {v} 版：{status}',
    nothingPending: '没有待审定的版本。',
    s_draft: '草稿',
    s_submitted: '待审定',
    s_approved: '已审定',
    s_rejected: '已退回',
    s_published: '已发布',
    s_superseded: '已被替代',
  },
  en: {
    title: 'Schemes',
    intro:
      'The scheme in force and its versions. The office drafts and simulates; the committee approves (never whoever drafted or edited it); then it is published.',
    inForce: 'Scheme in force',
    fromImport: 'imported with the dataset',
    versions: 'Versions',
    newDraft: 'New draft',
    edit: 'Edit',
    view: 'View',
    status: 'Status',
    drafted: 'Drafted',
    decided: 'Decided',
    indicators: 'Indicators',
    payParams: 'Pay parameters',
    grades: 'Grades',
    weightSum: 'Weights of non-bonus indicators: {sum} (in force: {current})',
    weightDiffers: 'The weights no longer sum as in force: the composite score is Σscores ÷ Σweights on 100.',
    add: 'Add',
    remove: 'Remove',
    save: 'Save draft',
    saved: 'Version {v} saved',
    simulate: 'Simulate',
    simulating: 'Simulating…',
    submit: 'Submit to the committee',
    approve: 'Approve',
    reject: 'Reject',
    reason: 'Reason for rejecting',
    publish: 'Publish',
    diff: 'Changes against the scheme in force',
    noDiff: 'Same as the scheme in force',
    result: 'Simulation',
    winners: 'Gain',
    losers: 'Lose',
    unchanged: 'Unchanged',
    people: 'people',
    chart: 'Change of each person’s gross pay (simulated − current), people per band',
    totalPaid: 'Total paid: current {a} → simulated {b} ({d})',
    gains: 'Largest gains',
    losses: 'Largest losses',
    byInstitution: 'Institutions: current → simulated',
    staff: 'Staff',
    institution: 'Institution',
    current: 'Current',
    simulated: 'Simulated',
    difference: 'Difference',
    score: 'Score',
    grade: 'Grade',
    invalid: 'must be a number',
    done: 'Version {v}: {status}',
    nothingPending: 'Nothing awaits the committee.',
    s_draft: 'draft',
    s_submitted: 'submitted',
    s_approved: 'approved',
    s_rejected: 'rejected',
    s_published: 'published',
    s_superseded: 'superseded',
  },
} as const;
type Word = keyof (typeof WORDS)['zh'];

function useWords() {
  const { lang } = useI18n();
  return (key: Word, params: Record<string, string | number> = {}) =>
    (WORDS[lang][key] as string).replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
}

// ── the draft's files, as the dataset formats write them ────────────────────────────────────────────

const DECIMAL = /^-?\d+(\.\d+)?$/;
const COLUMNS = [
  'id',
  'nameZh',
  'nameEn',
  'dimension',
  'appliesTo',
  'cadence',
  'direction',
  'aggregation',
  'method',
  'weight',
  'target',
  'floor',
  'params',
] as const;
const METHODS = ['yes_no', 'ge_target', 'le_target', 'linear', 'bands', 'deduct', 'bonus', 'actual'];

const csvCell = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

function indicatorsCsv(rows: readonly Indicator[]): string {
  const cell = (r: Indicator, c: (typeof COLUMNS)[number]) => {
    const v = r[c];
    return csvCell(Array.isArray(v) ? v.join(';') : (v ?? ''));
  };
  return `${[COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => cell(r, c)).join(','))].join('\n')}\n`;
}

const yuanText = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

/** Amounts (perCapita, §9.2 funding1Floor) are stored in fen; scheme.json has them in yuan. */
function schemeJson(scheme: Scheme): string {
  const pay = { ...scheme.pay };
  if (typeof pay.funding1Floor === 'number') pay.funding1Floor = yuanText(pay.funding1Floor);
  const publicHealth = { ...scheme.publicHealth, perCapita: yuanText(scheme.publicHealth.perCapita) };
  return JSON.stringify({ ...scheme, pay, publicHealth }, null, 2);
}

const weightSum = (rows: readonly Indicator[]) => {
  // Decimal strings summed in hundredths of a point: weights are given with at most 2 decimals in practice.
  const hundredths = rows
    .filter((r) => r.method !== 'bonus' && DECIMAL.test(r.weight))
    .reduce((acc, r) => acc + Math.round(Number(r.weight) * 100), 0);
  return (hundredths / 100).toString();
};

// ── small parts ─────────────────────────────────────────────────────────────────────────────────────

function Field({
  label,
  value,
  onInput,
  size = 6,
}: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  size?: number;
}) {
  const id = useId();
  const w = useWords();
  const bad = value !== '' && !DECIMAL.test(value);
  return (
    <span class="field inline">
      <label for={id}>{label}</label>
      <input
        id={id}
        size={size}
        value={value}
        aria-invalid={bad}
        onInput={(e) => onInput((e.target as HTMLInputElement).value)}
      />
      {bad && <small class="down"> {w('invalid')}</small>}
    </span>
  );
}

/** Winners and losers: one bar per band of differences, losses red, gains green. */
function DistributionChart({ sim }: { sim: Simulation }) {
  const w = useWords();
  const id = useId();
  const max = Math.max(1, ...sim.distribution.map((b) => b.count));
  const rowH = 24;
  const labelW = 150;
  const barW = 360;
  const height = sim.distribution.length * rowH + 10;
  return (
    <figure class="chart" data-testid="simulation-chart">
      <svg
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
        viewBox={`0 0 ${labelW + barW + 80} ${height}`}
        width="100%"
        style={{ maxWidth: `${labelW + barW + 80}px` }}
      >
        <title id={`${id}-t`}>{w('chart')}</title>
        <desc id={`${id}-d`}>{sim.distribution.map((b) => `${b.label}: ${b.count}`).join('; ')}</desc>
        {sim.distribution.map((b, i) => {
          const y = 4 + i * rowH;
          const loss = b.to !== null && b.to <= 0;
          const zero = b.from === 0 && b.to === 1;
          return (
            <g key={b.label} class={zero ? 'bucket-zero' : loss ? 'bucket-loss' : 'bucket-gain'}>
              <text x={labelW - 8} y={y + 15} font-size="12" text-anchor="end" fill="#1a202c">
                {b.label}
              </text>
              <rect
                x={labelW}
                y={y + 3}
                width={(b.count / max) * barW}
                height={rowH - 8}
                fill={zero ? '#9e9e9e' : loss ? '#c62828' : '#2e7d32'}
                rx="2"
              />
              <text x={labelW + (b.count / max) * barW + 6} y={y + 15} font-size="12" fill="#1a202c">
                {b.count}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{w('chart')}</figcaption>
    </figure>
  );
}

const signedFen = (fen: number) => (fen > 0 ? `+${formatFen(fen)}` : formatFen(fen));

function SimulationView({ sim }: { sim: Simulation }) {
  const w = useWords();
  const people = (rows: PersonRow[]) => (
    <table>
      <thead>
        <tr>
          <th>{w('staff')}</th>
          <th>{w('institution')}</th>
          <th>{w('current')}</th>
          <th>{w('simulated')}</th>
          <th>{w('difference')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr key={p.staffId}>
            <td>
              {p.name} <small>{p.staffId}</small>
            </td>
            <td>{p.institutionId}</td>
            <td class="num">{formatFen(p.actual)}</td>
            <td class="num">{formatFen(p.simulated)}</td>
            <td class="num">{signedFen(p.difference)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <section aria-label={w('result')} data-testid="simulation">
      <h2>{w('result')}</h2>
      <p>
        <strong data-testid="winners">
          {w('winners')} {sim.counts.winners}
        </strong>{' '}
        ·{' '}
        <strong data-testid="losers">
          {w('losers')} {sim.counts.losers}
        </strong>{' '}
        · {w('unchanged')} {sim.counts.unchanged} {w('people')} ·{' '}
        {w('totalPaid', {
          a: formatFen(sim.community.actual.paid),
          b: formatFen(sim.community.simulated.paid),
          d: signedFen(sim.community.difference),
        })}
      </p>
      <DistributionChart sim={sim} />
      <h3>{w('byInstitution')}</h3>
      <table>
        <thead>
          <tr>
            <th>{w('institution')}</th>
            <th>{w('score')}</th>
            <th>{w('grade')}</th>
            <th>{w('current')}</th>
            <th>{w('simulated')}</th>
            <th>{w('difference')}</th>
          </tr>
        </thead>
        <tbody>
          {sim.institutions.map((i) => (
            <tr key={i.institutionId}>
              <td>
                {i.name} <small>{i.institutionId}</small>
              </td>
              <td class="num">
                {i.actual.score ?? '—'} → {i.simulated.score ?? '—'}
              </td>
              <td>
                {i.actual.grade ?? '—'} → {i.simulated.grade ?? '—'}
              </td>
              <td class="num">{formatFen(i.actual.paid)}</td>
              <td class="num">{formatFen(i.simulated.paid)}</td>
              <td class="num">{signedFen(i.paidDifference)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{w('gains')}</h3>
      {people(sim.gains)}
      <h3>{w('losses')}</h3>
      {people(sim.losses)}
    </section>
  );
}

function IssuesTable({ error }: { error: unknown }) {
  if (!(error instanceof ApiError) || error.issues.length === 0) return null;
  const issues = error.issues as { file?: string; row?: number; column?: string; zh?: string; en?: string }[];
  return (
    <table data-testid="draft-issues">
      <tbody>
        {issues.map((i, k) => (
          <tr key={k}>
            <td>{i.file}</td>
            <td>{i.row ?? ''}</td>
            <td>{i.column ?? ''}</td>
            <td>{i.zh}</td>
            <td>{i.en}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// ── the draft editor ────────────────────────────────────────────────────────────────────────────────

function Editor({
  year,
  version,
  inForce,
  onSaved,
}: {
  year: number;
  version: Version & SchemeContent;
  inForce: SchemeContent | null;
  onSaved: (message: string) => void;
}) {
  const w = useWords();
  const [scheme, setScheme] = useState<Scheme>(structuredClone(version.scheme));
  const [rows, setRows] = useState<Indicator[]>(structuredClone(version.indicators));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const editable = version.status === 'draft';

  const setRow = (i: number, key: (typeof COLUMNS)[number], value: string) =>
    setRows((old) =>
      old.map((r, k) => {
        if (k !== i) return r;
        const next = { ...r } as Record<string, unknown>;
        if (key === 'appliesTo')
          next[key] = value.trim() === '*' ? '*' : value.split(';').map((s) => s.trim());
        else if (value === '' && ['target', 'floor', 'params'].includes(key)) delete next[key];
        else next[key] = value;
        return next as unknown as Indicator;
      }),
    );
  const pay = (path: string[], value: string) =>
    setScheme((old) => {
      const next = structuredClone(old);
      let at = next as unknown as Record<string, unknown>;
      for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
      at[path.at(-1)!] = value;
      return next;
    });
  const setGrade = (i: number, key: keyof Grade, value: string) =>
    setScheme((old) => ({
      ...old,
      grades: old.grades.map((g, k) => (k === i ? { ...g, [key]: value } : g)),
    }));

  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await postJson(`/api/schemes/${year}/${version.version}`, {
        files: { 'scheme.json': schemeJson(scheme), 'indicators.csv': indicatorsCsv(rows) },
      });
      onSaved(w('saved', { v: version.version }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const sum = weightSum(rows);
  const current = inForce ? weightSum(inForce.indicators) : sum;
  return (
    <section aria-label={w('edit')}>
      <h3>{w('indicators')}</h3>
      <p data-testid="weight-sum">
        {w('weightSum', { sum, current })}
        {sum !== current && <span class="down"> {w('weightDiffers')}</span>}
      </p>
      <div class="table-scroll">
        <table class="scheme-indicators">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th key={c}>{c}</th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {COLUMNS.map((c) => {
                  const raw = r[c];
                  const value = Array.isArray(raw) ? raw.join(';') : (raw ?? '');
                  return (
                    <td key={c}>
                      {c === 'method' ? (
                        <select
                          aria-label={`${r.id} ${c}`}
                          value={value}
                          disabled={!editable}
                          onChange={(e) => setRow(i, c, (e.target as HTMLSelectElement).value)}
                        >
                          {METHODS.map((m) => (
                            <option key={m} value={m}>
                              {m}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <input
                          aria-label={`${r.id} ${c}`}
                          size={['weight', 'target', 'floor'].includes(c) ? 5 : 10}
                          value={value}
                          disabled={!editable}
                          onInput={(e) => setRow(i, c, (e.target as HTMLInputElement).value)}
                        />
                      )}
                    </td>
                  );
                })}
                <td>
                  {editable && (
                    <button
                      type="button"
                      class="link"
                      onClick={() => setRows(rows.filter((_, k) => k !== i))}
                    >
                      {w('remove')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editable && (
        <button
          type="button"
          onClick={() =>
            setRows([
              ...rows,
              {
                id: '',
                nameZh: '',
                nameEn: '',
                dimension: '',
                appliesTo: '*',
                cadence: 'monthly',
                direction: 'higher',
                aggregation: 'sum',
                method: 'ge_target',
                weight: '',
              },
            ])
          }
        >
          {w('add')}
        </button>
      )}

      <h3>{w('payParams')}</h3>
      <fieldset disabled={!editable}>
        <Field
          label="holdbackRate"
          value={scheme.pay.holdbackRate}
          onInput={(v) => pay(['pay', 'holdbackRate'], v)}
        />
        <Field
          label="growthRate"
          value={scheme.pay.growthRate}
          onInput={(v) => pay(['pay', 'growthRate'], v)}
        />
        <Field
          label="basicShareRange[0]"
          value={scheme.pay.basicShareRange[0]}
          onInput={(v) => pay(['pay', 'basicShareRange', '0'], v)}
        />
        <Field
          label="basicShareRange[1]"
          value={scheme.pay.basicShareRange[1]}
          onInput={(v) => pay(['pay', 'basicShareRange', '1'], v)}
        />
        <Field
          label="fundExtractionRate"
          value={scheme.pay.surplus.fundExtractionRate}
          onInput={(v) => pay(['pay', 'surplus', 'fundExtractionRate'], v)}
        />
        <Field
          label="rewardShare"
          value={scheme.pay.surplus.rewardShare}
          onInput={(v) => pay(['pay', 'surplus', 'rewardShare'], v)}
        />
        {Object.keys(scheme.pay.tilt).map((k) => (
          <Field
            key={k}
            label={`tilt.${k}`}
            value={scheme.pay.tilt[k] ?? ''}
            onInput={(v) => pay(['pay', 'tilt', k], v)}
          />
        ))}
        <Field label="bonusCap" value={scheme.bonusCap} onInput={(v) => pay(['bonusCap'], v)} />
      </fieldset>

      <h3>{w('grades')}</h3>
      <table>
        <thead>
          <tr>
            <th>grade</th>
            <th>min</th>
            <th>coefficient</th>
            <th>reserveRelease</th>
            <th>insuranceGate</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {scheme.grades.map((g, i) => (
            <tr key={i}>
              {(['grade', 'min', 'coefficient', 'reserveRelease', 'insuranceGate'] as const).map((k) => (
                <td key={k}>
                  <input
                    aria-label={`${g.grade} ${k}`}
                    size={6}
                    value={g[k]}
                    disabled={!editable}
                    onInput={(e) => setGrade(i, k, (e.target as HTMLInputElement).value)}
                  />
                </td>
              ))}
              <td>
                {editable && scheme.grades.length > 1 && (
                  <button
                    type="button"
                    class="link"
                    onClick={() => setScheme({ ...scheme, grades: scheme.grades.filter((_, k) => k !== i) })}
                  >
                    {w('remove')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editable && (
        <p>
          <button
            type="button"
            onClick={() =>
              setScheme({
                ...scheme,
                grades: [
                  ...scheme.grades,
                  { grade: '', min: '', coefficient: '1', reserveRelease: '1', insuranceGate: '1' },
                ],
              })
            }
          >
            {w('add')}
          </button>{' '}
          <button type="button" class="primary" disabled={busy} onClick={save}>
            {w('save')}
          </button>
        </p>
      )}
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      <IssuesTable error={error} />
    </section>
  );
}

// ── the page ────────────────────────────────────────────────────────────────────────────────────────

export function SchemesPage({ groups }: { groups: Group[] }) {
  const w = useWords();
  const office = groups.includes('office');
  const committee = groups.includes('committee');
  const [overview, setOverview] = useState<Overview>();
  const [open, setOpen] = useState<(Version & SchemeContent) | undefined>();
  const [changes, setChanges] = useState<Change[]>();
  const [sim, setSim] = useState<Simulation>();
  const [busy, setBusy] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState('');
  const [reason, setReason] = useState('');

  const load = async () => {
    const next = await getJson<Overview>('/api/schemes');
    setOverview(next);
    return next;
  };
  useEffect(() => {
    load().catch(setError);
  }, []);

  const act = async (label: string, work: () => Promise<void>) => {
    setBusy(label);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(e);
    } finally {
      setBusy('');
    }
  };

  const openVersion = (v: number) =>
    act('open', async () => {
      if (!overview) return;
      const full = await getJson<Version & SchemeContent>(`/api/schemes/${overview.year}/${v}`);
      setOpen(full);
      setSim(undefined);
      setChanges((await getJson<{ changes: Change[] }>(`/api/schemes/${overview.year}/${v}/diff`)).changes);
    });

  const step = (verb: 'submit' | 'approve' | 'reject' | 'publish') =>
    act(verb, async () => {
      if (!overview || !open) return;
      const record = await postJson<Version>(
        `/api/schemes/${overview.year}/${open.version}/${verb}`,
        verb === 'reject' ? { reason } : {},
      );
      setDone(w('done', { v: record.version, status: w(`s_${record.status}` as Word) }));
      await load();
      await openVersion(record.version);
    });

  if (!overview) {
    return (
      <div>
        <PageHeader title={w('title')} intro={w('intro')} />
        {error ? <ErrorAlert error={error} /> : <Loading />}
      </div>
    );
  }
  const { year, inForce, versions } = overview;
  const pending = versions.filter((v) => v.status === 'submitted');
  return (
    <div>
      <PageHeader title={w('title')} intro={w('intro')} />
      <p data-testid="scheme-in-force">
        {w('inForce')} {year}:{' '}
        {inForce ? (
          <strong>
            {inForce.source === 'published' ? `v${inForce.version}` : w('fromImport')} #{inForce.hash}
          </strong>
        ) : (
          '—'
        )}
      </p>
      <h2>{w('versions')}</h2>
      {committee && pending.length === 0 && <p>{w('nothingPending')}</p>}
      <table data-testid="scheme-versions">
        <thead>
          <tr>
            <th>v</th>
            <th>{w('status')}</th>
            <th>{w('drafted')}</th>
            <th>{w('decided')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version}>
              <td>v{v.version}</td>
              <td data-testid={`status-v${v.version}`}>{w(`s_${v.status}` as Word)}</td>
              <td>{[...new Set([v.createdBy, ...v.editedBy])].join(', ')}</td>
              <td>
                {v.decidedBy ?? ''}
                {v.reason ? ` (${v.reason})` : ''}
              </td>
              <td>
                <button type="button" class="link" onClick={() => openVersion(v.version)}>
                  {office && v.status === 'draft' ? w('edit') : w('view')} v{v.version}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {office && (
        <button
          type="button"
          disabled={busy !== ''}
          onClick={() =>
            act('new', async () => {
              const record = await postJson<Version>('/api/schemes', { year });
              await load();
              await openVersion(record.version);
            })
          }
        >
          {w('newDraft')}
        </button>
      )}
      {done && (
        <p role="status" class="ok" data-testid="scheme-done">
          {done}
        </p>
      )}
      <ErrorAlert error={error} onClose={() => setError(undefined)} />

      {open && (
        <section aria-label={`v${open.version}`} data-testid="scheme-open">
          <h2>
            v{open.version} · {w(`s_${open.status}` as Word)}
          </h2>
          <h3>{w('diff')}</h3>
          {changes && changes.length === 0 ? (
            <p>{w('noDiff')}</p>
          ) : (
            <ul data-testid="scheme-diff">
              {changes?.map((c, k) => (
                <li key={k}>
                  {c.zh} <small>/ {c.en}</small>
                </li>
              ))}
            </ul>
          )}
          <Editor
            key={`${open.version}-${open.hash}`}
            year={year}
            version={open}
            inForce={inForce}
            onSaved={(message) => {
              setDone(message);
              void openVersion(open.version);
            }}
          />
          <p class="actions">
            <button
              type="button"
              disabled={busy !== ''}
              onClick={() =>
                act('simulate', async () => {
                  // A job (issue 12): started, followed, its answer read when done.
                  setSim(await jobJson<Simulation>('/api/simulations', { year, version: open.version }));
                })
              }
            >
              {busy === 'simulate' ? w('simulating') : w('simulate')}
            </button>{' '}
            {office && open.status === 'draft' && (
              <button type="button" disabled={busy !== ''} onClick={() => step('submit')}>
                {w('submit')}
              </button>
            )}{' '}
            {committee && open.status === 'submitted' && (
              <>
                <button type="button" class="primary" disabled={busy !== ''} onClick={() => step('approve')}>
                  {w('approve')}
                </button>{' '}
                <label>
                  {w('reason')}{' '}
                  <input value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
                </label>{' '}
                <button type="button" disabled={busy !== ''} onClick={() => step('reject')}>
                  {w('reject')}
                </button>
              </>
            )}{' '}
            {(office || committee) && open.status === 'approved' && (
              <button type="button" class="primary" disabled={busy !== ''} onClick={() => step('publish')}>
                {w('publish')}
              </button>
            )}
          </p>
          {sim && <SimulationView sim={sim} />}
        </section>
      )}
    </div>
  );
}

/**
 * One line for the cycle board: the scheme version in force and any version not yet published (a link
 * to this page). For cycles.tsx to show above its table.
 */
export function SchemeBoardLine() {
  const w = useWords();
  const [overview, setOverview] = useState<Overview>();
  useEffect(() => {
    getJson<Overview>('/api/schemes').then(setOverview, () => undefined);
  }, []);
  if (!overview) return null;
  const pending = overview.versions.filter((v) => ['draft', 'submitted', 'approved'].includes(v.status));
  const inForce = overview.inForce;
  return (
    <p class="scheme-line" data-testid="board-scheme">
      <a href="#/schemes">{w('inForce')}</a>{' '}
      {inForce ? (inForce.source === 'published' ? `v${inForce.version}` : w('fromImport')) : '—'}
      {inForce ? ` #${inForce.hash}` : ''}
      {pending.map((v) => ` · v${v.version} ${w(`s_${v.status}` as Word)}`).join('')}
    </p>
  );
}
