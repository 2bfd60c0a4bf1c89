/**
 * `medcomm serve`: the HTTP API on this machine — the same handler modules as the Lambda functions,
 * behind a small node:http server that does what API Gateway does (route match, JWT check, v2 events)
 * over the embedded runtime (DynamoDB Local, the local state machines). A development sign-in issues
 * tokens for sample users of each role; exports come back as the response instead of S3 links.
 * Large dataset files are uploaded as on AWS (issue 12): `upload-url` gives signed PUT links to this
 * server's `/uploads/…` (shared/local/upload-store.ts: the data folder stands in for the import bucket)
 * and `import-from-upload` runs the import state machine on the local engine.
 * It also serves the web console from console/dist when that has been built.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ApiLambda, loadApiHandler } from '../functions/api/index.js';
import { allowAnyCommunity } from '../shared/api/auth.js';
import { configureApi, resetApi } from '../shared/api/deps.js';
import { asGatewayClaims, DEV_USERS, DevTokens, devGroups } from '../shared/api/dev-tokens.js';
import { contentDisposition } from '../shared/api/http.js';
import { gatewayEvent, matchRoute } from '../shared/api/local-gateway.js';
import type { ImportStarter, UploadReader } from '../shared/api/ports.js';
import { inlineExportSink } from '../shared/api/ports.js';
import { ROUTES, type RouteGroup } from '../shared/api/roles.js';
import type { ExecutionPort } from '../shared/app/cycle-service.js';
import type { ImportJobRef } from '../shared/app/import-workflow.js';
import { localDownloads, localJobStarter } from '../shared/local/jobs.js';
import type { LocalUploadStore } from '../shared/local/upload-store.js';
import type { Repositories } from '../shared/store/index.js';

import { DEFAULT_PORT as DEFAULT_PORT_NUMBER } from './serve-command.js';

export { DEFAULT_PORT } from './serve-command.js';

/** Bodies carry base64 dataset files; a county's workload file can be tens of MB. */
const MAX_BODY_BYTES = 256 * 1024 * 1024;
/** What is read of a request before it is authenticated (the sign-in's body, a refused request's). */
const MAX_ANONYMOUS_BODY_BYTES = 64 * 1024;
const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../console/dist/', import.meta.url));

export interface ApiServerOptions {
  repos: Repositories;
  executions: ExecutionPort;
  /** 0 picks a free port. */
  port?: number;
  /** Where the built web console is; served when it exists. */
  consoleDir?: string;
  tokens?: DevTokens;
  /**
   * Uploads (issue 12): the data folder their files and the import's chunks go under (never the system
   * temp folder). Without it, upload-url and import-from-upload answer 501 and files go in the body.
   */
  uploads?: {
    root: string;
    /** Per file (default 512 MB, what the import workflow accepts from an upload). */
    maxFileBytes?: number;
    /** The clock of the links and the sweep (a test moves it). */
    now?: () => number;
  };
}

export interface ApiServer {
  url: string;
  port: number;
  tokens: DevTokens;
  /** Resolves once every import and API job started so far has ended (an import's files removed). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** How often stale uploads are looked for (each is removed a day after it was last written). */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** CORS for the upload links: a console on another loopback port (Vite's dev server) PUTs here too. */
function uploadCors(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  return origin ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {};
}

interface Uploads {
  store: LocalUploadStore;
  imports: ImportStarter;
  /** A correction job's uploaded files (issue 12), read from their folder and removed once used. */
  reader: UploadReader;
  /** Whether an import started here is still running. */
  running(importId: string): boolean;
  idle(): Promise<void>;
  stop(): void;
}

/** The upload store and the import starter on `root`; the workflow's chunks wait in `root/import-chunks`. */
async function startUploads(
  options: NonNullable<ApiServerOptions['uploads']>,
  repos: Repositories,
  baseUrl: () => string,
): Promise<Uploads> {
  const [{ localUploadStore }, { localImportStarter }, { resetImportStaging }] = await Promise.all([
    import('../shared/local/upload-store.js'),
    import('../shared/local/import-starter.js'),
    import('../shared/app/import-workflow.js'),
  ]);
  const store = localUploadStore({ ...options, baseUrl });
  const starter = localImportStarter({
    uploads: options.root,
    folderOf: store.folderOf,
    // Imported or refused, the uploaded files have served their purpose.
    ended: (job) => store.remove(job.prefix),
  });
  // The import's steps read their staging from the environment, as on Lambda.
  const saved = process.env.MEDCOMM_IMPORT_CHUNKS;
  process.env.MEDCOMM_IMPORT_CHUNKS = join(resolve(options.root), 'import-chunks');
  resetImportStaging();
  const sweep = () => void store.sweep(starter.running).catch(() => undefined);
  sweep();
  const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
  sweeper.unref();
  return {
    store,
    reader: {
      async read(prefix) {
        const { folderImportStaging } = await import('../shared/local/import-staging.js');
        return folderImportStaging(join(resolve(options.root), 'import-chunks')).read(store.folderOf(prefix));
      },
      done: (prefix) => store.remove(prefix),
    },
    imports: {
      async start(job: ImportJobRef) {
        // A retried request after a restart: an import that ended is not run again (its files are gone).
        const record = await repos.imports.get(job.id);
        if (record && ['imported', 'refused', 'failed'].includes(record.status)) return;
        await starter.start(job);
      },
    },
    running: starter.running,
    idle: () => starter.idle(),
    stop() {
      clearInterval(sweeper);
      if (saved === undefined) delete process.env.MEDCOMM_IMPORT_CHUNKS;
      else process.env.MEDCOMM_IMPORT_CHUNKS = saved;
      resetImportStaging();
    },
  };
}

class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`body over ${limit} bytes`);
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  // A declared length over the limit is refused before a byte is read.
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new BodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** 127.0.0.1 (and the rest of 127/8), ::1 and localhost: the names this machine's browser uses for us. */
function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * DNS rebinding: a page from another site can make the browser send requests here under its own host
 * name (evil.example resolving to 127.0.0.1). Only loopback names are served, and a browser's Origin,
 * when sent, must be a loopback origin too (the console, or Vite's dev server on another port).
 */
function refusedOrigin(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (!host) return 'Host header missing';
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return `Host ${host} is not valid`;
  }
  if (!isLoopbackName(hostname)) return `Host ${host} is not this machine`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  try {
    const parsed = new URL(origin);
    if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && isLoopbackName(parsed.hostname))
      return undefined;
  } catch {
    // Unparseable (including "null" from a sandboxed page or a file): refused below.
  }
  return `Origin ${origin} is not this machine`;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function devLogin(tokens: DevTokens, body: Buffer): { status: number; body: unknown } {
  let input: { user?: unknown; role?: unknown; community?: unknown };
  try {
    input = JSON.parse(body.toString('utf8') || '{}') as typeof input;
    // null, a number, a string or an array is valid JSON but not a sign-in.
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new TypeError('not an object');
  } catch {
    return {
      status: 400,
      body: {
        error: '请求体不是有效的 JSON / the body is not valid JSON',
        issues: [{ path: 'body', message: 'invalid JSON' }],
      },
    };
  }
  const users = Object.entries(DEV_USERS)
    .map(([user, role]) => `${user} (${role})`)
    .join(', ');
  const user = typeof input.user === 'string' ? input.user : '';
  // Own names only: `constructor` or `__proto__` must not find something on Object.prototype.
  const role = Object.hasOwn(DEV_USERS, user) ? DEV_USERS[user] : undefined;
  if (!role) {
    return {
      status: 400,
      body: {
        error: `开发登录只接受示例用户 / dev sign-in is for the sample users: ${users}`,
        issues: [{ path: 'body.user', message: `one of ${Object.keys(DEV_USERS).join(', ')}` }],
      },
    };
  }
  if (input.role !== undefined && input.role !== role) {
    return {
      status: 400,
      body: {
        error: `${user} 的角色是 ${role} / ${user} has the role ${role}`,
        issues: [{ path: 'body.role', message: `${user} is ${role}` }],
      },
    };
  }
  if (input.community !== undefined && (typeof input.community !== 'string' || input.community === '')) {
    return {
      status: 400,
      body: {
        error: '医共体应为非空文字 / community must be a non-empty string',
        issues: [{ path: 'body.community', message: 'a community id' }],
      },
    };
  }
  // Tenancy: the role in the community named, else in every community on this machine (`*:role`).
  const communities = typeof input.community === 'string' ? [input.community] : [];
  const { token, expiresAt } = tokens.issue(user, role, Date.now(), communities);
  return {
    status: 200,
    body: { token, tokenType: 'Bearer', user, groups: devGroups(role, communities), expiresAt },
  };
}

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** A file of the built console, or its index.html for client-side routes; never outside the folder. */
async function serveStatic(dir: string, pathname: string, res: ServerResponse): Promise<void> {
  const root = resolve(dir);
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    relative = '/';
  }
  const candidate = normalize(join(root, relative));
  const inside = candidate === root || candidate.startsWith(root + sep);
  const file = inside && (await isFile(candidate)) ? candidate : join(root, 'index.html');
  if (!(await isFile(file))) {
    sendJson(res, 404, {
      error: '没有这个页面；控制台尚未构建 / not found (the web console has not been built: console/dist)',
    });
    return;
  }
  res.writeHead(200, { 'Content-Type': STATIC_TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const tokens = options.tokens ?? new DevTokens();
  // The sample users' `*:role` tokens hold in every community here (never on AWS).
  allowAnyCommunity(true);
  const consoleDir = options.consoleDir ?? DEFAULT_CONSOLE_DIR;
  let baseUrl = '';
  const uploads = options.uploads
    ? await startUploads(options.uploads, options.repos, () => baseUrl)
    : undefined;
  // The API's long work (issue 12): jobs run in this process's background, their files handed out as
  // links to `/downloads/…` here, as the RunApiJob function and the exports bucket's links do on AWS.
  const downloads = localDownloads({ baseUrl: () => baseUrl });
  const jobs = localJobStarter(() => ({
    repos: options.repos,
    exports: downloads.sink,
    // A correction's recompute runs the cycle's own steps here, as in the RunApiJob function.
    recompute: async (cycle, ids) =>
      (await import('../functions/recompute-period.js')).recomputePeriod(cycle, ids),
    ...(uploads ? { uploads: uploads.reader } : {}),
  }));
  configureApi({
    repos: options.repos,
    executions: options.executions,
    exports: inlineExportSink(),
    uploads: uploads?.store,
    imports: uploads?.imports,
    jobs,
  });
  const handlers = new Map<RouteGroup, Promise<ApiLambda>>();
  const handlerOf = (group: RouteGroup) => {
    let handler = handlers.get(group);
    if (!handler) {
      handler = loadApiHandler(group);
      handlers.set(group, handler);
    }
    return handler;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const refused = refusedOrigin(req);
    if (refused)
      return sendJson(res, 403, {
        error: `只接受本机访问 / only this machine may call this server: ${refused}`,
      });
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    if (uploads && url.pathname.startsWith('/uploads/')) {
      // Authorised by the link's signature alone, as a presigned PUT: no bearer token is looked at.
      const cors = uploadCors(req);
      if (method === 'OPTIONS') {
        res.writeHead(204, {
          ...cors,
          'Access-Control-Allow-Methods': 'PUT',
          'Access-Control-Allow-Headers': 'content-type',
          'Access-Control-Max-Age': '600',
        });
        return res.end();
      }
      if (method !== 'PUT') return sendJson(res, 405, { error: 'use PUT' }, { ...cors, Allow: 'PUT' });
      const answer = await uploads.store.receive(
        req,
        url,
        async (importId) =>
          uploads.running(importId) || (await options.repos.imports.get(importId)) !== undefined,
      );
      return sendJson(res, answer.status, answer.body, cors);
    }
    if (url.pathname.startsWith('/downloads/')) {
      // A job's file, by its link alone (an unguessable token that expires), as a presigned GET on AWS.
      const cors = uploadCors(req);
      if (method !== 'GET') return sendJson(res, 405, { error: 'use GET' }, { ...cors, Allow: 'GET' });
      const file = downloads.take(url.pathname);
      if (!file)
        return sendJson(
          res,
          404,
          {
            error:
              '下载链接无效或已过期，请重新导出 / the download link is unknown or has expired; export again',
          },
          cors,
        );
      res.writeHead(200, {
        ...cors,
        'Content-Type': file.contentType,
        'Content-Disposition': contentDisposition(file.filename, file.inline),
        'Content-Length': String(file.bytes.length),
        'Cache-Control': 'no-store',
      });
      return res.end(file.bytes);
    }
    if (!url.pathname.startsWith('/api/') && url.pathname !== '/api') {
      if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
      return serveStatic(consoleDir, url.pathname, res);
    }
    if (url.pathname === '/api/auth/dev-users' && method === 'GET') {
      return sendJson(res, 200, {
        users: Object.entries(DEV_USERS).map(([user, role]) => ({ user, groups: [role] })),
      });
    }
    if (url.pathname === '/api/auth/dev-login') {
      if (method !== 'POST') return sendJson(res, 405, { error: 'use POST' }, { Allow: 'POST' });
      const answer = devLogin(tokens, await readBody(req, MAX_ANONYMOUS_BODY_BYTES));
      return sendJson(res, answer.status, answer.body);
    }
    const match = matchRoute(method, url.pathname);
    if (!match.ok) {
      if (match.status === 400)
        return sendJson(res, 400, {
          error: `路径编码无效 / the path is not valid percent-encoding: ${url.pathname}`,
          issues: [{ path: 'path', message: 'malformed percent-encoding' }],
        });
      return match.status === 405
        ? sendJson(
            res,
            405,
            { error: `${method} not allowed on ${url.pathname}` },
            { Allow: match.allow!.join(', ') },
          )
        : sendJson(res, 404, { error: `没有这个接口 / no such route: ${method} ${url.pathname}` });
    }
    // What the gateway's JWT authorizer does: no valid token, no call to the function.
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const claims = bearer ? tokens.verify(bearer) : undefined;
    if (!claims) return sendJson(res, 401, { message: 'Unauthorized' }, { 'WWW-Authenticate': 'Bearer' });
    // Only now is the body read: an unauthenticated request costs no more than its headers.
    const body = await readBody(req, MAX_BODY_BYTES);
    const event = gatewayEvent(
      { method, url: req.url ?? '/', headers: req.headers, body, sourceIp: req.socket.remoteAddress },
      match,
      asGatewayClaims(claims),
    );
    const group = ROUTES[match.routeKey].group;
    const handler = await handlerOf(group);
    // No getRemainingTimeInMillis: middy then sets no early timeout, as a local run may take minutes.
    const response = await handler(event, {
      functionName: `local-api-${group}`,
      awsRequestId: event.requestContext.requestId,
    });
    const headers = Object.fromEntries(
      Object.entries(response.headers ?? {}).map(([k, v]) => [k, String(v)]),
    );
    res.writeHead(response.statusCode ?? 200, headers);
    res.end(
      response.body === undefined
        ? undefined
        : Buffer.from(response.body, response.isBase64Encoded ? 'base64' : 'utf8'),
    );
  };

  const server: Server = createServer((req, res) => {
    // A request refused before its body is read must not have the body read after the answer either
    // (Node would drain it to keep the connection): close the connection instead.
    if (req.headers['content-length'] || req.headers['transfer-encoding']) res.shouldKeepAlive = false;
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof BodyTooLarge) {
        const size = error.limit >= 1 << 20 ? `${error.limit >> 20} MB` : `${error.limit >> 10} KB`;
        return sendJson(res, 413, { error: `请求体超过 ${size} / the body is larger than ${size}` });
      }
      console.error(error);
      sendJson(res, 500, { error: '内部错误 / internal error' });
    });
  });
  // Development tokens are only as safe as the machine: listen on the loopback interface alone.
  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(options.port ?? DEFAULT_PORT_NUMBER, '127.0.0.1', () => ok());
    });
  } catch (error) {
    uploads?.stop();
    resetApi();
    allowAnyCommunity(false);
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: baseUrl,
    port,
    tokens,
    idle: async () => {
      await Promise.all([uploads?.idle(), jobs.idle()]);
    },
    close: async () => {
      await new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      });
      // The imports and jobs running end before the database they write to is closed by the caller.
      await Promise.all([uploads?.idle(), jobs.idle()]);
      downloads.clear();
      uploads?.stop();
      resetApi();
      allowAnyCommunity(false);
    },
  };
}
