import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each file gets its own Dawn device; two at a time keeps SwiftShader on 2 cores busy but not thrashing.
    pool: 'forks',
    maxWorkers: 2,
  },
});
