/**
 * Calling the API handlers as API Gateway would (v2 events with the JWT authorizer's flattened claims),
 * over an in-memory stand-in for the repositories that holds just what the routes read and write.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { loadApiHandler } from '../../../functions/api/index.js';
import { configureApi } from '../../../shared/api/deps.js';
import { asGatewayClaims } from '../../../shared/api/dev-tokens.js';
import type { ApiResponse } from '../../../shared/api/http.js';
import { gatewayEvent } from '../../../shared/api/local-gateway.js';
import {
  type ExportSink,
  type ImportStarter,
  inlineExportSink,
  type JobStarter,
  type UploadStore,
} from '../../../shared/api/ports.js';
import {
  DEPLOYMENT_GROUPS,
  isCommunityRoute,
  ROUTES,
  type RouteKey,
  routeParts,
} from '../../../shared/api/roles.js';
import type { ExecutionPort } from '../../../shared/app/cycle-service.js';
import { sfnExecutionPort } from '../../../shared/app/sfn-port.js';
import {
  type LocalDownloads,
  type LocalJobStarter,
  localDownloads,
  localJobStarter,
} from '../../../shared/local/jobs.js';
import type { ApiJob } from '../../../shared/store/api-jobs.js';
import { type AuditEntry, verifyChain } from '../../../shared/store/audit.js';
import type { CycleRecord, CycleStatus, RunLease } from '../../../shared/store/cycles.js';
import type { Repositories } from '../../../shared/store/index.js';
import type { CycleKind } from '../../../shared/store/keys.js';

export const COMMUNITY = 'xingguo';

export const ARNS = {
  monthly: 'arn:aws:states:cn-north-1:111122223333:stateMachine:Monthly',
  quarterly: 'arn:aws:states:cn-north-1:111122223333:stateMachine:Quarterly',
  annual: 'arn:aws:states:cn-north-1:111122223333:stateMachine:Annual',
} as const;

export interface Who {
  user: string;
  groups: string[];
  /** Further claims, e.g. a member's `custom:institutionId` or a staff member's `custom:staffId`. */
  claims?: Record<string, string>;
  /**
   * The groups go into the token as written. Otherwise a community group is qualified with COMMUNITY
   * (`finance` → `xingguo:finance`), as the identity provider names it (tenancy, issue 12).
   */
  rawGroups?: boolean;
}

/** The groups as the token names them: community groups of COMMUNITY unless qualified already. */
export const tokenGroups = (who: Who): string[] =>
  who.rawGroups
    ? who.groups
    : who.groups.map((g) =>
        g.includes(':') || (DEPLOYMENT_GROUPS as readonly string[]).includes(g) ? g : `${COMMUNITY}:${g}`,
      );

export const as = (user: string, ...groups: string[]): Who => ({ user, groups });

export interface Call {
  as?: Who;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** Sent as is (e.g. malformed JSON), with `contentType`. */
  rawBody?: string;
  contentType?: string;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of many shapes
  json: any;
  bytes: Buffer;
}

export async function call(routeKey: RouteKey, options: Call = {}): Promise<Answer> {
  const { method, path } = routeParts(routeKey);
  // Community routes address COMMUNITY unless the call names another (`params.community`).
  const params = isCommunityRoute(routeKey)
    ? { community: COMMUNITY, ...options.params }
    : (options.params ?? {});
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(params[name] ?? `missing-${name}`),
  );
  const query = new URLSearchParams(options.query ?? {}).toString();
  const body = options.rawBody ?? (options.body === undefined ? '' : JSON.stringify(options.body));
  const contentType = options.contentType ?? (options.body !== undefined ? 'application/json' : undefined);
  const event = gatewayEvent(
    {
      method,
      url: `${filled}${query ? `?${query}` : ''}`,
      headers: contentType ? { 'content-type': contentType } : {},
      body: Buffer.from(body),
    },
    { routeKey, pathParameters: Object.keys(params).length ? params : {} },
    options.as
      ? asGatewayClaims({
          username: options.as.user,
          'cognito:groups': tokenGroups(options.as),
          ...options.as.claims,
        })
      : undefined,
  );
  const handler = await loadApiHandler(ROUTES[routeKey].group);
  const response: ApiResponse = await handler(event, {});
  const bytes = Buffer.from(response.body ?? '', response.isBase64Encoded ? 'base64' : 'utf8');
  const headers = Object.fromEntries(
    Object.entries(response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  let json: unknown;
  if ((headers['content-type'] ?? '').startsWith('application/json'))
    json = JSON.parse(bytes.toString('utf8'));
  return { status: response.statusCode ?? 200, headers, json, bytes };
}

// ---------------------------------------------------------------------------------------------------
// An in-memory stand-in for the repositories: the methods the API and the cycle service call.

export interface Staffer {
  staffId: string;
  name: string;
  institutionId: string;
  department: string;
  post: string;
  bankAccount?: string;
}

export interface FakeWorld {
  repos: Repositories;
  cycles: Map<string, CycleRecord>;
  audit: AuditEntry[];
  staff: Staffer[];
  /** Stored result items by `${kind}|${period}|r${revision}|${name}`. */
  results: Map<string, unknown>;
  addCycle(kind: CycleKind, period: string, status: CycleStatus, extra?: Partial<CycleRecord>): CycleRecord;
}

const cycleKey = (kind: string, period: string) => `${kind}|${period}`;
const resultKey = (ref: { kind: string; period: string; revision: number }, name: string) =>
  `${ref.kind}|${ref.period}|r${ref.revision}|${name}`;

export function fakeWorld(options: { imported?: boolean } = {}): FakeWorld {
  const imported = options.imported ?? true;
  const cycles = new Map<string, CycleRecord>();
  const runLeases = new Map<string, RunLease>();
  const audit: AuditEntry[] = [];
  const results = new Map<string, unknown>();
  const publications = new Map<string, unknown>();
  const staff: Staffer[] = [
    {
      staffId: 'C01-001',
      name: '张医生',
      institutionId: 'C01',
      department: '内科',
      post: 'doctor',
      bankAccount: '6222021234567891234',
    },
    {
      staffId: 'C01-002',
      name: '李护士',
      institutionId: 'C01',
      department: '护理部',
      post: 'nurse',
      bankAccount: '6222029876543210987',
    },
  ];
  const now = () => new Date().toISOString();
  // biome-ignore lint/suspicious/noExplicitAny: a record as the repository stores it
  const importJobs = new Map<string, any>();
  const apiJobs = new Map<string, ApiJob>();
  const world: FakeWorld = {
    cycles,
    audit,
    staff,
    results,
    addCycle(kind, period, status, extra = {}) {
      const record: CycleRecord = {
        communityId: COMMUNITY,
        kind,
        period,
        revision: 1,
        status,
        datasetVersion: 1,
        startedBy: 'office1',
        startedAt: now(),
        updatedAt: now(),
        version: 1,
        ...extra,
      };
      cycles.set(cycleKey(kind, period), record);
      return record;
    },
    repos: {
      // Import records (IMPORTJOB#): created once, changed until finished — as shared/store/imports.ts.
      imports: {
        get: async (id: string) => importJobs.get(id),
        create: async (job: { id: string; by: string; prefix: string }) => {
          if (importJobs.has(job.id))
            throw Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' });
          const record = { ...job, status: 'parsing', startedAt: now(), updatedAt: now() };
          importJobs.set(job.id, record);
          return record;
        },
        update: async (id: string, change: Record<string, unknown>) => {
          const record = importJobs.get(id);
          if (!record || ['imported', 'refused', 'failed'].includes(String(record.status)))
            throw Object.assign(new Error('finished'), { name: 'ConditionalCheckFailedException' });
          importJobs.set(id, { ...record, ...change, updatedAt: now() });
        },
      },
      communities: {
        get: async (id: string) => (imported && id === COMMUNITY ? { communityId: id } : undefined),
        list: async () => (imported ? [{ communityId: COMMUNITY }] : []),
      },
      datasets: {
        defaultCommunity: async () => (imported ? COMMUNITY : undefined),
        current: async () =>
          imported
            ? { communityId: COMMUNITY, version: 1, year: 2026, importedAt: now(), importedBy: 'office1' }
            : undefined,
        scheme: async () => ({ community: { id: COMMUNITY, name: '兴国县卫生健康总院' }, year: 2026 }),
        institutions: async () => [{ id: 'C01', name: '县人民医院', kind: 'county_hospital' }],
        indicators: async () => [],
        leaders: async () => [],
        rosters: async (_c: string, _v: number, institutionIds: readonly string[]) =>
          institutionIds.map((id) => staff.filter((s) => s.institutionId === id)),
        years: async () => (imported ? [2026] : []),
        headcounts: async () => ({ C01: staff.length }),
        // No deductions.csv (issue 16): the sheets are without 代扣/实发 and the bank pays the gross.
        deductions: async () => undefined,
        // Every month has a workload row for each person (the no-empty-month check passes).
        month: async (_c: string, _v: number, period: string) =>
          new Map([
            [
              'C01',
              {
                hash: 'fake',
                rows: {
                  workload: staff.map((s) => ({ period, staffId: s.staffId })),
                  values: [],
                  finance: [],
                  adjustments: [],
                },
              },
            ],
          ]),
        // The rows of every institution of a month (a cycle's start checks who has workload rows).
        monthRows: async (_c: string, _v: number, period: string) =>
          new Map([
            [
              'C01',
              {
                workload: staff.map((s) => ({ period, staffId: s.staffId })),
                values: [],
                finance: [],
                adjustments: [],
              },
            ],
          ]),
      },
      corrections: {
        list: async () => [],
        get: async () => undefined,
        differences: async () => [],
        postings: async () => [],
        postedAdjustments: async () => [],
      },
      cycles: {
        get: async (_c: string, kind: string, period: string) => cycles.get(cycleKey(kind, period)),
        list: async () => [...cycles.values()],
        listYear: async (_c: string, year: number) =>
          [...cycles.values()].filter((c) => c.period.startsWith(String(year))),
        locks: async () => [],
        yearLocks: async () => ({ months: [], quarters: [], year: undefined }),
        waiting: async () => [],
        start: async (input: { kind: CycleKind; period: string; by: string; datasetVersion: number }) => {
          const existing = cycles.get(cycleKey(input.kind, input.period));
          if (existing && !['rejected', 'failed'].includes(existing.status))
            return { cycle: existing, created: false };
          const cycle = world.addCycle(input.kind, input.period, 'running', {
            startedBy: input.by,
            datasetVersion: input.datasetVersion,
            revision: (existing?.revision ?? 0) + 1,
          });
          audit.push({
            actor: input.by,
            action: 'cycle.start',
            subject: `${input.kind} ${input.period} r${cycle.revision}`,
            details: { datasetVersion: input.datasetVersion },
            sequence: audit.length + 1,
            at: now(),
            previousHash: '',
            hash: '',
          });
          return { cycle, created: true };
        },
        // The run lease (shared/store/cycles.ts): one holder per cycle, as the store's conditional writes keep it.
        runLease: async (_c: string, kind: string, period: string) => runLeases.get(cycleKey(kind, period)),
        acquireRun: async (
          c: CycleRecord,
          request: { by: string; resume?: boolean; replacing?: RunLease },
        ) => {
          const key = cycleKey(c.kind, c.period);
          const held = runLeases.get(key);
          const current = cycles.get(key);
          if (held && held.holder !== request.replacing?.holder) return undefined;
          if (current?.status !== 'running' || current.version !== c.version) return undefined;
          const cycle = request.resume
            ? {
                ...current,
                attempt: (current.attempt ?? 0) + 1,
                resumedBy: request.by,
                version: current.version + 1,
              }
            : current;
          cycles.set(key, cycle);
          const at = now();
          const lease: RunLease = {
            communityId: c.communityId,
            kind: c.kind,
            period: c.period,
            revision: c.revision,
            attempt: (cycle.attempt ?? 0) + 1,
            holder: `fake-${runLeases.size}-${at}`,
            by: request.by,
            pid: process.pid,
            machine: 'fake',
            startedAt: at,
            heartbeatAt: at,
          };
          runLeases.set(key, lease);
          return { lease, cycle };
        },
        renewRun: async (lease: RunLease) =>
          runLeases.get(cycleKey(lease.kind, lease.period))?.holder === lease.holder,
        releaseRun: async (lease: RunLease) => {
          const key = cycleKey(lease.kind, lease.period);
          if (runLeases.get(key)?.holder === lease.holder) runLeases.delete(key);
        },
        transition: async (
          c: CycleRecord,
          from: CycleStatus[],
          to: CycleStatus,
          fields: Partial<CycleRecord> = {},
          audited?: Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'details'>,
        ) => {
          const current = cycles.get(cycleKey(c.kind, c.period))!;
          if (!from.includes(current.status))
            throw new Error(`fake: ${current.status} is not in ${from.join(',')}`);
          const next = { ...current, ...fields, status: to, version: current.version + 1 };
          cycles.set(cycleKey(c.kind, c.period), next);
          // As the store does: the entry in the same write as the change.
          if (audited)
            audit.push({ ...audited, sequence: audit.length + 1, at: now(), previousHash: '', hash: '' });
          return next;
        },
      },
      audit: {
        append: async (_c: string, entry: Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'details'>) => {
          const full = { ...entry, sequence: audit.length + 1, at: now(), previousHash: '', hash: '' };
          audit.push(full);
          return full;
        },
        entries: async () => audit,
        verify: async () => verifyChain(audit),
        read: async () => ({ check: verifyChain(audit), entries: audit }),
      },
      // As shared/store/api-jobs.ts: created queued, claimed once, ended once.
      apiJobs: {
        create: async (job: Pick<ApiJob, 'id' | 'communityId' | 'kind' | 'request' | 'by' | 'requestId'>) => {
          const record: ApiJob = { ...job, status: 'queued', createdAt: now(), updatedAt: now() };
          apiJobs.set(`${job.communityId}|${job.id}`, record);
          return { ...record };
        },
        get: async (c: string, id: string) => {
          const job = apiJobs.get(`${c}|${id}`);
          return job && structuredClone(job);
        },
        claim: async (c: string, id: string) => {
          const job = apiJobs.get(`${c}|${id}`);
          if (job?.status !== 'queued') return false;
          apiJobs.set(`${c}|${id}`, { ...job, status: 'running', startedAt: now(), updatedAt: now() });
          return true;
        },
        finish: async (c: string, id: string, end: Partial<ApiJob>) => {
          const job = apiJobs.get(`${c}|${id}`);
          if (!job || job.status === 'done' || job.status === 'failed') throw new Error('fake: job ended');
          apiJobs.set(`${c}|${id}`, { ...job, ...structuredClone(end), updatedAt: now(), finishedAt: now() });
        },
      },
      publications: {
        put: async (p: { kind: string; period: string }) => {
          publications.set(cycleKey(p.kind, p.period), p);
        },
        get: async (_c: string, kind: string, period: string) => publications.get(cycleKey(kind, period)),
        list: async () => [...publications.values()],
      },
      results: {
        document: async (ref: CycleRecord, name: string) => results.get(resultKey(ref, name)),
        institutions: async (ref: CycleRecord) => results.get(resultKey(ref, 'INST')) ?? [],
        payLines: async (ref: CycleRecord) => results.get(resultKey(ref, 'PAY')) ?? [],
        parts: async (ref: CycleRecord, prefix: string) => results.get(resultKey(ref, prefix)) ?? [],
      },
    } as unknown as Repositories,
  };
  return world;
}

export function putResult(world: FakeWorld, cycle: CycleRecord, name: string, value: unknown): void {
  world.results.set(resultKey(cycle, name), value);
}

/** A completed monthly cycle with two people paid. */
export function completedMonth(world: FakeWorld, period = '2026-01'): CycleRecord {
  const cycle = world.addCycle('monthly', period, 'completed');
  putResult(world, cycle, 'INST', [{ institutionId: 'C01' }]);
  putResult(world, cycle, 'REPORT', { period, revision: 1, datasetVersion: 1, totals: {}, institutions: [] });
  putResult(world, cycle, 'PAY', [
    {
      institutionId: 'C01',
      lines: [
        { staffId: 'C01-001', basic: 300000, reward: 123456, adjustment: 0, gross: 423456, points: '10' },
        { staffId: 'C01-002', basic: 280000, reward: 100001, adjustment: -500, gross: 379501, points: '8' },
      ],
    },
  ]);
  return cycle;
}

export interface Configured {
  world: FakeWorld;
  sfn: SFNClient;
  /** The jobs' runner in this process (shared/local/jobs.ts) and, with the default sink, their files. */
  jobs: LocalJobStarter;
  downloads: LocalDownloads;
}

let current: Configured | undefined;

/** Points the handlers at `world`, with the AWS ExecutionPort over an SFN client the test can mock. */
export function useWorld(
  world: FakeWorld,
  overrides: {
    executions?: ExecutionPort;
    exports?: ExportSink;
    uploads?: UploadStore;
    imports?: ImportStarter;
    /** Starts the API's jobs (default: the runner in this process, over `exports` or links kept here). */
    jobs?: JobStarter;
  } = {},
): Configured {
  const sfn = new SFNClient({
    region: 'cn-north-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
  });
  const downloads = localDownloads({ baseUrl: () => 'http://127.0.0.1:1' });
  const sink = overrides.exports ?? downloads.sink;
  const jobs = localJobStarter(() => ({ repos: world.repos, exports: sink }));
  configureApi({
    repos: world.repos,
    executions: overrides.executions ?? sfnExecutionPort(ARNS, sfn),
    exports: overrides.exports ?? inlineExportSink(),
    uploads: overrides.uploads,
    imports: overrides.imports,
    jobs: overrides.jobs ?? jobs,
  });
  current = { world, sfn, jobs, downloads };
  return current;
}

export interface JobAnswer {
  /** The answer of the route that started it (202). */
  started: Answer;
  /** `GET …/jobs/{id}` once the job ended, as its asker reads it. */
  job: Answer;
  /** The file of its link, when it made one and the link is one of this process's. */
  file?: { bytes: Buffer; contentType: string; filename: string };
}

/**
 * Calls a route that answers with a job (issue 12), waits for its runner, then reads the job as its asker
 * and fetches its file from the link. The start's answer is returned as it is when it is not a 202.
 */
export async function callJob(routeKey: RouteKey, options: Call = {}): Promise<JobAnswer> {
  const started = await call(routeKey, options);
  if (started.status !== 202) return { started, job: started };
  await current!.jobs.idle();
  const job = await call('GET /api/jobs/{id}', {
    as: options.as,
    params: {
      id: started.json.job.id,
      ...(options.params?.community ? { community: options.params.community } : {}),
    },
  });
  const url: string | undefined = job.json?.result?.download?.url;
  const stored = url ? current!.downloads.take(new URL(url).pathname) : undefined;
  return { started, job, ...(stored ? { file: stored } : {}) };
}
