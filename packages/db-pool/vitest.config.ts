import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'db-pool',
    include: ['test/**/*.test.ts'],
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
})
