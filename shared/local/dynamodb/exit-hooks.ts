/**
 * DynamoDB Local is a separate java process and is not killed when its parent dies. These hooks stop
 * every server we still own when this process exits, is interrupted or crashes. They are installed
 * only while a server runs, so a process without one keeps Node's default signal behaviour.
 */

type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function runAll(): void {
  for (const cleanup of [...cleanups]) {
    try {
      cleanup();
    } catch {
      // Exit paths must not throw; the remaining cleanups still have to run.
    }
  }
  cleanups.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  uninstall();
  // Our listener replaced Node's default "exit on signal"; if nobody else handles it, restore that.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onExit(): void {
  runAll();
}

function install(): void {
  process.on('exit', onExit);
  // The monitor observes without swallowing the error (an 'uncaughtException' listener would).
  process.on('uncaughtExceptionMonitor', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.off('exit', onExit);
  process.off('uncaughtExceptionMonitor', onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Registers a synchronous cleanup to run on exit; returns the function that unregisters it. */
export function onProcessExit(cleanup: Cleanup): () => void {
  if (cleanups.size === 0) install();
  cleanups.add(cleanup);
  return () => {
    if (cleanups.delete(cleanup) && cleanups.size === 0) uninstall();
  };
}
