/**
 * Opens the embedded default (or the endpoint given) for one CLI command and always closes it. The state
 * machines are loaded only when a command starts or resumes a cycle (or when main.ts preloads them for a
 * cycle command while the database starts): reading commands load neither them, their handlers nor CDK.
 */
import type { ExecutionPort } from '../shared/app/cycle-service.js';
import type { SecondaryPort } from '../shared/app/secondary-service.js';
import type { LocalStore } from '../shared/local/runtime.js';
import type { LocalWorkflows } from '../shared/local/workflows.js';

export interface StoreOptions {
  home?: string;
  endpoint?: string;
  table?: string;
}

/** What a command gets: the repositories, and the cycles' execution port (loaded on first use). */
export interface CliRuntime extends LocalStore {
  workflows: ExecutionPort & Required<SecondaryPort>;
}

let loading: Promise<LocalWorkflows> | undefined;

/** Starts loading the local state machines (from the definitions cache) and their handlers. */
export function preloadWorkflows(): Promise<LocalWorkflows> {
  loading ??= import('../shared/local/workflows.js').then(({ LocalWorkflows }) => LocalWorkflows.create());
  // Observed here so a command that never runs a cycle does not report an unhandled rejection.
  loading.catch(() => undefined);
  return loading;
}

/**
 * Starts the data folder's warm database, if the command will use it and none runs, before the command
 * loads its own modules: the JVM boots meanwhile (issue 17: `status` with the database cold). Never
 * fails — opening the store reports any problem as before.
 */
export function prestartDatabase(options: StoreOptions): void {
  if (options.endpoint || process.env.MEDCOMM_DYNAMODB_ENDPOINT) return;
  import('../shared/local/daemon.js')
    .then(({ daemonEnabled, defaultHome, prestartDaemon }) => {
      if (daemonEnabled()) prestartDaemon(options.home ?? defaultHome());
    })
    .catch(() => undefined);
}

/** An ExecutionPort that loads the state machines the first time a cycle is started or resumed. */
export const lazyWorkflows: ExecutionPort & Required<SecondaryPort> = {
  async resumeSecondary(cycle, window) {
    return (await preloadWorkflows()).resumeSecondary(cycle, window);
  },
  async start(kind, input) {
    return (await preloadWorkflows()).start(kind, input);
  },
  async resume(cycle, decision) {
    return (await preloadWorkflows()).resume(cycle, decision);
  },
};

export async function withRuntime<T>(
  options: StoreOptions & { inMemory?: boolean },
  fn: (rt: CliRuntime) => Promise<T>,
): Promise<T> {
  const { openLocalStore } = await import('../shared/local/runtime.js');
  const store = await openLocalStore({
    ...(options.home ? { home: options.home } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.table ? { tableName: options.table } : {}),
    ...(options.inMemory ? { inMemory: true } : {}),
    // A preloaded cycle command waits for its state machines here, while the JVM boots.
    ...(loading ? { whileStarting: () => loading as Promise<unknown> } : {}),
  });
  try {
    return await fn({ ...store, workflows: lazyWorkflows });
  } finally {
    await store.close();
  }
}
