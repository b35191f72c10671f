import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'di',
    include: ['test/**/*.test.ts'],
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
})
