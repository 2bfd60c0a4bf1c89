/**
 * The local server's guards (issue 13): only this machine's names in Host and Origin (DNS rebinding),
 * sample users looked up without the prototype chain, 400 (not 500) for a null or malformed sign-in
 * body and a malformed percent-encoded path, and no body read before authentication beyond 64 KB.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../../cli/serve.js';
import type { ExecutionPort } from '../../../shared/app/cycle-service.js';
import { type LocalStore, openLocalStore } from '../../../shared/local/runtime.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

let store: LocalStore;
let server: ApiServer;
const noCycles: ExecutionPort = {
  start: () => Promise.reject(new Error('no cycles in this test')),
  resume: () => Promise.reject(new Error('no cycles in this test')),
};

beforeAll(async () => {
  store = await openLocalStore({
    endpoint: dynamoEndpoint(),
    tableName: `guards-${randomBytes(4).toString('hex')}`,
  });
  server = await startApiServer({ repos: store.repos, executions: noCycles, port: 0 });
});
afterAll(async () => {
  await server?.close();
  await store?.close();
});

/** A request with exactly these headers (fetch would not let a test set Host). */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, method, path, headers, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const local = () => ({ host: `127.0.0.1:${server.port}` });
const login = (body: string, headers: Record<string, string> = {}) =>
  send('POST', '/api/auth/dev-login', { ...local(), 'content-type': 'application/json', ...headers }, body);

describe('medcomm serve refuses what is not from this machine', () => {
  it('answers loopback host names and refuses another Host (DNS rebinding) before signing anyone in', async () => {
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `[::1]:${server.port}`]) {
      expect((await login('{"user":"hr1"}', { host })).status, host).toBe(200);
    }
    for (const host of [
      `evil.example:${server.port}`,
      'evil.example',
      `192.168.1.20:${server.port}`,
      `127.0.0.1.evil.example`,
    ]) {
      const answer = await login('{"user":"hr1"}', { host });
      expect(answer.status, host).toBe(403);
      expect(answer.json.token).toBeUndefined();
      expect(String(answer.json.error)).toContain('only this machine');
    }
    // No Host at all: Node's HTTP/1.1 parser refuses it before our handler runs.
    expect((await send('GET', '/api/auth/dev-users', {})).status).toBe(400);
  });

  it('refuses a browser Origin other than this machine, and accepts the console and the dev server', async () => {
    expect((await login('{"user":"hr1"}', { origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
    expect((await login('{"user":"hr1"}', { origin: 'http://localhost:5173' })).status).toBe(200);
    for (const origin of ['http://evil.example', 'null', `http://evil.example:${server.port}`]) {
      const answer = await login('{"user":"hr1"}', { origin });
      expect(answer.status, origin).toBe(403);
      expect(answer.json.token).toBeUndefined();
    }
  });
});

describe('medcomm serve answers malformed requests with 400, not 500', () => {
  it('gives no token to names on the prototype chain', async () => {
    for (const user of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const answer = await login(JSON.stringify({ user }));
      expect(answer.status, user).toBe(400);
      expect(answer.json.token).toBeUndefined();
    }
  });

  it('refuses a null, array, number or malformed sign-in body', async () => {
    for (const body of ['null', '[]', '42', '"hr1"', '{"user":', '{"user": null}']) {
      const answer = await login(body);
      expect(answer.status, body).toBe(400);
      expect(answer.json.token).toBeUndefined();
    }
  });

  it('refuses a malformed percent-encoded path', async () => {
    const token = (await login('{"user":"hr1"}')).json.token as string;
    for (const path of [
      '/api/communities/x/sheets/monthly/%E0%A4%A',
      '/api/communities/x/sheets/monthly/%',
      '/api/communities/x/reports/monthly/%zz',
    ]) {
      const answer = await send('GET', path, { ...local(), authorization: `Bearer ${token}` });
      expect(answer.status, path).toBe(400);
      expect(String(answer.json.error)).toContain('percent-encoding');
    }
  });
});

describe('medcomm serve reads no large body before authentication', () => {
  it('refuses a sign-in body over 64 KB', async () => {
    const answer = await login(JSON.stringify({ user: 'hr1', pad: 'x'.repeat(70 * 1024) }));
    expect(answer.status).toBe(413);
  });

  it('answers 401 to an unauthenticated upload without waiting for its body', async () => {
    // Headers announce 100 MB and only a few bytes follow: an answer proves the body was not awaited.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write(
          `POST /api/communities/x/datasets HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n{"files":`,
        );
      });
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString('utf8');
        if (text.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
  });
});
