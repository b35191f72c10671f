import { existsSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  createTempDatabase,
  pingRedis,
  requireRedis,
  uniqueKeyPrefix,
} from '../src/index.js'

describe('createTempDatabase', () => {
  it('gives a path in a fresh folder and removes it', () => {
    const db = createTempDatabase()
    expect(existsSync(db.dir)).toBe(true)
    expect(existsSync(db.path)).toBe(false)
    writeFileSync(db.path, 'x')
    expect(dirname(db.path)).toBe(db.dir)
    db.remove()
    expect(existsSync(db.dir)).toBe(false)
    db.remove()
  })
})

describe('redis helpers', () => {
  it('gives distinct prefixes', () => {
    const a = uniqueKeyPrefix('x')
    const b = uniqueKeyPrefix('x')
    expect(a).not.toBe(b)
    expect(a.startsWith('duckkit-test:x:')).toBe(true)
  })

  it('reports an unreachable server as down', async () => {
    expect(await pingRedis('127.0.0.1', 1, 500)).toBe(false)
  })

  it('requireRedis answers for the configured server', async () => {
    const redis = await requireRedis()
    expect(redis.skip).toBe(!(await pingRedis(redis.host, redis.port)))
  })
})
