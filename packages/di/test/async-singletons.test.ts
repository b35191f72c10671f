import { describe, expect, it } from 'vitest'
import {
  createContainer,
  isContainerStateError,
  isRegistrationError,
  isStartError,
  type StartError,
} from '../src/index.js'

class Db {
  open = false
  constructor(readonly log: string[]) {}
  static async connect(log: string[]): Promise<Db> {
    await Promise.resolve()
    const db = new Db(log)
    db.open = true
    log.push('db opened')
    return db
  }
  close(): void {
    this.open = false
    this.log.push('db closed')
  }
}

function dbContainer(log: string[]) {
  return createContainer()
    .value('log', log)
    .asyncSingleton('db', ({ log }) => Db.connect(log), {
      dispose: (db) => db.close(),
    })
    .singleton('repo', ({ db, log }) => {
      log.push(`repo built (db open: ${db.open})`)
      return { db }
    })
}

describe('asyncSingleton', () => {
  it('is awaited by start(), so dependents get the value, not a promise', async () => {
    const log: string[] = []
    const container = dbContainer(log)
    await container.start()
    expect(container.resolve('db')).toBeInstanceOf(Db)
    expect(container.resolve('repo').db).toBe(container.resolve('db'))
    expect(log).toEqual(['db opened', 'repo built (db open: true)'])
    await container.dispose()
    expect(log.at(-1)).toBe('db closed')
  })

  it('cannot be resolved before start()', () => {
    const container = dbContainer([])
    let caught: unknown
    try {
      container.resolve('repo')
    } catch (error) {
      caught = error
    }
    expect(isContainerStateError(caught)).toBe(true)
    expect((caught as Error).message).toMatch(/"db" has an async factory/)
  })

  it('lets a factory rely on its dependencies having started', async () => {
    const log: string[] = []
    const container = createContainer()
      .singleton('server', () => ({ listening: false }), {
        start: (s) => {
          s.listening = true
        },
      })
      .singleton('client', ({ server }) => {
        log.push(`client sees listening=${server.listening}`)
        return server
      })
    await container.start()
    expect(log).toEqual(['client sees listening=true'])
  })

  it('names the async step that failed and stops what started', async () => {
    const log: string[] = []
    const container = createContainer()
      .value('log', log)
      .asyncSingleton('db', ({ log }) => Db.connect(log), {
        dispose: (db) => db.close(),
      })
      .asyncSingleton('redis', async (): Promise<string> => {
        await Promise.resolve()
        throw new Error('ECONNREFUSED 127.0.0.1:1')
      })
      .singleton('cache', ({ redis }) => redis)
    const error = (await container
      .start()
      .catch((e: unknown) => e)) as StartError
    expect(isStartError(error)).toBe(true)
    expect(error.step).toBe('redis')
    expect(error.phase).toBe('create')
    expect(log).toEqual(['db opened', 'db closed'])
  })

  it('explains an async dependency registered after its dependent', async () => {
    const container = createContainer()
      .singleton('repo', () => 'repo')
      .asyncSingleton('db', () => Promise.resolve('db'))
    container.override('repo', {
      factory: (c) => `repo on ${(c as unknown as { db: string }).db}`,
    })
    const error = (await container
      .start()
      .catch((e: unknown) => e)) as StartError
    expect(error.step).toBe('repo')
    expect(isContainerStateError(error.cause)).toBe(true)
    expect((error.cause as Error).message).toContain(
      'register "db" before "repo" or list it in its dependsOn',
    )
  })

  it('honours dependsOn on a later async registration', async () => {
    const container = createContainer()
      .singleton('repo', () => 'repo')
      .asyncSingleton('db', () => Promise.resolve('db'))
    container.override('repo', {
      factory: (c) => `repo on ${(c as unknown as { db: string }).db}`,
      dependsOn: ['db'],
    })
    await container.start()
    expect(container.resolve('repo')).toBe('repo on db')
  })

  it('rejects a plain singleton whose factory returns a promise', async () => {
    const container = createContainer().singleton('oops', () =>
      Promise.reject(new Error('never awaited')),
    )
    let caught: unknown
    try {
      void container.resolve('oops')
    } catch (error) {
      caught = error
    }
    expect(isRegistrationError(caught)).toBe(true)
    expect((caught as Error).message).toContain('asyncSingleton()')
    await container.dispose()
  })

  it('accepts an async factory when overriding an async singleton', async () => {
    const log: string[] = []
    const container = dbContainer(log)
    const own = new Db(log)
    container.override('db', { factory: () => Promise.resolve(own) })
    await container.start()
    expect(container.resolve('repo').db).toBe(own)
    await container.dispose()
    expect(log).not.toContain('db closed')
  })
})
