/** Opens the embedded default (or the endpoint given) for one CLI command and always closes it. */
import { type LocalRuntime, openLocalRuntime } from '../shared/local/runtime.js';

export interface StoreOptions {
  home?: string;
  endpoint?: string;
  table?: string;
}

export async function withRuntime<T>(
  options: StoreOptions & { inMemory?: boolean },
  fn: (rt: LocalRuntime) => Promise<T>,
): Promise<T> {
  const runtime = await openLocalRuntime({
    ...(options.home ? { home: options.home } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.table ? { tableName: options.table } : {}),
    ...(options.inMemory ? { inMemory: true } : {}),
  });
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}
