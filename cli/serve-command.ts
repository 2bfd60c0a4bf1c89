/**
 * `medcomm serve` as a command line entry: its options here, the server (cli/serve.ts) and the runtime
 * loaded when the command runs, so that parsing any other command never loads the API's modules.
 */
import type { Command } from 'commander';
import { preloadWorkflows } from './context.js';

export const DEFAULT_PORT = 8787;

/** Adds `medcomm serve` to the CLI (global --home/--endpoint/--table apply). */
export function registerServeCommand(program: Command): Command {
  return program
    .command('serve')
    .description('本地 HTTP API 与控制台 / serve the HTTP API (and the web console, if built) on 127.0.0.1')
    .option('--port <n>', '端口 port', String(DEFAULT_PORT))
    .action(async (o: { port: string }, cmd: Command) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`端口无效 / invalid port: ${o.port}`);
      const g = cmd.optsWithGlobals() as { home?: string; endpoint?: string; table?: string };
      const [{ startApiServer }, { describeUsers }, { openLocalStore, defaultHome }] = await Promise.all([
        import('./serve.js'),
        import('./serve-users.js'),
        import('../shared/local/runtime.js'),
      ]);
      // The state machines load while the database starts; the API starts cycles through them.
      const workflows = preloadWorkflows();
      const runtime = await openLocalStore({
        ...(g.home ? { home: g.home } : {}),
        ...(g.endpoint ? { endpoint: g.endpoint } : {}),
        ...(g.table ? { tableName: g.table } : {}),
        whileStarting: () => workflows,
      });
      let server: Awaited<ReturnType<typeof startApiServer>>;
      try {
        server = await startApiServer({
          repos: runtime.repos,
          executions: await workflows,
          port,
          // Uploaded dataset files wait in the data folder (with --endpoint: $MEDCOMM_HOME or ./.medcomm).
          uploads: { root: runtime.home ?? defaultHome() },
        });
      } catch (error) {
        await runtime.close();
        throw error;
      }
      console.log(`MedComm Pay API: ${server.url}/api  (数据 data: ${runtime.home ?? runtime.endpoint})`);
      console.log(
        `开发登录 Dev sign-in: POST ${server.url}/api/auth/dev-login {"user":"office1"} — ${describeUsers()}`,
      );
      console.log(
        `例 e.g. curl -s -X POST ${server.url}/api/auth/dev-login -H 'content-type: application/json' -d '{"user":"office1"}'`,
      );
      console.log('按 Ctrl+C 停止 / Ctrl+C stops the server');
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server
            .close()
            .then(() => runtime.close())
            .finally(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
