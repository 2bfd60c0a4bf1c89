/**
 * Test isolation on the run's one DynamoDB Local: every caller gets its own freshly created table,
 * so test files can run in parallel without seeing each other's items.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDynamoClients } from '../../../shared/store/client.js';
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
