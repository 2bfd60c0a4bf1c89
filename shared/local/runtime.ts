/**
 * The embedded default on one machine: DynamoDB Local (persistent under MEDCOMM_HOME or ./.medcomm, or
 * in memory for tests), the table, the repositories and the local workflows — all closed together.
 */

import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { resetStore, store } from '../config.js';
import { createDynamoClients } from '../store/client.js';
import type { Repositories } from '../store/index.js';
import { ensureTable, TABLE_NAME_DEFAULT } from '../store/table.js';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.js';
import { type LocalWorkflowOptions, LocalWorkflows } from './workflows.js';

export interface LocalRuntimeOptions {
  /** Data folder; default $MEDCOMM_HOME or ./.medcomm. Ignored with `inMemory` or `endpoint`. */
  home?: string;
  inMemory?: boolean;
  /** Use this DynamoDB instead of starting one (e.g. another DynamoDB Local, or AWS). */
  endpoint?: string;
  tableName?: string;
  workflows?: LocalWorkflowOptions;
}

export interface LocalRuntime {
  repos: Repositories;
  workflows: LocalWorkflows;
  endpoint: string | undefined;
  home: string | undefined;
  close(): Promise<void>;
}

export function defaultHome(): string {
  return resolve(process.env.MEDCOMM_HOME ?? join(process.cwd(), '.medcomm'));
}

export async function openLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  let endpoint = options.endpoint ?? process.env.MEDCOMM_DYNAMODB_ENDPOINT;
  const home = options.inMemory || endpoint ? undefined : (options.home ?? defaultHome());
  let starting: Promise<DynamoDbLocal> | undefined;
  if (!endpoint) {
    const dataDir = home ? join(home, 'dynamodb') : undefined;
    if (dataDir) await mkdir(dataDir, { recursive: true });
    let spawned!: () => void;
    const javaSpawned = new Promise<void>((resolveSpawn) => {
      spawned = resolveSpawn;
    });
    starting = startDynamoDbLocal({ ...(dataDir ? { dataDir } : {}), onSpawn: spawned });
    // Synthesizing the state machines is ~2 s of CPU in this process: do it while the JVM boots.
    await Promise.race([javaSpawned, starting.catch(() => undefined)]);
  }
  const [serverStart, workflowsStart] = await Promise.allSettled([
    starting,
    LocalWorkflows.create(options.workflows),
  ]);
  const server = serverStart.status === 'fulfilled' ? serverStart.value : undefined;
  endpoint ??= server?.endpoint;
  const tableName = options.tableName ?? process.env.TABLE_NAME ?? TABLE_NAME_DEFAULT;
  try {
    if (serverStart.status === 'rejected') throw serverStart.reason;
    if (workflowsStart.status === 'rejected') throw workflowsStart.reason;
    const { client } = createDynamoClients({ endpoint });
    await ensureTable(client, tableName);
    client.destroy();
    // The handlers read their configuration from the environment, as they do in Lambda.
    process.env.DYNAMODB_ENDPOINT = endpoint;
    process.env.TABLE_NAME = tableName;
    resetStore();
    const repos = store();
    return {
      repos,
      workflows: workflowsStart.value,
      endpoint,
      home,
      async close() {
        repos.table.doc.destroy();
        resetStore();
        await server?.stop();
      },
    };
  } catch (error) {
    await server?.stop();
    throw error;
  }
}
