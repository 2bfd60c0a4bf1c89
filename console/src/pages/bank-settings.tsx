/**
 * 银行文件设置 (issue 16): the community's bank-file format — the shipped presets and its own, the one
 * chosen, who chose it and when — and each institution's payer account (付款账户) for formats that make
 * one file per payer account. HR chooses the format and downloads a completed cycle's bank file in any
 * format (several files come as one zip with the summary); HR or finance sets payer accounts; finance
 * sees the rest. Accounts come back masked; the API enforces the same roles (shared/api/roles.ts).
 */
import { useState } from 'preact/hooks';
import { download, getJson, postJson } from '../api/client';
import type { Group, SheetKind, YearOverview } from '../api/types';
import { ErrorAlert, Loading, Notice, PageHeader, SelectField, useLoad } from '../components/ui';
import { useI18n } from '../i18n';

interface FormatInfo {
  name: string;
  description: string;
  fileType: string;
  encoding: string;
  split: 'none' | 'institution' | 'payerAccount';
  columns: string[];
  own: boolean;
}
interface Payer {
  account: string;
  name: string;
  bank: string;
  setBy?: string;
  setAt?: string;
}
interface Settings {
  bankFormat: string | null;
  revision: number;
  updatedBy: string | null;
  updatedAt: string | null;
  payerAccounts: Record<string, Payer>;
  bankFormats: FormatInfo[];
}

const WORDS = {
  zh: {
    intro:
      '选择本医共体的银行代发文件格式（人事），设置各单位的付款账户（人事或财务），并按所选格式下载已完成周期的银行文件。账号均隐去中间位显示。',
    current: '当前格式',
    notSet: '未设置（人事核对用 CSV）',
    setBy: '{user} 于 {at} 设置',
    formats: '可选格式',
    format: '格式',
    source: '来源',
    own: '本医共体',
    shipped: '内置',
    fileType: '文件类型',
    encoding: '编码',
    split: '分文件',
    split_none: '一个文件',
    split_institution: '每个单位一个',
    split_payerAccount: '每个付款账户一个',
    description: '说明',
    choose: '选用',
    chosen: '已选用',
    chosenNotice: '银行文件格式已设为“{name}”',
    ownFormat: '添加本医共体自己的格式（JSON）',
    ownFormatHelp:
      '字段：name、columns（account、name、amount、purpose、institution、staffId、idNumber、branch）、header、encoding（GBK/UTF-8）、separator、fileType（txt/csv/xls/xlsx）、split（none/institution/payerAccount）',
    addOwn: '添加并选用',
    badJson: '不是有效的 JSON：{message}',
    payers: '付款账户',
    payersIntro: '按付款账户分文件的格式需要每个单位的付款账户；同一账户付款的单位合为一个文件。',
    noPayers: '尚未设置付款账户',
    institutionId: '机构编号',
    account: '付款账号',
    holder: '户名',
    bank: '开户行',
    nonCard: '16–19 位但不是银行卡号（对公账户）',
    savePayer: '保存付款账户',
    removePayer: '删除',
    payerSetBy: '设置人',
    payerFile: '从 CSV 文件设置多个单位',
    payerFileHelp:
      '表头：机构编号,付款账号,户名,开户行[,账号校验]（或 institutionId,account,name,bank[,accountCheck]）；账号校验填 nonCard 表示对公账户；UTF-8 或 GBK 均可',
    payersUploaded: '已设置 {n} 个单位的付款账户',
    payerSaved: '{id} 的付款账户已保存：{account}',
    payerRemoved: '{id} 的付款账户已删除',
    downloadTitle: '按格式下载银行文件',
    kind: '类别',
    period: '期间',
    downloadIn: '下载',
    downloaded: '已下载 {name}',
    notTransferred: '{n} 人未列入银行文件（无账号或实发为负），请另行处理',
    noCompleted: '还没有已完成的周期',
    kind_monthly: '月度',
    kind_quarterly: '季度',
    kind_annual: '年度',
    kind_leaders: '负责人年薪',
  },
  en: {
    intro:
      "Choose the community's bank-file format (HR), set each institution's payer account (HR or finance), and download a completed cycle's bank file in the chosen format. Accounts are shown masked.",
    current: 'Current format',
    notSet: "Not set (HR's CSV)",
    setBy: 'set by {user} at {at}',
    formats: 'Formats',
    format: 'Format',
    source: 'Source',
    own: 'Own',
    shipped: 'Shipped',
    fileType: 'File type',
    encoding: 'Encoding',
    split: 'Files',
    split_none: 'One file',
    split_institution: 'One per institution',
    split_payerAccount: 'One per payer account',
    description: 'Description',
    choose: 'Choose',
    chosen: 'Chosen',
    chosenNotice: 'The bank-file format is now "{name}"',
    ownFormat: "Add the community's own format (JSON)",
    ownFormatHelp:
      'Fields: name, columns (account, name, amount, purpose, institution, staffId, idNumber, branch), header, encoding (GBK/UTF-8), separator, fileType (txt/csv/xls/xlsx), split (none/institution/payerAccount)',
    addOwn: 'Add and choose',
    badJson: 'Not valid JSON: {message}',
    payers: 'Payer accounts',
    payersIntro:
      'Formats with one file per payer account need each institution’s payer account; institutions paying from one account share a file.',
    noPayers: 'No payer account set yet',
    institutionId: 'Institution id',
    account: 'Payer account',
    holder: 'Account holder',
    bank: 'Bank',
    nonCard: '16–19 digits but not a card (a corporate account)',
    savePayer: 'Save payer account',
    removePayer: 'Remove',
    payerSetBy: 'Set by',
    payerFile: 'Set many from a CSV file',
    payerFileHelp:
      'Header: institutionId,account,name,bank[,accountCheck] (or 机构编号,付款账号,户名,开户行[,账号校验]); accountCheck nonCard for a corporate account; UTF-8 or GBK',
    payersUploaded: 'Payer accounts set for {n} institutions',
    payerSaved: 'Payer account of {id} saved: {account}',
    payerRemoved: 'Payer account of {id} removed',
    downloadTitle: 'Download a bank file in a format',
    kind: 'Kind',
    period: 'Period',
    downloadIn: 'Download',
    downloaded: 'Downloaded {name}',
    notTransferred:
      '{n} people are not in the bank file (no account or a negative net): pay them another way',
    noCompleted: 'No completed cycle yet',
    kind_monthly: 'Monthly',
    kind_quarterly: 'Quarterly',
    kind_annual: 'Annual',
    kind_leaders: 'Leader salaries',
  },
} as const;
type Word = keyof (typeof WORDS)['zh'];
/** Short cells (names, types, buttons) on one line; the description takes the rest. */
const NOWRAP = { whiteSpace: 'nowrap' } as const;

function useWords() {
  const { lang } = useI18n();
  return (key: Word, params: Record<string, string | number> = {}) =>
    (WORDS[lang][key] as string).replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
}

export function BankSettingsPage({ groups }: { groups: Group[] }) {
  const w = useWords();
  const { lang, t } = useI18n();
  const settings = useLoad(() => getJson<Settings>('/api/settings'), []);
  const isHr = groups.includes('hr');
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const act = async (run: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const done = await run();
      await settings.reload();
      setNotice(done);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const choose = (name: string) =>
    act(async () => {
      await postJson('/api/settings/bank-format', { name });
      return w('chosenNotice', { name });
    });

  const data = settings.data;
  return (
    <section>
      <PageHeader title={t('page_bankSettings')} intro={w('intro')} />
      {notice && <Notice tone="success">{notice}</Notice>}
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      {settings.error ? (
        <ErrorAlert error={settings.error} />
      ) : !data ? (
        <Loading />
      ) : (
        <>
          <p data-testid="current-format">
            <strong>{w('current')}：</strong>
            {data.bankFormat ?? w('notSet')}
            {data.updatedBy && data.updatedAt && (
              <span class="meta">
                {' '}
                （
                {w('setBy', {
                  user: data.updatedBy,
                  at: new Date(data.updatedAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB'),
                })}
                ）
              </span>
            )}
          </p>
          <h2>{w('formats')}</h2>
          <table data-testid="bank-formats">
            <thead>
              <tr>
                <th scope="col" style={NOWRAP}>
                  {w('format')}
                </th>
                <th scope="col" style={NOWRAP}>
                  {w('source')}
                </th>
                <th scope="col" style={NOWRAP}>
                  {w('fileType')}
                </th>
                <th scope="col" style={NOWRAP}>
                  {w('encoding')}
                </th>
                <th scope="col" style={NOWRAP}>
                  {w('split')}
                </th>
                <th scope="col">{w('description')}</th>
                {isHr && (
                  <th scope="col" style={NOWRAP}>
                    {w('choose')}
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {data.bankFormats.map((f) => (
                <tr key={f.name} aria-current={f.name === data.bankFormat ? 'true' : undefined}>
                  <th scope="row" style={NOWRAP}>
                    {f.name}
                  </th>
                  <td style={NOWRAP}>{f.own ? w('own') : w('shipped')}</td>
                  <td style={NOWRAP}>{f.fileType}</td>
                  <td style={NOWRAP}>{f.encoding}</td>
                  <td style={NOWRAP}>{w(`split_${f.split}` as Word)}</td>
                  <td>{f.description}</td>
                  {isHr && (
                    <td style={NOWRAP}>
                      {f.name === data.bankFormat ? (
                        <span class="badge">{w('chosen')}</span>
                      ) : (
                        <button
                          type="button"
                          disabled={busy}
                          aria-label={`${w('choose')} ${f.name}`}
                          onClick={() => choose(f.name)}
                        >
                          {w('choose')}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {isHr && <OwnFormat busy={busy} act={act} />}
          <Payers payers={data.payerAccounts} busy={busy} act={act} />
          {isHr && <Download formats={data.bankFormats} chosen={data.bankFormat} />}
        </>
      )}
    </section>
  );
}

function OwnFormat({ busy, act }: { busy: boolean; act: (run: () => Promise<string>) => Promise<void> }) {
  const w = useWords();
  const [text, setText] = useState('');
  const submit = () =>
    act(async () => {
      let format: unknown;
      try {
        format = JSON.parse(text);
      } catch (e) {
        throw new Error(w('badJson', { message: (e as Error).message }));
      }
      const answer = await postJson<{ bankFormat: string }>('/api/settings/bank-format', { format });
      setText('');
      return w('chosenNotice', { name: answer.bankFormat });
    });
  return (
    <details>
      <summary>{w('ownFormat')}</summary>
      <p class="meta">{w('ownFormatHelp')}</p>
      <div class="field">
        <label for="own-format">JSON</label>
        <textarea id="own-format" rows={8} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </div>
      <button type="button" disabled={busy || text.trim() === ''} onClick={submit}>
        {w('addOwn')}
      </button>
    </details>
  );
}

function Payers({
  payers,
  busy,
  act,
}: {
  payers: Record<string, Payer>;
  busy: boolean;
  act: (run: () => Promise<string>) => Promise<void>;
}) {
  const w = useWords();
  const { lang } = useI18n();
  const [form, setForm] = useState({ institutionId: '', account: '', name: '', bank: '', nonCard: false });
  const entries = Object.entries(payers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const save = () =>
    act(async () => {
      const answer = await postJson<{ institutionId: string; payerAccount: Payer }>(
        '/api/settings/payer-account',
        {
          institutionId: form.institutionId.trim(),
          account: form.account.trim(),
          name: form.name.trim(),
          bank: form.bank.trim(),
          ...(form.nonCard ? { nonCard: true } : {}),
        },
      );
      setForm({ institutionId: '', account: '', name: '', bank: '', nonCard: false });
      return w('payerSaved', { id: answer.institutionId, account: answer.payerAccount.account });
    });
  const upload = (file: File) =>
    act(async () => {
      const bytes = new Uint8Array(await file.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000)
        binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      const answer = await postJson<{ payerAccounts: Record<string, Payer> }>('/api/settings/payer-account', {
        file: { name: file.name, base64: btoa(binary) },
      });
      return w('payersUploaded', { n: Object.keys(answer.payerAccounts).length });
    });
  const remove = (institutionId: string) =>
    act(async () => {
      await postJson('/api/settings/payer-account', { institutionId, remove: true });
      return w('payerRemoved', { id: institutionId });
    });
  const field = (key: 'institutionId' | 'account' | 'name' | 'bank', label: Word) => (
    <div class="field inline">
      <label for={`payer-${key}`}>{w(label)}</label>
      <input
        id={`payer-${key}`}
        value={form[key]}
        inputMode={key === 'account' ? 'numeric' : undefined}
        autocomplete="off"
        onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value })}
      />
    </div>
  );
  return (
    <div>
      <h2>{w('payers')}</h2>
      <p class="meta">{w('payersIntro')}</p>
      {entries.length === 0 ? (
        <p>{w('noPayers')}</p>
      ) : (
        <table data-testid="payer-accounts">
          <thead>
            <tr>
              <th scope="col">{w('institutionId')}</th>
              <th scope="col">{w('account')}</th>
              <th scope="col">{w('holder')}</th>
              <th scope="col">{w('bank')}</th>
              <th scope="col">{w('payerSetBy')}</th>
              <th scope="col">{w('removePayer')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map(([id, p]) => (
              <tr key={id}>
                <th scope="row">{id}</th>
                <td>{p.account}</td>
                <td>{p.name}</td>
                <td>{p.bank}</td>
                <td class="meta">
                  {p.setBy ?? ''}{' '}
                  {p.setAt ? new Date(p.setAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB') : ''}
                </td>
                <td>
                  <button
                    type="button"
                    class="link"
                    disabled={busy}
                    aria-label={`${w('removePayer')} ${id}`}
                    onClick={() => remove(id)}
                  >
                    {w('removePayer')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="toolbar">
        {field('institutionId', 'institutionId')}
        {field('account', 'account')}
        {field('name', 'holder')}
        {field('bank', 'bank')}
        <label class="field inline">
          <input
            type="checkbox"
            checked={form.nonCard}
            onChange={(e) => setForm({ ...form, nonCard: e.currentTarget.checked })}
          />{' '}
          {w('nonCard')}
        </label>
        <button
          type="button"
          disabled={
            busy ||
            !form.institutionId.trim() ||
            !form.account.trim() ||
            !form.name.trim() ||
            !form.bank.trim()
          }
          onClick={save}
        >
          {w('savePayer')}
        </button>
      </div>
      <div class="field">
        <label for="payer-file">{w('payerFile')}</label>
        <input
          id="payer-file"
          type="file"
          accept=".csv,text/csv"
          disabled={busy}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) void upload(file);
          }}
        />
        <p class="meta">{w('payerFileHelp')}</p>
      </div>
    </div>
  );
}

const KINDS: SheetKind[] = ['monthly', 'quarterly', 'annual', 'leaders'];

function Download({ formats, chosen }: { formats: FormatInfo[]; chosen: string | null }) {
  const w = useWords();
  const overview = useLoad(() => getJson<YearOverview>('/api/cycles'), []);
  const [kind, setKind] = useState<SheetKind>('monthly');
  const [period, setPeriod] = useState('');
  // The community's format until the user picks another (the choice may change on this very page).
  const [picked, setFormat] = useState<string>();
  const format = picked ?? chosen ?? 'csv';
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ name: string; left: number }>();
  const [error, setError] = useState<unknown>();
  const completed = (overview.data?.cycles ?? []).filter((c) => c.status === 'completed');
  const periodsOf = (k: SheetKind) =>
    completed.filter((c) => c.kind === (k === 'leaders' ? 'annual' : k)).map((c) => c.period);
  const kinds = KINDS.filter((k) => periodsOf(k).length > 0);
  const kindShown = kinds.includes(kind) ? kind : (kinds[0] ?? kind);
  const periods = periodsOf(kindShown);
  const shown = periods.includes(period) ? period : (periods.at(-1) ?? '');
  const get = async () => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const file = await download(
        `/api/bank/${kindShown}/${shown}?format=${encodeURIComponent(format)}`,
        `bank-${shown}.zip`,
      );
      setDone({ name: file.filename, left: file.notTransferred ?? 0 });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <h2>{w('downloadTitle')}</h2>
      {overview.error ? (
        <ErrorAlert error={overview.error} />
      ) : !overview.data ? (
        <Loading />
      ) : kinds.length === 0 ? (
        <Notice>{w('noCompleted')}</Notice>
      ) : (
        <div class="toolbar">
          <SelectField
            id="bank-kind"
            label={w('kind')}
            value={kindShown}
            options={kinds.map((k) => ({ value: k, label: w(`kind_${k}` as Word) }))}
            onChange={setKind}
          />
          <SelectField
            id="bank-period"
            label={w('period')}
            value={shown}
            options={periods.map((p) => ({ value: p, label: p }))}
            onChange={setPeriod}
          />
          <SelectField
            id="bank-format"
            label={w('format')}
            value={format}
            options={[
              { value: 'csv', label: 'CSV（人事核对 HR copy）' },
              { value: 'xlsx', label: 'XLSX（人事核对 HR copy）' },
              ...formats.map((f) => ({ value: f.name, label: f.name })),
            ]}
            onChange={setFormat}
          />
          <button type="button" disabled={busy || !shown} aria-busy={busy} onClick={get}>
            {w('downloadIn')}
          </button>
        </div>
      )}
      {done && <Notice tone="success">{w('downloaded', { name: done.name })}</Notice>}
      {done && done.left > 0 && <Notice tone="warning">{w('notTransferred', { n: done.left })}</Notice>}
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
    </div>
  );
}
