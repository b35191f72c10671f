import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'model-config',
    include: ['test/**/*.test.ts'],
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
})
