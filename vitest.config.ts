import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // A temp folder of the run's own, checked empty at the end (test/temp-guard.ts); then one DynamoDB
    // Local for the whole run (skipped when no integration test is selected).
    globalSetup: ['test/temp-guard.ts', 'test/integration/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two test files at a time, even on 2 cores (vitest's default there is one): most files spend their
    // time waiting on DynamoDB Local, spawned commands or Chromium, so two overlap well. Every test is
    // written to pass on busy cores (issue 17), and the suite ran clean this way at load 5–15.
    maxWorkers: 2,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
