/**
 * Large-file uploads on `medcomm serve` (issue 12), through its real HTTP server on DynamoDB Local: the
 * office asks for upload links, PUTs each file to this server's `/uploads/…` (the link's signature is the
 * only authority, as with a presigned S3 URL), starts the import and follows it — the import state
 * machine CDK synthesizes, run on the local engine — to imported, or refused with every issue grouped and
 * nothing stored. Files are 0600 under the data folder and gone once the import ends; altered, expired
 * and foreign links are refused; a community whose id is Chinese works through the whole path.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../../cli/serve.js';
import { ownerSegment } from '../../../shared/api/s3.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { localUploadStore, STALE_UPLOAD_MS } from '../../../shared/local/upload-store.js';
import { tinyAs } from '../../reliability/helpers.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

const C = 'county7';
const CN = '兴国县';
/** Small, so the cap is tested with a small body; the tiny dataset's largest file is ~22 KB. */
const MAX_FILE_BYTES = 64 * 1024;
let work: string;
let runtime: LocalRuntime;
let server: ApiServer;
/** The server's clock for links and the sweep: a test moves it past a link's expiry. */
let clock = Date.now();
const tokens: Record<string, string> = {};

interface Ticket {
  prefix: string;
  importId: string;
  expiresIn: number;
  files: { name: string; url: string; method: 'PUT'; headers: Record<string, string> }[];
}

const communityPath = (community: string, rest: string) =>
  `/api/communities/${encodeURIComponent(community)}${rest}`;

async function api(method: string, path: string, options: { as?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.as) headers.authorization = `Bearer ${tokens[options.as]}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  const json: any = (response.headers.get('content-type') ?? '').startsWith('application/json')
    ? JSON.parse(text)
    : undefined;
  return { status: response.status, headers: response.headers, json };
}

/** A PUT to an upload link, as the console sends it (no bearer token). */
async function put(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'PUT', headers, body });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

async function ticket(community: string, names: string[]): Promise<Ticket> {
  const answer = await api('POST', communityPath(community, '/datasets/upload-url'), {
    as: 'office1',
    body: { files: names },
  });
  expect(answer.status).toBe(200);
  return answer.json as Ticket;
}

async function uploadAll(community: string, files: Record<string, string>): Promise<Ticket> {
  const t = await ticket(community, Object.keys(files));
  for (const signed of t.files) expect((await put(signed.url, files[signed.name]!)).status).toBe(200);
  return t;
}

/** import-from-upload (202), then the import's state once it has ended (the server's imports are idle). */
async function importAndFollow(community: string, prefix: string) {
  const started = await api('POST', communityPath(community, '/datasets/import-from-upload'), {
    as: 'office1',
    body: { prefix },
  });
  expect(started.status).toBe(202);
  await server.idle();
  const state = await api('GET', communityPath(community, `/datasets/imports/${started.json.importId}`), {
    as: 'office1',
  });
  expect(state.status).toBe(200);
  return state.json;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'medcomm-serve-uploads-'));
  runtime = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `uploads-${randomBytes(4).toString('hex')}`,
    workflows: { retryIntervalMs: 0 },
  });
  server = await startApiServer({
    repos: runtime.repos,
    executions: runtime.workflows,
    port: 0,
    uploads: { root: work, maxFileBytes: MAX_FILE_BYTES, now: () => clock },
  });
  for (const user of ['office1', 'hr1']) {
    const login = await api('POST', '/api/auth/dev-login', { body: { user } });
    expect(login.status).toBe(200);
    tokens[user] = login.json.token;
  }
}, 300_000);

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('uploads on medcomm serve', () => {
  it('uploads each file with its link, imports through the workflow, then removes the files', async () => {
    const files = tinyAs(C);
    const t = await ticket(C, Object.keys(files));
    expect(t.prefix).toMatch(new RegExp(`^uploads/${C}/office1/${t.importId}/$`));
    for (const signed of t.files) {
      expect(signed.url.startsWith(`${server.url}/${t.prefix}`)).toBe(true);
      expect((await put(signed.url, files[signed.name]!)).status).toBe(200);
    }
    // Under the data folder, readable by this user only.
    const folder = join(work, t.prefix);
    expect((await readdir(folder)).filter((n) => !n.startsWith('.')).sort()).toEqual(
      Object.keys(files).sort(),
    );
    expect((await stat(join(folder, 'staff.csv'))).mode & 0o777).toBe(0o600);
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    expect((await stat(join(work, 'uploads'))).mode & 0o777).toBe(0o700);

    const state = await importAndFollow(C, t.prefix);
    expect(state).toMatchObject({ status: 'imported', communityId: C, by: 'office1', year: 2026 });
    expect((await runtime.repos.datasets.current(C, 2026))?.version).toBe(state.version);
    expect(await exists(folder)).toBe(false);
    // Nothing of the import's chunks is left either.
    expect(await readdir(join(work, 'import-chunks')).catch(() => [])).toEqual([]);
    // Once its import started, a link adds nothing to it.
    expect((await put(t.files[0]!.url, 'x')).status).toBe(409);
    expect(await exists(folder)).toBe(false);
  }, 300_000);

  it('refuses a dataset with errors: every issue with file, row and column, grouped; nothing stored', async () => {
    const before = await runtime.repos.datasets.current(C, 2026);
    const files = tinyAs(C);
    const staff = files['staff.csv']!.split(/\r?\n/);
    const header = staff[0]!.split(',');
    const column = header.indexOf('basicMonthly');
    for (const row of [1, 2]) {
      const cells = staff[row]!.split(',');
      cells[column] = '-5';
      staff[row] = cells.join(',');
    }
    files['staff.csv'] = staff.join('\r\n');
    const t = await uploadAll(C, files);
    const state = await importAndFollow(C, t.prefix);
    expect(state.status).toBe('refused');
    expect(state.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'staff.csv', row: 2, column: 'basicMonthly' }),
        expect.objectContaining({ file: 'staff.csv', row: 3, column: 'basicMonthly' }),
      ]),
    );
    expect(state.issueCount).toBe(state.issues.length);
    const group = state.groups.find((g: { file: string; column?: string }) => g.column === 'basicMonthly');
    expect(group).toMatchObject({ file: 'staff.csv', count: 2 });
    expect(await runtime.repos.datasets.current(C, 2026)).toEqual(before);
    expect(await exists(join(work, t.prefix))).toBe(false);
  }, 300_000);

  it('refuses an altered or expired link with 403 and writes nothing; the bearer token is no substitute', async () => {
    const t = await ticket(C, ['staff.csv', 'leaders.csv']);
    const [staff, leaders] = t.files;
    const url = new URL(staff!.url);
    const signature = url.searchParams.get('signature')!;
    const altered = (change: (u: URL) => void) => {
      const u = new URL(staff!.url);
      change(u);
      return u.toString();
    };
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
    const refusals = [
      altered((u) => u.searchParams.set('signature', flipped)),
      // Another file under the same signature, a later expiry, another import's folder.
      altered((u) => {
        u.pathname = u.pathname.replace('staff.csv', 'workload.csv');
      }),
      altered((u) => u.searchParams.set('expires', String(Number(u.searchParams.get('expires')) + 3600))),
      altered((u) => {
        u.pathname = u.pathname.replace(t.importId, randomUUID());
      }),
      altered((u) => u.searchParams.delete('signature')),
    ];
    for (const link of refusals) {
      const answer = await put(link, 'staffId\n');
      expect(answer.status).toBe(403);
      expect(answer.json.error).toMatch(/签名.*signature/);
    }
    const bearer = await fetch(
      altered((u) => u.searchParams.delete('signature')),
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${tokens.office1}` },
        body: 'staffId\n',
      },
    );
    expect(bearer.status).toBe(403);

    // The clock past the link's life: the link, untouched, no longer works.
    const saved = clock;
    clock += (t.expiresIn + 1) * 1000;
    try {
      const expired = await put(leaders!.url, 'x');
      expect(expired.status).toBe(403);
      expect(expired.json.error).toMatch(/过期.*expired/);
    } finally {
      clock = saved;
    }
    expect(await exists(join(work, t.prefix))).toBe(false);
  });

  it('caps each file: a body over the cap is 413 and leaves nothing', async () => {
    const t = await ticket(C, ['workload.csv']);
    const answer = await put(t.files[0]!.url, Buffer.alloc(MAX_FILE_BYTES + 1, 'a'));
    expect(answer.status).toBe(413);
    expect(answer.json.error).toMatch(/workload\.csv 超过 .* is larger than/);
    const names = await readdir(join(work, t.prefix)).catch(() => []);
    expect(names.filter((n) => !n.startsWith('.'))).toEqual([]);
  });

  it('imports only the caller’s own uploads, into the community they were uploaded for', async () => {
    const others = `uploads/${C}/hr1/${randomUUID()}/`;
    const own = await ticket(C, ['staff.csv']);
    for (const [community, prefix] of [
      [C, others],
      // county7's upload is not another community's.
      ['county8', own.prefix],
    ] as const) {
      const answer = await api('POST', communityPath(community, '/datasets/import-from-upload'), {
        as: 'office1',
        body: { prefix },
      });
      expect(answer.status).toBe(403);
      expect(answer.json.issues[0].path).toBe('body.prefix');
    }
  });

  it('answers a console on another loopback port (CORS preflight), never another site', async () => {
    const t = await ticket(C, ['staff.csv']);
    const preflight = await fetch(t.files[0]!.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('PUT');
    const foreign = await fetch(t.files[0]!.url, {
      method: 'PUT',
      headers: { origin: 'https://evil.example' },
      body: 'x',
    });
    expect(foreign.status).toBe(403);
  });

  it('sweeps uploads nobody imported once they are a day old', async () => {
    const t = await uploadAll(C, { 'leaders.csv': tinyAs(C)['leaders.csv']! });
    const folder = join(work, t.prefix);
    expect(await exists(folder)).toBe(true);
    const store = (at: number) => localUploadStore({ root: work, baseUrl: () => server.url, now: () => at });
    // Half a day later: kept.
    expect(await store(Date.now() + STALE_UPLOAD_MS / 2).sweep()).toBe(0);
    // Busy (an import running on it): kept, however old.
    expect(await store(Date.now() + 2 * STALE_UPLOAD_MS).sweep((id) => id === t.importId)).toBe(0);
    expect(await store(Date.now() + 2 * STALE_UPLOAD_MS).sweep()).toBeGreaterThanOrEqual(1);
    expect(await exists(folder)).toBe(false);
  });
});

describe('a community whose id is Chinese (兴国县), through serve end to end', () => {
  it('imports from an upload, runs a month, serves its sheet and its settings', async () => {
    // Its first import is refused: followed all the same, though the community does not exist yet.
    const broken = tinyAs(CN);
    broken['finance.csv'] = broken['finance.csv']!.replace(/^(2026-01,[^,]+,[^,]+,)([\d.]+)/m, '$1abc');
    const refused = await importAndFollow(CN, (await uploadAll(CN, broken)).prefix);
    expect(refused).toMatchObject({ status: 'refused', communityId: CN });
    expect(refused.groups[0]).toMatchObject({ file: 'finance.csv', count: 1 });
    expect(await runtime.repos.communities.get(CN)).toBeUndefined();

    const t = await uploadAll(CN, tinyAs(CN));
    // The prefix is a safe key segment that no other community shares.
    expect(t.prefix.startsWith(`uploads/${ownerSegment(CN)}/office1/`)).toBe(true);
    expect(ownerSegment(CN)).not.toBe(ownerSegment('瑞金市'));
    const state = await importAndFollow(CN, t.prefix);
    expect(state).toMatchObject({ status: 'imported', communityId: CN, year: 2026 });

    const cycle = await api('POST', communityPath(CN, '/cycles'), {
      as: 'office1',
      body: { kind: 'monthly', period: '2026-01' },
    });
    expect(cycle.status).toBe(201);
    expect(cycle.json.cycle).toMatchObject({ period: '2026-01', status: 'completed' });

    const page = '/sheets/monthly/2026-01?format=json&page=1';
    const sheet = await api('GET', communityPath(CN, page), { as: 'hr1' });
    expect(sheet.status).toBe(200);
    expect(sheet.json).toMatchObject({ kind: 'monthly', period: '2026-01' });
    expect(sheet.json.rows.length).toBeGreaterThan(0);
    // county7 (same files, another community) has run no month: its sheet is not this one.
    expect((await api('GET', communityPath(C, page), { as: 'hr1' })).status).not.toBe(200);

    const chosen = await api('POST', communityPath(CN, '/settings/bank-format'), {
      as: 'hr1',
      body: { name: '批量代发' },
    });
    expect(chosen.status).toBe(200);
    const settings = await api('GET', communityPath(CN, '/settings'), { as: 'hr1' });
    expect(settings.json).toMatchObject({ bankFormat: '批量代发', updatedBy: 'hr1' });
    expect((await runtime.repos.audit.entries(CN)).map((e) => e.action)).toEqual(
      expect.arrayContaining(['dataset.import', 'settings.bank-format']),
    );
  }, 300_000);
});
