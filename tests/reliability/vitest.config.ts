import { defineProject } from 'vitest/config'

// The scenarios start real service processes and measure latencies: they run
// one file at a time (in their own group, after the other projects), so they
// never fight over the cores with each other or with the unit suites.
export default defineProject({
  test: {
    name: 'reliability',
    include: ['test/**/*.test.ts'],
    globalSetup: ['src/run.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
})
