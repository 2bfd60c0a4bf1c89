#!/usr/bin/env -S node --max-old-space-size=1024
// Runs the TypeScript CLI directly (no build step) so `npx medcomm …` works right after `npm ci`.
import { register } from 'tsx/esm/api';

// The machines run Node 20 by the owner's choice (Lambda runs 22); the SDK's upgrade notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../cli/main.ts');
