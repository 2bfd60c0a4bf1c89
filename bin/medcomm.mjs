#!/usr/bin/env -S node --max-old-space-size=1024 --initial-old-space-size=128
// Runs the CLI as JavaScript built from the TypeScript sources (bin/build.mjs; `npm ci` builds it). The
// sources are hashed on every start and a build of other sources is never run: a changed source is
// rebuilt first (~0.5 s), and if building fails the TypeScript runs through tsx as before.
//
// Its heap (the flags above; bin/node-flags.mjs): at most 1 GB (a city's garbage otherwise piled up past
// 1.7 GB). Under a cap below 2 GB, V8 lets the heap grow only ~1.6× between full collections, so a county
// year made ~21 mark-compacts (~1.5 s of CPU with their concurrent marking); an old generation configured
// at start also becomes the size below which V8 skips full collections: 128 MB leaves a county year 3, a
// city's larger heap as before (issue 17).

// The machines run Node 20 by the owner's choice (Lambda runs 22); the SDK's upgrade notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Pay data and bank accounts: everything a command writes (the store, results, exports, bank files, and
// the database files of the DynamoDB Local it starts) is for this user only — files 0600, folders 0700.
process.umask(0o077);

// The command's V8 settings that may be set once it runs (bin/node-flags.mjs: fewer functions optimised).
{
  const [{ setFlagsFromString }, { RUNTIME_V8_FLAGS }] = await Promise.all([
    import('node:v8'),
    import('./node-flags.mjs'),
  ]);
  for (const flag of RUNTIME_V8_FLAGS) setFlagsFromString(flag);
}

// `__database-daemon HOME`: the warm database a command started (shared/local/daemon.ts).
const daemon = process.argv[2] === '__database-daemon';
let entry;
if (process.env.MEDCOMM_TSX !== '1') {
  try {
    // The daemon runs the build of the command that started it (checked by that command a moment ago):
    // no second hash of the sources while its JVM start is what the command waits for.
    const started = daemon ? process.env.MEDCOMM_DAEMON_BUILD : undefined;
    const [{ existsSync }, { dirname, join }] = await Promise.all([import('node:fs'), import('node:path')]);
    if (started && existsSync(join(started, 'daemon.mjs'))) entry = join(started, 'daemon.mjs');
    else {
      const { freshEntry } = await import('./build.mjs');
      entry = await freshEntry(undefined, daemon ? 'daemon' : 'main');
      if (!daemon) process.env.MEDCOMM_DAEMON_BUILD = dirname(entry);
    }
  } catch (error) {
    if (process.env.MEDCOMM_DEBUG)
      console.error('medcomm: build failed, running the sources through tsx:', error);
  }
}
if (process.env.MEDCOMM_DEBUG_LAUNCH) console.error(`medcomm: running ${entry ?? 'the sources through tsx'}`);
if (entry) {
  const { pathToFileURL } = await import('node:url');
  await import(pathToFileURL(entry).href);
} else {
  // tsx's transform cache lives in the system temp directory; a command leaves nothing there.
  process.env.TSX_DISABLE_CACHE ??= '1';
  const { register } = await import('tsx/esm/api');
  register();
  await import(daemon ? '../shared/local/daemon-main.ts' : '../cli/main.ts');
}
