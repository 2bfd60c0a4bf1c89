/**
 * Test isolation on the run's one DynamoDB Local: every caller gets its own freshly created table,
 * so test files can run in parallel without seeing each other's items.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDynamoClients } from '../../../shared/store/client.js';
import { Table } from '../../../shared/store/store.js';
import { ensureTable } from '../../../shared/store/table.js';

export interface FreshTable {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** A table name no other test uses. */
  table: string;
  endpoint: string;
}

/** The endpoint of the DynamoDB Local started by test/integration/global-setup.ts. */
export function dynamoEndpoint(): string {
  const endpoint = inject('dynamoEndpoint');
  if (!endpoint) {
    throw new Error(
      'No DynamoDB Local for this run: add test/integration/global-setup.ts to globalSetup in ' +
        'vitest.config.ts, or set MEDCOMM_DYNAMODB_ENDPOINT.',
    );
  }
  return endpoint;
}

/** Creates a uniquely named table with the real schema (shared/store/table.ts) and clients for it. */
export async function freshTable(prefix = 'test'): Promise<FreshTable> {
  const endpoint = dynamoEndpoint();
  const { client, doc } = createDynamoClients({ endpoint });
  const table = `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  await ensureTable(client, table);
  return { client, doc, table, endpoint };
}

/** A fresh table seen through the store's AWS-limits mode (shared/store/aws-limits.ts), and without it. */
export interface LimitedTable {
  fresh: FreshTable;
  /** Through the model: items over 400 KB and a key's throughput past AWS's are refused as AWS does. */
  table: Table;
  /** The same table without the model: to look at (or plant) what was stored. */
  plain: Table;
  /** Another Table on the model's client (e.g. one whose methods a test replaces). */
  another(): Table;
  close(): void;
}

export async function limitedTable(prefix: string): Promise<LimitedTable> {
  const fresh = await freshTable(prefix);
  const limited = createDynamoClients({ endpoint: fresh.endpoint, awsLimits: true });
  return {
    fresh,
    table: new Table(limited.doc, fresh.table),
    plain: new Table(fresh.doc, fresh.table),
    another: () => new Table(limited.doc, fresh.table),
    close() {
      limited.client.destroy();
      fresh.client.destroy();
    },
  };
}
