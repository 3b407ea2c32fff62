import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: on CI's 2 cores, one. Much of a test's
    // time is DynamoDB Local and moto (processes of their own), so a worker per core is faster:
    // 6 min 36 s instead of 11 min 23 s for the suite on 2 cores.
    maxWorkers: availableParallelism(),
    setupFiles: ['rehearsal/engine/polyfills.ts'],
    globalSetup: ['test/setup/dynamodb-local.ts', 'test/setup/moto.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
