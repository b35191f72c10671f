import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'db-tx',
    include: ['test/**/*.test.ts'],
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
})
