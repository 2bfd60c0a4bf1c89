/**
 * A local client under more requests than its HTTP agent has sockets (issue 12, the province month on
 * DynamoDB Local): the SDK starts a request's 2 s connection timer when the request is made, so requests
 * queued in the agent behind 50 slow ones used to fail with "did not establish a connection … within
 * 2000 ms" though the server accepted every connection. A stand-in for a busy DynamoDB Local (an HTTP
 * server that takes 0.7 s over each GetItem) gets far more requests than 50
 * at once: every one succeeds, and the server never sees more than the client's bound in flight.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClients, LOCAL_MAX_IN_FLIGHT } from '../../../shared/store/client.js';

/** How long the stand-in takes to answer each request. */
const WAVE_MS = 700;
let server: Server;
let endpoint: string;
let inFlight = 0;
let mostInFlight = 0;
let answered = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    request.resume();
    request.on('end', () => {
      // Slow like a loaded DynamoDB Local: each answer takes WAVE_MS, whatever else is in flight.
      setTimeout(() => {
        inFlight--;
        answered++;
        const body = JSON.stringify({ Item: { pk: { S: 'P' }, sk: { S: 'A' }, n: { N: String(answered) } } });
        response.writeHead(200, {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(body),
          'x-amzn-requestid': String(answered),
        });
        response.end(body);
      }, WAVE_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('a local client with more requests than sockets', () => {
  it('queues them itself: every request succeeds and the server sees at most the bound at once', async () => {
    const { doc, client } = createDynamoClients({ endpoint, maxAttempts: 1 });
    // Five waves behind the first: the last requests wait ~3.5 s for a socket, past the 2 s timer.
    const requests = 6 * LOCAL_MAX_IN_FLIGHT;
    const results = await Promise.allSettled(
      Array.from({ length: requests }, () =>
        doc.send(new GetCommand({ TableName: 'tbl', Key: { pk: 'P', sk: 'A' } })),
      ),
    );
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(failed.map((f) => String(f.reason?.message)).slice(0, 3)).toEqual([]);
    expect(answered).toBe(requests);
    expect(mostInFlight).toBeLessThanOrEqual(LOCAL_MAX_IN_FLIGHT);
    expect(mostInFlight).toBeGreaterThan(1);
    client.destroy();
  }, 60_000);

  it('a smaller bound is kept too', async () => {
    mostInFlight = 0;
    const { doc, client } = createDynamoClients({ endpoint, maxAttempts: 1, maxInFlight: 3 });
    await Promise.all(
      Array.from({ length: 12 }, () =>
        doc.send(new GetCommand({ TableName: 'tbl', Key: { pk: 'P', sk: 'A' } })),
      ),
    );
    expect(mostInFlight).toBeLessThanOrEqual(3);
    expect(mostInFlight).toBeGreaterThan(1);
    client.destroy();
  }, 60_000);
});
