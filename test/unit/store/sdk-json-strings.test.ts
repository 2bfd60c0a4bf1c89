/**
 * The client's native writer of long strings (shared/store/sdk-json-strings.ts): a request body is the
 * SDK's own, byte for byte, for any strings — quotes, backslashes, control characters, Chinese text,
 * surrogate pairs and lone surrogates, short and long — and every client the store makes has it.
 */
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDynamoClients, LOCAL_AUTHORIZATION, LOCAL_CREDENTIALS } from '../../../shared/store/client.js';
import { FAST_STRING_CHARS, fastJsonStrings } from '../../../shared/store/sdk-json-strings.js';

const config = {
  region: 'local',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'k', secretAccessKey: 's' },
  maxAttempts: 1,
};

/** A client whose requests stop once serialized, handing back the body as bytes. */
function capturing(client: DynamoDBClient) {
  let body: Uint8Array | undefined;
  client.middlewareStack.add(
    () => async (args) => {
      const raw = (args.request as { body: unknown }).body;
      body = typeof raw === 'string' ? Buffer.from(raw) : new Uint8Array(raw as Uint8Array);
      throw new Error('captured');
    },
    { step: 'build', name: 'captureBody', priority: 'low' },
  );
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return async (command: BatchWriteCommand | PutCommand): Promise<Buffer> => {
    body = undefined;
    await expect(doc.send(command as BatchWriteCommand)).rejects.toThrow('captured');
    return Buffer.from(body!);
  };
}

const sdk = capturing(new DynamoDBClient(config));
const patchedClient = new DynamoDBClient(config);
const patched = fastJsonStrings(patchedClient);
const fast = capturing(patchedClient);

/** Any UTF-16 code units: ASCII and escapes often, Chinese, pairs and lone surrogates. */
const unit = fc.oneof(
  fc.constantFrom(0x22, 0x5c, 0x0a, 0x0d, 0x09, 0x08, 0x0c, 0x00, 0x1f, 0x7f, 0x2028),
  fc.integer({ min: 0x20, max: 0x7e }),
  fc.integer({ min: 0x4e00, max: 0x9fff }),
  fc.integer({ min: 0xd800, max: 0xdfff }),
  fc.integer({ min: 0, max: 0xffff }),
);
const text = (minLength: number) =>
  fc.array(unit, { minLength, maxLength: minLength + 600 }).map((units) => String.fromCharCode(...units));

describe('the client writes long strings natively, as the SDK would', () => {
  it('knows the SDK shape, and every client the store makes has it', () => {
    expect(patched).toBe(true);
    const { client } = createDynamoClients({ endpoint: config.endpoint });
    const writer = (client.config as unknown as { protocol: { serializer: { writeJsonString: unknown } } })
      .protocol.serializer;
    expect(Object.hasOwn(writer, 'writeJsonString')).toBe(true);
    client.destroy();
  });

  it('gives the SDK body byte for byte for any strings, in a BatchWriteItem and a PutItem', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(text(0), text(FAST_STRING_CHARS - 2), text(FAST_STRING_CHARS * 4)), {
          minLength: 1,
          maxLength: 5,
        }),
        async (strings) => {
          const items = strings.map((data, i) => ({
            pk: `P${i}`,
            sk: data.slice(0, 40),
            data,
            list: [data, { nested: data }],
            n: i,
          }));
          const batch = () =>
            new BatchWriteCommand({
              RequestItems: { t: items.map((Item) => ({ PutRequest: { Item } })) },
              ReturnConsumedCapacity: 'TOTAL',
            });
          expect((await fast(batch())).equals(await sdk(batch()))).toBe(true);
          const put = () => new PutCommand({ TableName: 't', Item: items[0]! });
          expect((await fast(put())).equals(await sdk(put()))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a 350 KB page of JSON text with Chinese names is the same body', async () => {
    const row = { staffId: 'C01-0001', name: '张三"李四\\王五', note: 'a\nb\tc\u0001', amount: '123.45' };
    const data = JSON.stringify(Array.from({ length: 2500 }, (_, i) => ({ ...row, i })));
    const command = () =>
      new BatchWriteItemCommand({
        RequestItems: {
          t: [{ PutRequest: { Item: { pk: { S: 'P' }, sk: { S: 'S' }, data: { S: data } } } }],
        },
      });
    const body = await fast(command() as unknown as BatchWriteCommand);
    expect(body.equals(await sdk(command() as unknown as BatchWriteCommand))).toBe(true);
    expect(JSON.parse(body.toString('utf8')).RequestItems.t[0].PutRequest.Item.data.S).toBe(data);
  });
});

describe('a large body is copied out of the writer, which keeps its buffer', () => {
  /** The bodies as the HTTP handler would get them (not copied), for several commands in turn. */
  async function rawBodies(client: DynamoDBClient, commands: BatchWriteItemCommand[]): Promise<Uint8Array[]> {
    const bodies: Uint8Array[] = [];
    client.middlewareStack.add(
      () => async (args) => {
        bodies.push((args.request as { body: Uint8Array }).body);
        throw new Error('captured');
      },
      { step: 'build', name: 'captureRawBody', priority: 'low' },
    );
    for (const command of commands) await expect(client.send(command)).rejects.toThrow('captured');
    return bodies;
  }

  it('each body stays what the SDK wrote after the next ones are serialized, of the same class', async () => {
    const page = (n: number, size: number) =>
      new BatchWriteItemCommand({
        RequestItems: {
          t: Array.from({ length: 3 }, (_, i) => ({
            PutRequest: {
              Item: { pk: { S: `P${n}` }, sk: { S: `S${i}` }, data: { S: `"${n}"王`.repeat(size) } },
            },
          })),
        },
      });
    // Large, larger, small (left to the SDK), large again: each body of the patched client is its own.
    const sizes = [20_000, 60_000, 10, 30_000];
    const commands = () => sizes.map((size, n) => page(n, size));
    const fastClient = new DynamoDBClient(config);
    fastJsonStrings(fastClient);
    const fastBodies = await rawBodies(fastClient, commands());
    const sdkBodies = await rawBodies(new DynamoDBClient(config), commands());
    for (let n = 0; n < sizes.length; n++) {
      expect(Buffer.from(fastBodies[n]!).equals(Buffer.from(sdkBodies[n]!)), `body ${n}`).toBe(true);
      expect(fastBodies[n]!.constructor).toBe(sdkBodies[n]!.constructor);
      expect(String(fastBodies[n])).toBe(String(sdkBodies[n]));
    }
    // The large ones do not share memory with each other.
    expect(fastBodies[0]!.buffer).not.toBe(fastBodies[1]!.buffer);
    expect(fastBodies[1]!.buffer).not.toBe(fastBodies[3]!.buffer);
  });
});

describe('a local client sends a fixed Authorization header, an AWS client signs', () => {
  /** The headers a request of this client is signed with. */
  async function signedHeaders(client: DynamoDBClient): Promise<Record<string, string>> {
    let headers: Record<string, string> = {};
    client.middlewareStack.add(
      () => async (args) => {
        headers = { ...(args.request as { headers: Record<string, string> }).headers };
        throw new Error('captured');
      },
      { step: 'finalizeRequest', name: 'captureSigned', priority: 'low' },
    );
    await expect(
      client.send(
        new BatchWriteItemCommand({ RequestItems: { t: [{ PutRequest: { Item: { pk: { S: 'P' } } } }] } }),
      ),
    ).rejects.toThrow('captured');
    return headers;
  }

  it('names the local key without hashing or signing anything, while a client for AWS signs the body hash', async () => {
    const { client: local } = createDynamoClients({ endpoint: config.endpoint, maxAttempts: 1 });
    const localHeaders = await signedHeaders(local);
    expect(localHeaders.authorization).toBe(LOCAL_AUTHORIZATION);
    expect(localHeaders.authorization).toContain(`Credential=${LOCAL_CREDENTIALS.accessKeyId}/`);
    expect(localHeaders['x-amz-content-sha256']).toBeUndefined();
    expect(localHeaders['user-agent']).toBeUndefined();
    local.destroy();
    const { client: aws } = createDynamoClients({ region: 'cn-north-1', maxAttempts: 1 });
    aws.config.credentials = async () => ({ accessKeyId: 'k', secretAccessKey: 's' });
    const awsHeaders = await signedHeaders(aws);
    expect(awsHeaders['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(awsHeaders.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=k\/.*Signature=[0-9a-f]{64}$/);
    expect(awsHeaders.authorization).not.toBe(LOCAL_AUTHORIZATION);
    expect(awsHeaders['user-agent']).toContain('aws-sdk-js');
    aws.destroy();
  });
});
