/**
 * The community's bank format over HTTP (issue 16), through `medcomm serve`'s real server and handlers on
 * DynamoDB Local: HR chooses one (audited), the office and finance read it, and nobody else changes it; an
 * unknown name is 422 in both languages; the community's own JSON format is added and chosen. HR or
 * finance sets each institution's payer account (checked, masked in every answer and in the audit).
 * GET /api/bank/… serves every format: one file as it is, several (split by institution or payer
 * account) as one zip with the summary — each read back with the format's encoding pays exactly the
 * sheet's amounts to the roster's accounts.
 */
import { randomBytes } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../../cli/serve.js';
import { routeParts } from '../../../shared/api/roles.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { runCycleToEnd } from '../../../shared/app/year-runner.js';
import { luhnCheckDigit } from '../../../shared/dataset/accounts.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { exportSheet } from '../../../shared/reports/index.js';
import { tinyAs } from '../../reliability/helpers.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

const C = 'county7';
const PERIOD = '2026-01';
let runtime: LocalRuntime;
let server: ApiServer;
const tokens: Record<string, string> = {};

type Key = 'GET /api/settings' | 'POST /api/settings/bank-format' | 'POST /api/settings/payer-account';

/** The route's path as the server serves it (under the community where routes name one). */
const pathOf = (key: Key) => routeParts(key).path.replace('{community}', C);

async function api(key: Key, as: string, body?: unknown) {
  const response = await fetch(`${server.url}${pathOf(key)}`, {
    method: routeParts(key).method,
    headers: {
      authorization: `Bearer ${tokens[as]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/**
 * GET /api/bank/monthly/PERIOD[?format=…] as `as`, a job (issue 12): the start's answer when it is refused;
 * else, once the server's jobs are idle, the job's file through its link (status, headers, bytes) and the
 * job itself — or, for a failed job, its status and its record as the bytes.
 */
async function bank(as: string, format?: string) {
  const path = routeParts('GET /api/bank/{kind}/{period}')
    .path.replace('{community}', C)
    .replace('{kind}', 'monthly')
    .replace('{period}', PERIOD);
  const query = format === undefined ? '' : `?format=${encodeURIComponent(format)}`;
  const headers = { authorization: `Bearer ${tokens[as]}` };
  const started = await fetch(`${server.url}${path}${query}`, { headers });
  const startedBytes = new Uint8Array(await started.arrayBuffer());
  if (started.status !== 202)
    return { status: started.status, headers: started.headers, bytes: startedBytes, job: undefined };
  await server.idle();
  // biome-ignore lint/suspicious/noExplicitAny: the job as GET …/jobs/{id} answers it
  const job: any = await (await fetch(`${server.url}${started.headers.get('location')}`, { headers })).json();
  if (job.status !== 'done')
    return {
      status: job.errorStatus as number,
      headers: new Headers(),
      bytes: new TextEncoder().encode(JSON.stringify(job)),
      job,
    };
  const file = await fetch(job.result.download.url);
  return { status: file.status, headers: file.headers, bytes: new Uint8Array(await file.arrayBuffer()), job };
}

/** What the month's sheet pays each person, in fen (实发 where deductions apply, else 应发). */
async function sheetPays(): Promise<Map<string, number>> {
  const json = await exportSheet(runtime.repos, {
    communityId: C,
    kind: 'monthly',
    period: PERIOD,
    by: 'test',
    format: 'json',
  });
  const pays = new Map<string, number>();
  for (const line of JSON.parse(String(json.content)) as { staffId: string; gross: string; net?: string }[]) {
    const [int, frac = ''] = (line.net ?? line.gross).split('.');
    pays.set(line.staffId, (pays.get(line.staffId) ?? 0) + Number(int) * 100 + Number(frac.padEnd(2, '0')));
  }
  return pays;
}

/** staff.csv's account → staffId, and staffId → institution. */
const roster = () => {
  const staff = parseCsv(tinyAs(C)['staff.csv']!, { columns: true }) as Record<string, string>[];
  return {
    byAccount: new Map(staff.map((s) => [s.bankAccount!, s.staffId!])),
    institutionOf: new Map(staff.map((s) => [s.staffId!, s.institutionId!])),
    institutions: [...new Set(staff.map((s) => s.institutionId!))].sort(),
  };
};

/** Rows of a headerless or headed delimited file, decoded as the format says, into staffId → fen. */
function paysOf(text: string, separator: string, header: boolean): Map<string, number> {
  const rows = parseCsv(text, { delimiter: separator }) as string[][];
  const { byAccount } = roster();
  const pays = new Map<string, number>();
  for (const [account, , amount] of header ? rows.slice(1) : rows) {
    const staffId = byAccount.get(account!);
    expect(staffId, `account ${account} is on the roster`).toBeDefined();
    expect(pays.has(staffId!), 'nobody is paid twice').toBe(false);
    const [int, frac = ''] = amount!.split('.');
    pays.set(staffId!, Number(int) * 100 + Number(frac.padEnd(2, '0')));
  }
  return pays;
}

const payerOf = (body: string) => body + luhnCheckDigit(body);

beforeAll(async () => {
  runtime = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `bank-api-${randomBytes(4).toString('hex')}`,
    workflows: { retryIntervalMs: 0 },
  });
  await importDataset(runtime.repos, { files: tinyAs(C) }, 'office1');
  await runCycleToEnd(runtime.repos, runtime.workflows, {
    communityId: C,
    kind: 'monthly',
    period: PERIOD,
    by: 'office1',
    approver: 'finance1',
  });
  server = await startApiServer({ repos: runtime.repos, executions: runtime.workflows, port: 0 });
  for (const user of ['office1', 'hr1', 'finance1']) {
    const response = await fetch(`${server.url}/api/auth/dev-login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user }),
    });
    expect(response.status).toBe(200);
    tokens[user] = ((await response.json()) as { token: string }).token;
  }
}, 240_000);

afterAll(async () => {
  await server?.close();
  await runtime?.close();
});

describe('the bank format setting over HTTP', () => {
  it('lists the shipped formats with none chosen yet', async () => {
    const answer = await api('GET /api/settings', 'hr1');
    expect(answer.status).toBe(200);
    expect(answer.json.bankFormat).toBeNull();
    expect(answer.json.bankFormats.map((f: { name: string }) => f.name)).toContain('代发-身份证-xls');
  });

  it('is chosen by HR, audited, and read back by the office', async () => {
    const set = await api('POST /api/settings/bank-format', 'hr1', { name: '代发-按单位-txt' });
    expect(set).toMatchObject({ status: 200, json: { bankFormat: '代发-按单位-txt', revision: 1 } });
    const read = await api('GET /api/settings', 'office1');
    expect(read.json).toMatchObject({ bankFormat: '代发-按单位-txt', updatedBy: 'hr1' });
    const entries = await runtime.repos.audit.entries(C);
    expect(entries.at(-1)).toMatchObject({ actor: 'hr1', action: 'settings.bank-format' });
  });

  it('is read by finance and the office but chosen by HR only', async () => {
    expect((await api('GET /api/settings', 'finance1')).json.bankFormat).toBe('代发-按单位-txt');
    expect((await api('POST /api/settings/bank-format', 'finance1', { name: '批量代发' })).status).toBe(403);
    expect((await api('POST /api/settings/bank-format', 'office1', { name: '批量代发' })).status).toBe(403);
  });

  it('refuses an unknown name (422, both languages) and a body without name or format (400)', async () => {
    const unknown = await api('POST /api/settings/bank-format', 'hr1', { name: '某银行' });
    expect(unknown.status).toBe(422);
    expect(JSON.stringify(unknown.json)).toContain('no bank-file format named');
    expect(JSON.stringify(unknown.json)).toContain('没有名为');
    expect((await api('POST /api/settings/bank-format', 'hr1', {})).status).toBe(400);
    expect((await api('GET /api/settings', 'office1')).json.bankFormat).toBe('代发-按单位-txt');
  });

  it('serves the community’s format by default: one file per institution, as one zip with the summary', async () => {
    const answer = await bank('hr1');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/zip');
    expect(answer.headers.get('content-disposition')).toContain(`bank-${PERIOD}.zip`);
    const zip = await JSZip.loadAsync(answer.bytes);
    const names = Object.keys(zip.files).sort();
    const { institutions, institutionOf } = roster();
    const pays = await sheetPays();
    const paidInstitutions = [...new Set([...pays.keys()].map((id) => institutionOf.get(id)!))].sort();
    expect(names).toEqual(
      [...paidInstitutions.map((id) => `bank-${PERIOD}-${id}.txt`), `bank-${PERIOD}-汇总.csv`].sort(),
    );
    expect(paidInstitutions.length).toBeGreaterThan(1);
    expect(institutions).toEqual(expect.arrayContaining(paidInstitutions));
    const read = new Map<string, number>();
    for (const id of paidInstitutions) {
      const bytes = await zip.file(`bank-${PERIOD}-${id}.txt`)!.async('uint8array');
      const text = new TextDecoder('gb18030', { fatal: true }).decode(bytes);
      for (const [staffId, fen] of paysOf(text, '|', false)) {
        expect(institutionOf.get(staffId)).toBe(id); // each institution's own file
        read.set(staffId, fen);
      }
    }
    expect(read).toEqual(pays);
    const summary = new TextDecoder('gb18030').decode(
      await zip.file(`bank-${PERIOD}-汇总.csv`)!.async('uint8array'),
    );
    const total = [...pays.values()].reduce((a, b) => a + b, 0);
    expect(summary).toContain(`总计,${pays.size},${(total / 100).toFixed(2)}`);
    // The job's record has the counts (the file has the accounts).
    expect(answer.job.result.json).toMatchObject({
      total: (total / 100).toFixed(2),
      lines: pays.size,
      files: paidInstitutions.length,
    });
  });

  it('serves a one-file GBK format as its bytes, and ?format=csv still gives HR’s copy', async () => {
    const gbk = await bank('hr1', '批量代发');
    expect(gbk.status).toBe(200);
    expect(gbk.headers.get('content-type')).toBe('text/csv; charset=GBK');
    expect([...gbk.bytes.slice(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('gb18030', { fatal: true }).decode(gbk.bytes);
    expect(text.split('\r\n')[0]).toBe('收款账号,收款户名,金额,用途');
    expect(paysOf(text, ',', true)).toEqual(await sheetPays());
    const hr = await bank('hr1', 'csv');
    expect(new TextDecoder().decode(hr.bytes)).toContain('工号,姓名,银行账号,金额');
    expect((await bank('hr1', '某银行')).status).toBe(422);
    expect((await bank('finance1', '批量代发')).status).toBe(403);
    // Each download is audited, without an account in its entry.
    const entries = (await runtime.repos.audit.entries(C)).filter((e) => e.action === 'export.bank');
    expect(entries.map((e) => e.details.format)).toEqual(
      expect.arrayContaining(['代发-按单位-txt', '批量代发']),
    );
    const trail = JSON.stringify(entries);
    for (const account of roster().byAccount.keys()) expect(trail).not.toContain(account);
  });

  it('sets payer accounts (HR or finance, checked, masked) and serves one file per payer account', async () => {
    const { institutions } = roster();
    const pays = await sheetPays();
    // Before any payer account: refused, naming the institutions without one.
    const refused = await bank('hr1', '代发-按付款账户');
    expect(refused.status).toBe(422);
    const message = new TextDecoder().decode(refused.bytes);
    expect(message).toContain('have no payer account');
    expect(message).toContain('没有设置付款账户');
    expect(message).toContain(institutions[0]!);

    const main = payerOf('622848040256489');
    const other = payerOf('621700001234567');
    // The office may not set one; a cut card number is refused naming Luhn; finance and HR set them.
    const body = (id: string, account: string) => ({
      institutionId: id,
      account,
      name: `${id}户`,
      bank: '农行某县支行',
    });
    expect(
      (await api('POST /api/settings/payer-account', 'office1', body(institutions[0]!, main))).status,
    ).toBe(403);
    const cut = await api('POST /api/settings/payer-account', 'hr1', {
      ...body(institutions[0]!, `${main.slice(0, -1)}${(Number(main.at(-1)) + 1) % 10}`),
    });
    expect(cut.status).toBe(422);
    expect(JSON.stringify(cut.json)).toContain('Luhn');
    const [first, ...rest] = institutions;
    const set = await api('POST /api/settings/payer-account', 'finance1', body(first!, other));
    expect(set).toMatchObject({
      status: 200,
      json: { payerAccount: { account: `************${other.slice(-4)}` } },
    });
    for (const id of rest) {
      const shared = { institutionId: id, account: main, name: '县医共体', bank: '农行某县支行' };
      expect((await api('POST /api/settings/payer-account', 'hr1', shared)).status).toBe(200);
    }
    const settings = await api('GET /api/settings', 'finance1');
    expect(Object.keys(settings.json.payerAccounts).sort()).toEqual(institutions);
    expect(JSON.stringify(settings.json)).not.toContain(main);

    const answer = await bank('hr1', '代发-按付款账户');
    expect(answer.status).toBe(200);
    const zip = await JSZip.loadAsync(answer.bytes);
    expect(Object.keys(zip.files).sort()).toEqual(
      [
        `bank-${PERIOD}-付款${main.slice(-4)}.csv`,
        `bank-${PERIOD}-付款${other.slice(-4)}.csv`,
        `bank-${PERIOD}-汇总.csv`,
      ].sort(),
    );
    const { institutionOf } = roster();
    const read = new Map<string, number>();
    for (const [account, institutionsOfFile] of [
      [main, rest],
      [other, [first!]],
    ] as const) {
      const bytes = await zip.file(`bank-${PERIOD}-付款${account.slice(-4)}.csv`)!.async('uint8array');
      const filePays = paysOf(new TextDecoder('gb18030', { fatal: true }).decode(bytes), ',', true);
      for (const [staffId, fen] of filePays) {
        expect(institutionsOfFile).toContain(institutionOf.get(staffId));
        read.set(staffId, fen);
      }
    }
    expect(read).toEqual(pays);
    const summary = new TextDecoder('gb18030').decode(
      await zip.file(`bank-${PERIOD}-汇总.csv`)!.async('uint8array'),
    );
    expect(summary).toContain(`************${main.slice(-4)},县医共体,农行某县支行,${rest.join(' ')}`);
    expect(summary).not.toContain(main);

    // Removed again: the institution is named as without one.
    expect(
      (await api('POST /api/settings/payer-account', 'hr1', { institutionId: first, remove: true })).status,
    ).toBe(200);
    expect(new TextDecoder().decode((await bank('hr1', '代发-按付款账户')).bytes)).toContain(first!);
    // The audit trail holds the changes, masked.
    const trail = (await runtime.repos.audit.entries(C)).filter((e) => e.action === 'settings.payer-account');
    expect(trail.map((e) => e.actor)).toEqual(['finance1', ...rest.map(() => 'hr1'), 'hr1']);
    expect(JSON.stringify(trail)).not.toContain(main);
    expect(JSON.stringify(trail)).not.toContain(other);
  });

  it('adds the community’s own format from its JSON and chooses it', async () => {
    const format = {
      name: '县农商行',
      columns: [{ field: 'account' }, { field: 'name' }, { field: 'amount' }],
      header: false,
      encoding: 'GBK',
      separator: ',',
      fileType: 'txt',
    };
    const set = await api('POST /api/settings/bank-format', 'hr1', { format });
    expect(set).toMatchObject({ status: 200, json: { bankFormat: '县农商行' } });
    const read = await api('GET /api/settings', 'hr1');
    expect(read.json.bankFormats[0]).toMatchObject({ name: '县农商行', own: true, fileType: 'txt' });
    const file = await bank('hr1');
    expect(file.headers.get('content-disposition')).toContain(`bank-${PERIOD}.txt`);
    expect(paysOf(new TextDecoder('gb18030').decode(file.bytes), ',', false)).toEqual(await sheetPays());
  });
});
