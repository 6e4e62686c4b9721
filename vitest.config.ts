import { defineConfig } from 'vitest/config';

// One config for the whole tree: unit tests sit beside the code (`*.test.ts`),
// cross-module, closed-loop and browser tests live in `test/`.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
