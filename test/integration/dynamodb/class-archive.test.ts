/**
 * DynamoDB Local's class archive (shared/local/dynamodb/class-data-sharing.ts): made for a copy of the jar
 * whose manifest CDS accepts, used only while it matches, and a server started with it keeps data as any.
 */
import { existsSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
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
    'Manifest-Version: 1.0\r\nMain-Class: a.B\r\nClass-Path: . log4j2.xml DynamoDBLocal_lib/sqlite4\r\n java.jar DynamoDBLocal_lib/x.jar\r\n\r\n';
  const manifest = archivableManifest(shipped, '/opt/ddb');

  it('lists the libraries by absolute location, without the folder and the log configuration', () => {
    const unfolded = manifest.replace(/\r\n /g, '');
    expect(unfolded).toContain(
      'Class-Path: file:///opt/ddb/DynamoDBLocal_lib/sqlite4java.jar file:///opt/ddb/DynamoDBLocal_lib/x.jar\r\n',
    );
    expect(unfolded).toContain('Main-Class: a.B\r\n');
    expect(unfolded).not.toMatch(/log4j2\.xml|Class-Path: \. /);
  });

  it('keeps every line within the 72 bytes a manifest allows', () => {
    for (const line of manifest.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(72);
  });
});

describe('DynamoDB Local with its class archive', () => {
  const jar = findDynamoDbLocalJar();
  const java = findJava();

  it('is made once, serves and keeps data, and is not offered for a changed jar', async () => {
    expect(sharedArchiveFor(cacheDir, jar, java)).toBeUndefined();
    const made = await makeSharedArchive(cacheDir, jar, java, DYNAMODB_LOCAL_JAVA_TOOL_OPTIONS);
    expect(made.made).toBe(true);
    expect(statSync(join(made.dir, 'classes.jsa')).size).toBeGreaterThan(1_000_000);
    expect((await makeSharedArchive(cacheDir, jar, java, DYNAMODB_LOCAL_JAVA_TOOL_OPTIONS)).made).toBe(false);
    const archive = sharedArchiveFor(cacheDir, jar, java);
    expect(archive?.javaOptions).toContain(`-XX:SharedArchiveFile=${join(made.dir, 'classes.jsa')}`);
    expect(existsSync(archive?.jar ?? '')).toBe(true);

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
  });
});
