import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'query-cache',
    include: ['test/**/*.test.ts'],
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
})
