/**
 * DynamoDB Local's class archive (shared/local/dynamodb/class-data-sharing.ts): made for a copy of the jar
 * whose manifest CDS accepts, used only while it matches, and a server started with it keeps data as any.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  archivableManifest,
  makeSharedArchive,
  sharedArchiveFor,
} from '../../../shared/local/dynamodb/class-data-sharing.js';
import { findDynamoDbLocalJar, findJava } from '../../../shared/local/dynamodb/java.js';
import { DYNAMODB_LOCAL_JAVA_TOOL_OPTIONS, withDynamoDbLocal } from '../../../shared/local/dynamodb-local.js';
import { createDynamoClients } from '../../../shared/store/client.js';
import { ensureTable } from '../../../shared/store/table.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'medcomm-cds-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('the manifest of the archived jar', () => {
  const shipped =
    'Manifest-Version: 1.0\r\nMain-Class: a.B\r\nClass-Path: . log4j2.xml DynamoDBLocal_lib/sqlite4\r\n java.jar DynamoDBLocal_lib/libsqlite4java-linux-amd64.so DynamoDBLocal_lib/x.jar\r\n\r\n';
  const manifest = archivableManifest(shipped, '/opt/app/node_modules/ddb', '/opt/app/.build/cds-1');
  const unfolded = (text: string) => text.replace(/\r\n /g, '');

  it('lists the libraries relative to the copy (as CDS joins them), without the folder, the log configuration and native libraries', () => {
    expect(unfolded(manifest)).toContain(
      'Class-Path: ../../node_modules/ddb/DynamoDBLocal_lib/sqlite4java.jar ../../node_modules/ddb/DynamoDBLocal_lib/x.jar\r\n',
    );
    expect(unfolded(manifest)).toContain('Main-Class: a.B\r\n');
    expect(unfolded(manifest)).not.toMatch(/log4j2\.xml|Class-Path: \. |\.so\b/);
  });

  it('falls back to absolute file URLs where a relative path would read differently as a URL', () => {
    const spaced = archivableManifest(shipped, '/opt/my app/ddb', '/srv/medcomm/.build/cds-1');
    expect(unfolded(spaced)).toContain(
      'Class-Path: file:///opt/my%20app/ddb/DynamoDBLocal_lib/sqlite4java.jar file:///opt/my%20app/ddb/DynamoDBLocal_lib/x.jar\r\n',
    );
  });

  it('keeps every line within the 72 bytes a manifest allows', () => {
    for (const line of manifest.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(72);
  });
});

describe('DynamoDB Local with its class archive', () => {
  // The archive is made for a copy of the shipped jar (beside the shipped libraries), so the test may
  // touch it: the install's own jar, and with it the install's archive key, stay as they are.
  const shipped = findDynamoDbLocalJar();
  const jar = { ...shipped, jar: join(cacheDir, 'DynamoDBLocal.jar') };
  copyFileSync(shipped.jar, jar.jar);
  const java = findJava();

  it('is made once, serves and keeps data, and is not offered for a changed jar', async () => {
    expect(sharedArchiveFor(cacheDir, jar, java)).toBeUndefined();
    // One made for an earlier jar or java is never used again: making the new one removes it.
    const earlier = join(cacheDir, 'dynamodb-cds-0123456789abcdef');
    mkdirSync(earlier);
    const made = await makeSharedArchive(cacheDir, jar, java, DYNAMODB_LOCAL_JAVA_TOOL_OPTIONS);
    expect(made.made).toBe(true);
    expect(existsSync(earlier)).toBe(false);
    expect(statSync(join(made.dir, 'classes.jsa')).size).toBeGreaterThan(1_000_000);
    expect((await makeSharedArchive(cacheDir, jar, java, DYNAMODB_LOCAL_JAVA_TOOL_OPTIONS)).made).toBe(false);
    const archive = sharedArchiveFor(cacheDir, jar, java);
    expect(archive?.javaOptions).toContain(`-XX:SharedArchiveFile=${join(made.dir, 'classes.jsa')}`);
    expect(existsSync(archive?.jar ?? '')).toBe(true);

    // The libraries' classes come from the archive too, not only the JDK's and the jar's own: the
    // server's start is mostly loading them (commons-cli reads its arguments).
    const version = spawnSync(
      java,
      [
        ...(archive?.javaOptions ?? []),
        '-Xlog:class+load',
        `-Djava.library.path=${jar.nativeLibs}`,
        '-jar',
        archive?.jar ?? '',
        '-version',
      ],
      { encoding: 'utf8', env: { ...process.env, JAVA_TOOL_OPTIONS: DYNAMODB_LOCAL_JAVA_TOOL_OPTIONS } },
    );
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/org\.apache\.commons\.cli\.Options source: shared objects file/);
    expect(version.stdout).toMatch(/ServerRunner source: shared objects file/);

    await withDynamoDbLocal({ classArchiveDir: cacheDir }, async (endpoint) => {
      const { client, doc } = createDynamoClients({ endpoint });
      try {
        await ensureTable(client, 'medcomm');
        await doc.send(new PutCommand({ TableName: 'medcomm', Item: { pk: 'A', sk: 'b', v: 1 } }));
        const { Item } = await doc.send(new GetCommand({ TableName: 'medcomm', Key: { pk: 'A', sk: 'b' } }));
        expect(Item?.v).toBe(1);
      } finally {
        client.destroy();
      }
    });

    // Another jar (here: the same one touched) makes another key: the archive is not offered for it.
    const { atime, mtime } = statSync(jar.jar);
    try {
      utimesSync(jar.jar, atime, new Date(mtime.getTime() + 1000));
      expect(sharedArchiveFor(cacheDir, jar, java)).toBeUndefined();
    } finally {
      utimesSync(jar.jar, atime, mtime);
    }
    // A recorded start, a -version and a server: ~30 s on a quiet 2-core machine, minutes when it is busy.
  }, 300_000);
});
