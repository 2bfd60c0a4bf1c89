/**
 * Where DynamoDB Local's JVM keeps its temporary files. It unpacks its SQLite library (~0.9 MB,
 * `sqlite-<version>-<uuid>-libsqlite4java.so`) into java.io.tmpdir, which is /tmp whatever TMPDIR says,
 * and removes it only when the JVM exits normally: after `npm start` it sat in /tmp for as long as the
 * daemon idled, and a server killed outright left it there for good.
 *
 * A server with a data folder keeps them in a folder inside it instead, emptied when a server starts on
 * the folder (whose lock it holds: no other server uses it) and removed when the server ends. An
 * in-memory server (tests, benches) has no folder of its own: it uses the temp directory Node uses, so
 * TMPDIR is honoured as by everything else (and the test run's check of its temp folder sees the JVM's).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The folder inside a data folder; only files beside it are the database's (see daemon.ts's scratch). */
const JAVA_TEMP_DIR = 'java-tmp';

export interface JavaTemp {
  /** The folder: java.io.tmpdir, and SQLite's own temporary files (opened and unlinked at once). */
  dir: string;
  /** The JVM option that points java.io.tmpdir at `dir`. */
  option: string;
  /** The environment that points SQLite at `dir` (else /var/tmp, on disk). */
  env: { SQLITE_TMPDIR: string };
  /** Removes the folder when it is the server's own (once the server has exited). */
  remove(): void;
}

export function prepareJavaTemp(dataDir: string | undefined): JavaTemp {
  if (dataDir === undefined) return javaTemp(tmpdir(), () => undefined);
  const dir = join(dataDir, JAVA_TEMP_DIR);
  // What a server killed outright left behind: its SQLite library, unpacked under a name of its own.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { mode: 0o700 });
  return javaTemp(dir, () => rmSync(dir, { recursive: true, force: true }));
}

const javaTemp = (dir: string, remove: () => void): JavaTemp => ({
  dir,
  option: `-Djava.io.tmpdir=${dir}`,
  env: { SQLITE_TMPDIR: dir },
  remove,
});
