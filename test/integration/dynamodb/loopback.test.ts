/**
 * The embedded database answers this machine only (issue 13): DynamoDB Local has no bind option, so it
 * runs in a network namespace of its own behind a relay on 127.0.0.1. A connection to any non-loopback
 * address of the machine on its port is refused — and the same probe does reach a server started the
 * old way, which is what makes this test able to fail. Browser pages get no CORS grant either.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { findNetworkIsolation } from '../../../shared/local/dynamodb/java.js';
import { isAlive } from '../../../shared/local/dynamodb/lock.js';
import { withDynamoDbLocal } from '../../../shared/local/dynamodb-local.js';
import { createDynamoClients } from '../../../shared/store/client.js';

/** Every address of this machine that is not loopback (IPv4 and IPv6, link-local excepted). */
const outside = Object.values(networkInterfaces())
  .flat()
  .filter((a) => a !== undefined && !a.internal && !a.address.startsWith('fe80:'))
  .map((a) => a!.address);

function probe(host: string, port: number): Promise<'open' | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

const canIsolate = findNetworkIsolation() !== null;

describe.skipIf(outside.length === 0)('the embedded DynamoDB Local', () => {
  it.skipIf(!canIsolate)(
    'is refused on every non-loopback address of the machine and answers on 127.0.0.1',
    async () => {
      await withDynamoDbLocal({ isolate: true }, async (endpoint, server) => {
        expect(server.isolated).toBe(true);
        expect(new URL(endpoint).hostname).toBe('127.0.0.1');
        const { client } = createDynamoClients({ endpoint });
        try {
          expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
        } finally {
          client.destroy();
        }
        for (const address of outside) expect(await probe(address, server.port), address).not.toBe('open');
        // Nor is DynamoDB Local's own port (8000 inside its namespace) open anywhere on the machine.
        for (const address of ['127.0.0.1', ...outside])
          expect(await probe(address, 8000), address).not.toBe('open');

        // A web page in a browser of this machine gets no CORS grant to read the answer.
        const preflight = await fetch(endpoint, {
          method: 'OPTIONS',
          headers: {
            origin: 'http://evil.example',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type,x-amz-target,authorization',
          },
        });
        expect(preflight.headers.get('access-control-allow-origin')).not.toBe('*');
        expect(preflight.headers.get('access-control-allow-origin')).not.toBe('http://evil.example');

        // The relay owns the server: stopping ends both.
        const children = readFileSync(`/proc/${server.pid}/task/${server.pid}/children`, 'utf8')
          .trim()
          .split(/\s+/);
        expect(children.length).toBeGreaterThan(0);
        await server.stop();
        for (const pid of [server.pid, ...children.map(Number)])
          expect(isAlive(pid), `pid ${pid}`).toBe(false);
      });
    },
  );

  it('would be reachable from outside without the namespace (the probe sees an exposed port)', async () => {
    await withDynamoDbLocal({ isolate: false }, async (_endpoint, server) => {
      expect(server.isolated).toBe(false);
      expect(await probe(outside[0]!, server.port)).toBe('open');
    });
  });
});
