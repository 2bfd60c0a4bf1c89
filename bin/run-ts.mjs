#!/usr/bin/env node
import { resolve } from 'node:path';
// Runs a TypeScript entry file given as the first argument (used by npm scripts such as bench).
import { pathToFileURL } from 'node:url';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// tsx keeps its transform cache in the system temp directory: a script leaves nothing there.
process.env.TSX_DISABLE_CACHE ??= '1';
const { register } = await import('tsx/esm/api');

register();
const [entry] = process.argv.splice(2, 1);
if (!entry) throw new Error('usage: run-ts.mjs FILE.ts [args…]');
await import(pathToFileURL(resolve(entry)).href);
