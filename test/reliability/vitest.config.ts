/**
 * The reliability suite (`npm run test:reliability`): whole executions by the hundred, too slow for `npm test`.
 * `RELIABILITY_FULL=1` runs the full sizes.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    // Each file starts DynamoDB Local (a JVM) and drives hundreds of executions: two at a time on two cores.
    maxWorkers: 2,
  },
});
