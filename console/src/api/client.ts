/**
 * Calls to the HTTP API with the signed-in user's token. Every refusal becomes an ApiError carrying the
 * API's own message (bilingual, and it says what to fix) and its issues, which the pages show as they are.
 */
import { API_BASE, tokenSource } from '../auth/token-source';

export class ApiError extends Error {
  override readonly name = 'ApiError' as const;
  constructor(
    readonly status: number,
    message: string,
    readonly issues: readonly unknown[] = [],
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};

/**
 * The community the console works in (tenancy, issue 12): every community route is sent under
 * `/api/communities/{community}`, so the pages keep writing `/api/cycles`; `/api/me` and the
 * commission's routes are outside every community. The app sets it from the URL and the selector.
 */
let community: string | undefined;
const listeners = new Set<(c: string | undefined) => void>();
const OUTSIDE_COMMUNITIES = /^\/api\/(me|commission|auth)(\/|\?|$)/;

export function currentCommunity(): string | undefined {
  return community;
}

/** `notify: false` from the app itself, which already follows its own choice. */
export function setCommunity(next: string | undefined, notify = true): void {
  if (next === community) return;
  community = next;
  if (notify) for (const listener of listeners) listener(next);
}

/** The app follows a community chosen elsewhere (the upload page's first import of a new community). */
export function onCommunityChange(listener: (c: string | undefined) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The path as the API serves it: a community route under the current community. */
export function addressed(path: string, target = community): string {
  if (!path.startsWith('/api/') || OUTSIDE_COMMUNITIES.test(path)) return path;
  if (!target) throw new ApiError(0, '请先选择医共体 / choose a community first');
  return `/api/communities/${encodeURIComponent(target)}${path.slice('/api'.length)}`;
}

/** The app signs the user out and shows the sign-in page when the API says the token is no good. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

async function send(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  target?: string,
): Promise<Response> {
  const url = `${API_BASE}${addressed(path, target ?? community)}`;
  const session = tokenSource.current();
  const headers: Record<string, string> = {};
  if (session) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, '无法连接服务器 / cannot reach the server');
  }
  if (response.ok) return response;
  let message = `HTTP ${response.status}`;
  let issues: unknown[] = [];
  try {
    const problem = (await response.json()) as { error?: string; message?: string; issues?: unknown[] };
    message = problem.error ?? problem.message ?? message;
    issues = problem.issues ?? [];
  } catch {
    // not JSON: keep the status line
  }
  if (response.status === 401) onUnauthorized();
  throw new ApiError(response.status, message, issues);
}

/** `community`: read from this community rather than the current one (a first import's own). */
export async function getJson<T>(path: string, community?: string): Promise<T> {
  return (await (await send('GET', path, undefined, community)).json()) as T;
}

/** `community`: send to this community rather than the current one (a first import names its own). */
export async function postJson<T>(path: string, body: unknown = {}, community?: string): Promise<T> {
  return (await (await send('POST', path, body, community)).json()) as T;
}

/** RFC 6266: prefer the UTF-8 `filename*`, fall back to the ASCII `filename`. */
export function filenameOf(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (utf8) {
    try {
      return decodeURIComponent(utf8);
    } catch {
      // fall through
    }
  }
  return /filename="([^"]+)"/i.exec(disposition)?.[1] ?? fallback;
}

/** A job of the API's long work (issue 12) as `GET …/jobs/{id}` answers it. */
export interface Job<T = unknown> {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  result?: {
    download?: { url: string; filename: string; contentType: string; expiresIn: number };
    json?: T;
  };
  error?: string;
  errorStatus?: number;
  issues?: unknown[];
}

const pause = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/**
 * Follows a job until it ends: polls `GET /api/jobs/{id}` (every second at first, then every few) and
 * returns the done job; a failed one becomes an ApiError with the job's own message and status.
 */
export async function awaitJob<T = unknown>(started: Job<T>): Promise<Job<T>> {
  let job = started;
  for (let polls = 0; job.status === 'queued' || job.status === 'running'; polls++) {
    await pause(polls < 10 ? 1000 : 3000);
    job = await getJson<Job<T>>(`/api/jobs/${encodeURIComponent(job.id)}`);
  }
  if (job.status === 'failed')
    throw new ApiError(job.errorStatus ?? 500, job.error ?? `job ${job.id} failed`, job.issues ?? []);
  return job;
}

/**
 * A route that answers with a job (a whole sheet, a bank file, audit verify: 202): starts it and waits
 * for it. A route that answers at once is returned as a done job with its JSON.
 */
export async function runJob<T = unknown>(path: string, body?: unknown): Promise<Job<T>> {
  const response = body === undefined ? await send('GET', path) : await send('POST', path, body);
  const answer = (await response.json()) as { job?: Job<T> } & T;
  if (response.status !== 202 || !answer.job)
    return { id: '', kind: '', status: 'done', result: { json: answer } };
  return awaitJob(answer.job);
}

/**
 * A job's JSON answer: on its record, or — when it was too large for the record (a province's simulation)
 * — its file through the link.
 */
export async function jobJson<T>(path: string, body?: unknown): Promise<T> {
  const job = await runJob<T>(path, body);
  const json = job.result?.json as (T & { truncated?: boolean }) | undefined;
  const url = job.result?.download?.url;
  if (json !== undefined && !json.truncated) return json;
  if (!url) throw new ApiError(500, 'no answer in the job / 任务没有结果');
  const response = await fetch(url);
  if (!response.ok) throw new ApiError(response.status, `HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** A job's file read as JSON (its link needs no token: a presigned S3 link, or the local server's). */
export async function jobFileJson<T>(path: string): Promise<T> {
  const job = await runJob(path);
  const url = job.result?.download?.url;
  if (!url) throw new ApiError(500, 'no file in the job / 任务没有文件');
  const response = await fetch(url);
  if (!response.ok) throw new ApiError(response.status, `HTTP ${response.status}`);
  return (await response.json()) as T;
}

export interface Downloaded {
  filename: string;
  /** Bank files: how many people the file leaves out (no account, a negative net); HR must pay them another way. */
  notTransferred?: number;
}

/**
 * Downloads a file route and hands it to the browser as a download: a job's link once the job is done
 * (whole sheets, bank files), a link in the answer (AWS), or the response itself (the dataset template).
 * The token travels in a header, so a plain link to the route would not do.
 */
export async function download(path: string, fallbackName: string): Promise<Downloaded> {
  const response = await send('GET', path);
  // Whole sheets and bank files are jobs (issue 12): 202, then the job's link once it is done.
  if (response.status === 202) {
    const started = (await response.json()) as { job: Job<{ notTransferredCount?: number }> };
    const job = await awaitJob(started.job);
    const link = job.result?.download;
    if (!link) throw new ApiError(500, 'no file in the job / 任务没有文件');
    triggerDownload(link.url, link.filename);
    const left = job.result?.json?.notTransferredCount;
    return left === undefined
      ? { filename: link.filename }
      : { filename: link.filename, notTransferred: left };
  }
  const contentType = response.headers.get('content-type') ?? '';
  // On AWS the export routes answer with a short-lived link (and, for a bank file, who was left out).
  if (contentType.startsWith('application/json')) {
    const answer = (await response.json()) as { url?: string; filename?: string; notTransferred?: unknown[] };
    if (answer.url) {
      const filename = answer.filename ?? fallbackName;
      triggerDownload(answer.url, filename);
      return answer.notTransferred
        ? { filename, notTransferred: answer.notTransferred.length }
        : { filename };
    }
  }
  const filename = filenameOf(response.headers.get('content-disposition'), fallbackName);
  const left = response.headers.get('x-not-transferred');
  const url = URL.createObjectURL(await response.blob());
  try {
    triggerDownload(url, filename);
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
  }
  return left === null ? { filename } : { filename, notTransferred: Number(left) };
}

function triggerDownload(href: string, name: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

/**
 * Opens a printable HTML report in a new tab. The tab is opened on the click itself (so no pop-up
 * blocker steps in) and shown the report once it has arrived with the user's token.
 */
export async function openPrintable(path: string): Promise<void> {
  const tab = window.open('', '_blank');
  try {
    const response = await send('GET', path);
    const contentType = response.headers.get('content-type') ?? '';
    let href: string;
    if (contentType.startsWith('application/json')) {
      const answer = (await response.json()) as { url?: string };
      if (!answer.url) throw new ApiError(response.status, 'no report link in the answer');
      href = answer.url;
    } else {
      href = URL.createObjectURL(await response.blob());
      setTimeout(() => URL.revokeObjectURL(href), 60_000);
    }
    if (tab) tab.location.href = href;
    else location.assign(href);
  } catch (error) {
    tab?.close();
    throw error;
  }
}
