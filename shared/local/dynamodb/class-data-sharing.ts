/**
 * A class-data-sharing archive (AppCDS) for DynamoDB Local: the JVM maps the classes it loaded during a
 * recorded start instead of reading and verifying them from ~60 jars again, which is most of a cold start
 * (issue 17: `medcomm status` with the database cold). Made once at install (bin/build.mjs), next to the
 * CLI's build, and used only when it matches the jar and the java it was made with; otherwise the server
 * starts as before. The JVM itself re-checks the archive (`-Xshare:auto`) and ignores one that does not fit.
 *
 * The shipped jar cannot be archived as it is: its manifest puts `.` (its own, non-empty folder) on the
 * class path, which CDS refuses. The archive is therefore made for a copy of the jar whose manifest lists
 * the same libraries by absolute location, minus `.` and `log4j2.xml` (a resource, not a class source;
 * without it the server logs at its built-in defaults, which we drain and ignore).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from './free-port.js';
import type { DynamoDbLocalJar } from './java.js';
import { prepareJavaTemp } from './java-temp.js';

export interface SharedArchive {
  /** The jar to run (the copy the archive was made for). */
  jar: string;
  /** JVM options that map the archive. */
  javaOptions: string[];
}

const TABLE = 'medcomm-cds';

/** Class-path entries of the shipped manifest that CDS cannot take. */
const NOT_ARCHIVABLE = new Set(['.', 'log4j2.xml']);

/** The files the archive depends on: a changed jar or java makes a new key (and the old archive unused). */
function archiveKey(jar: DynamoDbLocalJar, java: string): string {
  const hash = createHash('sha256');
  for (const path of [jar.jar, realpathSync(java)]) {
    const { size, mtimeMs } = statSync(path);
    hash.update(`${path}\0${size}\0${mtimeMs}\0`);
  }
  return hash.digest('hex').slice(0, 16);
}

function archiveFiles(cacheDir: string, key: string) {
  const dir = join(cacheDir, `dynamodb-cds-${key}`);
  return { dir, jar: join(dir, 'DynamoDBLocal.jar'), archive: join(dir, 'classes.jsa') };
}

/** Where the install keeps it: beside the CLI's build (bin/build.mjs), not in the system temp folder. */
export const DEFAULT_CACHE_DIR = fileURLToPath(new URL('../../../.build/', import.meta.url));

/** The archive for this jar and java, if one was made; never throws (a start without it still works). */
export function sharedArchiveFor(
  cacheDir: string | undefined,
  jar: DynamoDbLocalJar,
  java: string,
): SharedArchive | undefined {
  if (cacheDir === undefined || process.env.MEDCOMM_NO_CDS === '1') return undefined;
  try {
    const files = archiveFiles(cacheDir, archiveKey(jar, java));
    if (!existsSync(files.archive)) return undefined;
    return { jar: files.jar, javaOptions: [`-XX:SharedArchiveFile=${files.archive}`, '-Xshare:auto'] };
  } catch {
    return undefined;
  }
}

/** Manifest lines are at most 72 bytes; longer values continue on lines that start with a space. */
function manifestLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  const parts: string[] = [];
  for (let at = 0, width = 72; at < bytes.length; at += width, width = 71)
    parts.push((at === 0 ? '' : ' ') + bytes.subarray(at, at + width).toString('latin1'));
  return parts.join('\r\n');
}

/**
 * A class-path entry CDS can follow. The JVM's archive code joins a manifest entry to the jar's folder as
 * a plain path (JDK 17 reads no `file:` URL there: such libraries load, but none of their classes is
 * archived), while the class loader reads it as a relative URL: a relative path whose characters mean
 * the same to both. Elsewhere (a space, `%`, `#` in the install's path) an absolute file URL, which runs
 * as well but leaves the libraries out of the archive.
 */
function classPathEntry(library: string, copyDir: string | undefined): string {
  if (copyDir !== undefined) {
    const path = relative(copyDir, library).split(sep).join('/');
    if (/^[A-Za-z0-9._\-/+@]+$/.test(path)) return path;
  }
  return pathToFileURL(library).href;
}

/** Native libraries the shipped manifest lists on the class path: no classes in them. */
const NOT_A_CLASS_SOURCE = /\.(so|dylib|dll)$/;

/**
 * The shipped manifest with the class path spelled out from the copy's folder (copyDir) to the libraries
 * beside the shipped jar (jarDir); without copyDir, as absolute file URLs.
 */
export function archivableManifest(manifest: string, jarDir: string, copyDir?: string): string {
  const unfolded: string[] = [];
  for (const line of manifest.replace(/\r\n/g, '\n').split('\n')) {
    if (line.startsWith(' ') && unfolded.length > 0) unfolded[unfolded.length - 1] += line.slice(1);
    else if (line !== '') unfolded.push(line);
  }
  const lines = unfolded.map((line) => {
    if (!line.startsWith('Class-Path:')) return line;
    const entries = line
      .slice('Class-Path:'.length)
      .trim()
      .split(/\s+/)
      .filter((entry) => !NOT_ARCHIVABLE.has(entry) && !NOT_A_CLASS_SOURCE.test(entry))
      .map((entry) => classPathEntry(join(jarDir, entry), copyDir));
    return `Class-Path: ${entries.join(' ')}`;
  });
  return `${lines.map(manifestLine).join('\r\n')}\r\n\r\n`;
}

/**
 * Records a start on a data folder (as commands run it; an in-memory server loads a subset) and the
 * requests commands make (tables, a GSI, time to live, puts, updates, batches, transactions, queries,
 * scans), then stops the server: the JVM writes the classes it loaded into the archive as it exits.
 */
async function recordStart(
  java: string,
  jar: string,
  nativeLibs: string,
  archive: string,
  javaToolOptions: string,
  dataDir: string,
) {
  const {
    DynamoDBClient,
    CreateTableCommand,
    PutItemCommand,
    QueryCommand,
    BatchWriteItemCommand,
    TransactWriteItemsCommand,
    GetItemCommand,
    BatchGetItemCommand,
    DeleteItemCommand,
    DescribeTableCommand,
    DescribeTimeToLiveCommand,
    ListTablesCommand,
    ScanCommand,
    UpdateItemCommand,
    UpdateTimeToLiveCommand,
  } = await import('@aws-sdk/client-dynamodb');
  const port = await freePort();
  // Its temporary files (the unpacked SQLite library, SQLite's own) in the recording's folder, removed with it.
  const javaTemp = prepareJavaTemp(dataDir);
  const child = spawn(
    java,
    [
      `-XX:ArchiveClassesAtExit=${archive}`,
      `-Djava.library.path=${nativeLibs}`,
      javaTemp.option,
      '-jar',
      jar,
      '-port',
      String(port),
      '-dbPath',
      dataDir,
      '-sharedDb',
      '-disableTelemetry',
    ],
    {
      stdio: ['ignore', 'ignore', 'ignore'],
      env: { ...process.env, JAVA_TOOL_OPTIONS: javaToolOptions, ...javaTemp.env },
    },
  );
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'cds', secretAccessKey: 'cds' },
    maxAttempts: 1,
  });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await client.send(
          new CreateTableCommand({
            TableName: TABLE,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [
              { AttributeName: 'pk', AttributeType: 'S' },
              { AttributeName: 'sk', AttributeType: 'S' },
              { AttributeName: 'g', AttributeType: 'S' },
            ],
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            GlobalSecondaryIndexes: [
              {
                IndexName: 'byG',
                KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
                Projection: { ProjectionType: 'ALL' },
              },
            ],
          }),
        );
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const item = (i: number) => ({
      pk: { S: 'p' },
      sk: { S: `s${i}` },
      g: { S: 'x' },
      v: { B: Buffer.from([i]) },
    });
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: item(0),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: { [TABLE]: [1, 2, 3].map((i) => ({ PutRequest: { Item: item(i) } })) },
      }),
    );
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: TABLE, Item: item(4), ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            ConditionCheck: {
              TableName: TABLE,
              Key: { pk: { S: 'p' }, sk: { S: 's0' } },
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
        ],
      }),
    );
    await client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :p and begins_with(sk, :s)',
        ExpressionAttributeValues: { ':p': { S: 'p' }, ':s': { S: 's' } },
      }),
    );
    await client.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: 'byG',
        KeyConditionExpression: 'g = :g',
        ExpressionAttributeValues: { ':g': { S: 'x' } },
      }),
    );
    await client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { pk: { S: 'p' }, sk: { S: 's1' } },
        ConsistentRead: true,
      }),
    );
    await client.send(
      new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: [{ pk: { S: 'p' }, sk: { S: 's2' } }] } } }),
    );
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { S: 'p' }, sk: { S: 's3' } } }));
    await client.send(new ListTablesCommand({ Limit: 1 }));
    await client.send(new DescribeTableCommand({ TableName: TABLE }));
    await client.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: TABLE,
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      }),
    );
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: { S: 'p' }, sk: { S: 's1' } },
        UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' } },
        ReturnValues: 'ALL_NEW',
      }),
    );
    await client.send(new ScanCommand({ TableName: TABLE, Limit: 2 }));
  } finally {
    client.destroy();
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  const code = await exited;
  if (!existsSync(archive)) throw new Error(`java exited (${code}) without writing the class archive`);
}

/**
 * Archives made for an earlier jar or java (~40 MB each) are never used again. A server that maps one
 * keeps it mapped after the unlink, and a partial one of a concurrent install is left to that install.
 */
function pruneOtherArchives(cacheDir: string, keep: string): void {
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    if (path === keep || !/^dynamodb-cds-[0-9a-f]+$/.test(name)) continue;
    rmSync(path, { recursive: true, force: true });
  }
}

/**
 * Makes the archive for this jar and java under cacheDir (idempotent; an existing one is kept).
 * Returns its folder. Throws when java cannot make one: the caller reports it and carries on without.
 */
export async function makeSharedArchive(
  cacheDir: string,
  jar: DynamoDbLocalJar,
  java: string,
  javaToolOptions: string,
): Promise<{ dir: string; made: boolean }> {
  const files = archiveFiles(cacheDir, archiveKey(jar, java));
  if (existsSync(files.archive)) return { dir: files.dir, made: false };
  const { default: JSZip } = await import('jszip');
  const partial = `${files.dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    const zip = await JSZip.loadAsync(readFileSync(jar.jar));
    const manifest = await zip.file('META-INF/MANIFEST.MF')?.async('string');
    if (manifest === undefined) throw new Error(`${jar.jar} has no manifest`);
    zip.file('META-INF/MANIFEST.MF', archivableManifest(manifest, jar.dir, files.dir));
    const copy = join(partial, 'DynamoDBLocal.jar');
    writeFileSync(copy, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
    // The archive records the jar's path: make it for the path it will be used at.
    rmSync(files.dir, { recursive: true, force: true });
    renameSync(partial, files.dir);
    // Written aside and renamed: a server starting meanwhile never maps half an archive.
    // The recording's database goes in a folder of the archive's own, removed with the recording.
    const dataDir = join(files.dir, 'recording-db');
    mkdirSync(dataDir);
    try {
      await recordStart(
        java,
        files.jar,
        jar.nativeLibs,
        `${files.archive}.partial`,
        javaToolOptions,
        dataDir,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    renameSync(`${files.archive}.partial`, files.archive);
    pruneOtherArchives(cacheDir, files.dir);
    return { dir: files.dir, made: true };
  } catch (error) {
    rmSync(files.dir, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}
