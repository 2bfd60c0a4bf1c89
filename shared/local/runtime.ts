/**
 * The embedded default on one machine: DynamoDB Local (persistent under MEDCOMM_HOME or ./.medcomm, or
 * in memory for tests), the table, the repositories and the local workflows — all closed together.
 * `openLocalStore` opens the database alone: commands that only read (status, exports, audit) load no
 * state machine, no handler and no CDK.
 */

import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { resetStore, store } from '../config.js';
import { configureAuditSecrets, rememberAuditHeads } from '../store/audit.js';
import { createDynamoClients } from '../store/client.js';
import type { Repositories } from '../store/index.js';
import { ensureTable, TABLE_NAME_DEFAULT } from '../store/table.js';
import { localAuditSecrets } from './audit-secrets.js';
import { acquireDaemon, type DaemonLease, daemonEnabled, defaultHome } from './daemon.js';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.js';
import type { LocalWorkflowOptions, LocalWorkflows } from './workflows.js';

export interface LocalStoreOptions {
  /** Data folder; default $MEDCOMM_HOME or ./.medcomm. Ignored with `inMemory` or `endpoint`. */
  home?: string;
  inMemory?: boolean;
  /** Use this DynamoDB instead of starting one (e.g. another DynamoDB Local, or AWS). */
  endpoint?: string;
  tableName?: string;
}

export interface LocalRuntimeOptions extends LocalStoreOptions {
  workflows?: LocalWorkflowOptions;
}

export interface LocalStore {
  repos: Repositories;
  endpoint: string | undefined;
  home: string | undefined;
  close(): Promise<void>;
}

export interface LocalRuntime extends LocalStore {
  workflows: LocalWorkflows;
}

export { defaultHome };

/**
 * The database and the repositories. `whileStarting` runs once the JVM is spawned, before it answers
 * (CPU-bound work such as loading the state machines overlaps its boot); its failure fails the open.
 */
export async function openLocalStore(
  options: LocalStoreOptions & { whileStarting?: () => Promise<unknown> } = {},
): Promise<LocalStore> {
  let endpoint = options.endpoint ?? process.env.MEDCOMM_DYNAMODB_ENDPOINT;
  const home = options.inMemory || endpoint ? undefined : (options.home ?? defaultHome());
  let starting: Promise<DynamoDbLocal> | undefined;
  let lease: DaemonLease | undefined;
  if (home && daemonEnabled()) {
    // The folder's warm database (started now if none runs); side work overlaps a cold start.
    await secureHome(home);
    const [leased, sideWork] = await Promise.allSettled([acquireDaemon(home), options.whileStarting?.()]);
    if (leased.status === 'fulfilled') lease = leased.value;
    if (leased.status === 'rejected') throw leased.reason;
    if (sideWork.status === 'rejected') {
      lease?.release();
      throw sideWork.reason;
    }
    endpoint = lease!.endpoint;
    try {
      return await openTable(endpoint, options, home, async () => lease?.release());
    } catch (error) {
      lease?.release();
      throw error;
    }
  }
  if (!endpoint) {
    const dataDir = home ? join(home, 'dynamodb') : undefined;
    if (home) await secureHome(home);
    let spawned!: () => void;
    const javaSpawned = new Promise<void>((resolveSpawn) => {
      spawned = resolveSpawn;
    });
    starting = startDynamoDbLocal({ ...(dataDir ? { dataDir } : {}), onSpawn: spawned });
    await Promise.race([javaSpawned, starting.catch(() => undefined)]);
  }
  const [serverStart, sideWork] = await Promise.allSettled([starting, options.whileStarting?.()]);
  const server = serverStart.status === 'fulfilled' ? serverStart.value : undefined;
  endpoint ??= server?.endpoint;
  try {
    if (serverStart.status === 'rejected') throw serverStart.reason;
    if (sideWork.status === 'rejected') throw sideWork.reason;
    return await openTable(endpoint!, options, home, async () => server?.stop());
  } catch (error) {
    await server?.stop();
    throw error;
  }
}

/** The store holds bank accounts: its folders are this user's only, also when made before this rule. */
async function secureHome(home: string): Promise<void> {
  const dataDir = join(home, 'dynamodb');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await Promise.all([chmod(home, 0o700), chmod(dataDir, 0o700)]);
}

async function openTable(
  endpoint: string,
  options: LocalStoreOptions,
  home: string | undefined,
  release: () => Promise<void>,
): Promise<LocalStore> {
  const tableName = options.tableName ?? process.env.TABLE_NAME ?? TABLE_NAME_DEFAULT;
  const { client } = createDynamoClients({ endpoint });
  try {
    await ensureTable(client, tableName);
  } finally {
    client.destroy();
  }
  // The audit chain's key and anchors live in the data folder, outside the database (none in memory).
  configureAuditSecrets(home ? await localAuditSecrets(home) : {});
  // This process writes almost every entry of its chains: an append starts from the head it left.
  rememberAuditHeads();
  // The handlers read their configuration from the environment, as they do in Lambda.
  process.env.DYNAMODB_ENDPOINT = endpoint;
  process.env.TABLE_NAME = tableName;
  resetStore();
  const repos = store();
  return {
    repos,
    endpoint,
    home,
    async close() {
      repos.table.doc.destroy();
      resetStore();
      await release();
    },
  };
}

/** The database, the repositories and the local state machines. */
export async function openLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  let workflows: LocalWorkflows | undefined;
  const opened = await openLocalStore({
    ...options,
    // Loading the state machines and their handlers is CPU work in this process: do it while the JVM boots.
    whileStarting: async () => {
      const { LocalWorkflows } = await import('./workflows.js');
      workflows = await LocalWorkflows.create(options.workflows);
    },
  });
  return { ...opened, workflows: workflows! };
}
