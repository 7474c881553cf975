import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Minutes of whole executions by the hundred: `npm run test:reliability` runs them (CI does too).
    exclude: [...configDefaults.exclude, 'test/reliability/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files each start DynamoDB Local (a JVM); two at a time is what two cores hold.
    maxWorkers: 2,
  },
});
