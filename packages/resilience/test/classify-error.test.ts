import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { DuckDBInstance } from '@duckdb/node-api'
import { tempDatabasePath } from '@duckkit/test-utils'
import { describe, expect, it, vi } from 'vitest'
import {
  CatalogError,
  classifyError,
  ConnectionError,
  ConstraintViolationError,
  DatabaseError,
  databaseErrorGuard,
  DataError,
  ErrorCodes,
  FatalDatabaseError,
  InterruptedError,
  IoError,
  isConstraintViolationError,
  isDatabaseError,
  isRetryable,
  isTransactionConflictError,
  OutOfMemoryError,
  SqlSyntaxError,
  TransactionAbortedError,
  TransactionConflictError,
} from '../src/index.js'
import {
  errorOf,
  interruptUntilSettled,
  LONG_QUERY,
  withDatabase,
} from './duckdb-fixtures.js'

type ErrorClass = abstract new (...args: never[]) => DatabaseError

interface Case {
  readonly name: string
  readonly setup?: readonly string[]
  readonly sql: string
  readonly expected: ErrorClass
  readonly code: string
  readonly retryable: boolean
  readonly exceptionType: string
  readonly kind?: string
}

const CASES: readonly Case[] = [
  {
    name: 'syntax',
    sql: 'SELEC 1',
    expected: SqlSyntaxError,
    code: ErrorCodes.syntax,
    retryable: false,
    exceptionType: 'Parser',
  },
  {
    name: 'savepoint (unsupported)',
    sql: 'SAVEPOINT a',
    expected: SqlSyntaxError,
    code: ErrorCodes.syntax,
    retryable: false,
    exceptionType: 'Parser',
  },
  {
    name: 'missing table',
    sql: 'SELECT * FROM nope',
    expected: CatalogError,
    code: ErrorCodes.catalog,
    retryable: false,
    exceptionType: 'Catalog',
  },
  {
    name: 'missing column',
    sql: 'SELECT nocol FROM range(1)',
    expected: CatalogError,
    code: ErrorCodes.catalog,
    retryable: false,
    exceptionType: 'Binder',
  },
  {
    name: 'binder type error',
    sql: "SELECT 1 + 'a'::BLOB",
    expected: SqlSyntaxError,
    code: ErrorCodes.syntax,
    retryable: false,
    exceptionType: 'Binder',
  },
  {
    name: 'dependency',
    setup: [
      'CREATE SEQUENCE s',
      "CREATE TABLE seq_user(id INT DEFAULT nextval('s'))",
    ],
    sql: 'DROP SEQUENCE s',
    expected: CatalogError,
    code: ErrorCodes.catalog,
    retryable: false,
    exceptionType: 'Dependency',
  },
  {
    name: 'conversion',
    sql: "SELECT 'abc'::INT",
    expected: DataError,
    code: ErrorCodes.data,
    retryable: false,
    exceptionType: 'Conversion',
  },
  {
    name: 'out of range',
    sql: 'SELECT 2147483647::INT + 1',
    expected: DataError,
    code: ErrorCodes.data,
    retryable: false,
    exceptionType: 'Out of Range',
  },
  {
    name: 'invalid input',
    sql: "SELECT error('boom')",
    expected: DataError,
    code: ErrorCodes.data,
    retryable: false,
    exceptionType: 'Invalid Input',
  },
  {
    name: 'primary key',
    setup: ['CREATE TABLE pk(id INT PRIMARY KEY)', 'INSERT INTO pk VALUES (1)'],
    sql: 'INSERT INTO pk VALUES (1)',
    expected: ConstraintViolationError,
    code: ErrorCodes.constraint,
    retryable: false,
    exceptionType: 'Constraint',
    kind: 'primary_key',
  },
  {
    name: 'unique',
    setup: ['CREATE TABLE uq(u TEXT UNIQUE)', "INSERT INTO uq VALUES ('a')"],
    sql: "INSERT INTO uq VALUES ('a')",
    expected: ConstraintViolationError,
    code: ErrorCodes.constraint,
    retryable: false,
    exceptionType: 'Constraint',
    kind: 'unique',
  },
  {
    name: 'not null',
    setup: ['CREATE TABLE nn(v INT NOT NULL)'],
    sql: 'INSERT INTO nn VALUES (NULL)',
    expected: ConstraintViolationError,
    code: ErrorCodes.constraint,
    retryable: false,
    exceptionType: 'Constraint',
    kind: 'not_null',
  },
  {
    name: 'check',
    setup: ['CREATE TABLE ck(v INT CHECK (v >= 0))'],
    sql: 'INSERT INTO ck VALUES (-1)',
    expected: ConstraintViolationError,
    code: ErrorCodes.constraint,
    retryable: false,
    exceptionType: 'Constraint',
    kind: 'check',
  },
  {
    name: 'foreign key',
    setup: [
      'CREATE TABLE parent(id INT PRIMARY KEY)',
      'CREATE TABLE child(pid INT REFERENCES parent(id))',
    ],
    sql: 'INSERT INTO child VALUES (99)',
    expected: ConstraintViolationError,
    code: ErrorCodes.constraint,
    retryable: false,
    exceptionType: 'Constraint',
    kind: 'foreign_key',
  },
  {
    name: 'missing file',
    sql: "SELECT * FROM read_csv('/nonexistent-duckkit/x.csv')",
    expected: IoError,
    code: ErrorCodes.io,
    retryable: false,
    exceptionType: 'IO',
  },
  {
    name: 'unwritable file',
    sql: "COPY (SELECT 1) TO '/proc/nope/x.csv'",
    expected: IoError,
    code: ErrorCodes.io,
    retryable: false,
    exceptionType: 'IO',
  },
  {
    name: 'commit without transaction',
    sql: 'COMMIT',
    expected: DatabaseError,
    code: ErrorCodes.database,
    retryable: false,
    exceptionType: 'TransactionContext',
  },
  {
    name: 'out of memory',
    setup: ["SET memory_limit = '8MB'"],
    sql: "SELECT list(range::VARCHAR || 'xxxxxxxxxxxxxxxxxxxxxxxx') FROM range(3000000)",
    expected: OutOfMemoryError,
    code: ErrorCodes.outOfMemory,
    retryable: true,
    exceptionType: 'Out of Memory',
  },
]

describe.each([
  { mode: 'plain messages', json: false },
  { mode: 'errors_as_json', json: true },
])('classifyError on real DuckDB errors ($mode)', ({ json }) => {
  it.each(CASES)('$name -> $expected.name', async (testCase) => {
    await withDatabase(async (instance) => {
      const connection = await instance.connect()
      for (const sql of testCase.setup ?? []) await connection.run(sql)
      if (json) await connection.run('SET errors_as_json = true')
      const raw = await errorOf(connection, testCase.sql)
      expect(
        (raw as Error).message.startsWith('{') ||
          (raw as Error).message.includes('{"exception_type"'),
      ).toBe(json)

      const error = classifyError(raw, { sql: testCase.sql })

      expect(error).toBeInstanceOf(testCase.expected)
      expect(error.code).toBe(testCase.code)
      expect(error.retryable).toBe(testCase.retryable)
      expect(error.exceptionType).toBe(testCase.exceptionType)
      expect(error.sql).toBe(testCase.sql)
      expect(error.cause).toBe(raw)
      expect(
        error.message.startsWith(`${testCase.exceptionType} Error: `),
      ).toBe(true)
      expect(error.message).not.toContain('LINE 1:')
      expect(error.message).not.toContain('exception_type')
      if (testCase.kind !== undefined) {
        expect((error as ConstraintViolationError).kind).toBe(testCase.kind)
      }
      connection.closeSync()
    })
  })

  it('transaction conflicts: statement-time conflict, then aborted, then commit-time conflict', async () => {
    await withDatabase(async (instance) => {
      const a = await instance.connect()
      const b = await instance.connect()
      if (json) {
        await a.run('SET errors_as_json = true')
        await b.run('SET errors_as_json = true')
      }
      await a.run('CREATE TABLE k(id INT PRIMARY KEY, v INT)')
      await a.run('INSERT INTO k VALUES (1, 1)')
      await a.run('BEGIN')
      await b.run('BEGIN')
      await a.run('UPDATE k SET v = 2 WHERE id = 1')

      const conflict = classifyError(
        await errorOf(b, 'UPDATE k SET v = 3 WHERE id = 1'),
      )
      expect(conflict).toBeInstanceOf(TransactionConflictError)
      expect((conflict as TransactionConflictError).phase).toBe('statement')
      expect(conflict.retryable).toBe(true)
      expect(conflict.exceptionType).toBe('TransactionContext')

      const aborted = classifyError(await errorOf(b, 'SELECT 1'))
      expect(aborted).toBeInstanceOf(TransactionAbortedError)
      expect(aborted.retryable).toBe(false)
      await b.run('ROLLBACK')
      await a.run('COMMIT')

      await a.run('BEGIN')
      await b.run('BEGIN')
      await a.run('INSERT INTO k VALUES (50, 1)')
      await b.run('INSERT INTO k VALUES (50, 1)')
      await a.run('COMMIT')
      const atCommit = classifyError(await errorOf(b, 'COMMIT'))
      expect(atCommit).toBeInstanceOf(TransactionConflictError)
      expect((atCommit as TransactionConflictError).phase).toBe('commit')
      expect(atCommit.retryable).toBe(true)
    })
  })

  it('interrupt -> InterruptedError, and the connection works afterwards', async () => {
    await withDatabase(async (instance) => {
      const connection = await instance.connect()
      if (json) await connection.run('SET errors_as_json = true')
      const running = connection.run(LONG_QUERY)
      await interruptUntilSettled(connection, running)
      const error = classifyError(
        await running.then(
          () => undefined,
          (raw: unknown) => raw,
        ),
      )
      expect(error).toBeInstanceOf(InterruptedError)
      expect(error.exceptionType).toBe('INTERRUPT')
      expect(error.retryable).toBe(false)
      const reader = await connection.runAndReadAll('SELECT 42 AS answer')
      expect(reader.getRowObjects()).toEqual([{ answer: 42 }])
    })
  })
})

describe('classifyError on driver and process errors', () => {
  it('a database file locked by another process -> retryable IoError with lockedByOtherProcess', async () => {
    const path = tempDatabasePath()
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { DuckDBInstance } from '@duckdb/node-api'
const instance = await DuckDBInstance.create(process.argv[1])
await (await instance.connect()).run('CREATE TABLE held(x INT)')
process.stdout.write('ready\\n')
process.stdin.resume()
process.stdin.on('end', () => { instance.closeSync(); process.exit(0) })`,
        path,
      ],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    )
    try {
      const [chunk] = (await once(holder.stdout, 'data')) as [Buffer]
      expect(chunk.toString()).toContain('ready')
      const raw = await DuckDBInstance.create(path).then(
        (instance) => {
          instance.closeSync()
          throw new Error('expected the lock to be held')
        },
        (reason: unknown) => reason,
      )
      const error = classifyError(raw)
      expect(error).toBeInstanceOf(IoError)
      expect((error as IoError).lockedByOtherProcess).toBe(true)
      expect(error.retryable).toBe(true)
      expect(error.message).toMatch(/Could not set lock on file/)
    } finally {
      holder.stdin.end()
      await once(holder, 'exit')
    }
  })

  it('a closed connection or instance -> ConnectionError', async () => {
    const instance = await DuckDBInstance.create(':memory:')
    const connection = await instance.connect()
    connection.closeSync()
    const disconnected = classifyError(await errorOf(connection, 'SELECT 1'))
    expect(disconnected).toBeInstanceOf(ConnectionError)
    expect(disconnected.retryable).toBe(true)
    instance.closeSync()
    const closed = classifyError(
      await instance.connect().then(
        () => undefined,
        (raw: unknown) => raw,
      ),
    )
    expect(closed).toBeInstanceOf(ConnectionError)
    expect(closed.retryable).toBe(false)
  })
})

describe('classifyError on message forms and odd values', () => {
  it.each([
    [
      'FATAL Error: Failed: database has been invalidated because of a previous fatal error',
      FatalDatabaseError,
    ],
    [
      '{"exception_type":"FATAL","exception_message":"database has been invalidated"}',
      FatalDatabaseError,
    ],
    [
      'INTERNAL Error: Attempted to access index 3 within vector of size 3',
      FatalDatabaseError,
    ],
    ['INTERRUPT Error: Interrupted!', InterruptedError],
    [
      '{"exception_type":"INTERRUPT","exception_message":"Interrupted!"}',
      InterruptedError,
    ],
    [
      'TransactionContext Error: Conflict on tuple deletion!',
      TransactionConflictError,
    ],
    [
      'TransactionContext Error: Failed to commit: PRIMARY KEY or UNIQUE constraint violation: duplicate key "50"',
      TransactionConflictError,
    ],
    [
      'TransactionContext Error: Failed to commit: Could not write file "/data/x.duckdb.wal": No space left on device',
      IoError,
    ],
    [
      '{"exception_type":"TransactionContext","exception_message":"Conflict on update!"}',
      TransactionConflictError,
    ],
    [
      'Out of Memory Error: failed to allocate data of size 4.0 MiB',
      OutOfMemoryError,
    ],
    ['Failed to query: connection disconnected', ConnectionError],
    [
      'Parser Error: {"exception_type":"Parser","exception_message":"syntax error at end of input","error_subtype":"SYNTAX_ERROR"}',
      SqlSyntaxError,
    ],
    ['Not implemented Error: feature X', DatabaseError],
  ] as const)('%s', (message, expected) => {
    const error = classifyError(new Error(message))
    expect(error).toBeInstanceOf(expected)
    expect(error.constructor).toBe(expected)
  })

  it('keeps error_subtype and cuts the LINE tail', () => {
    const json = classifyError(
      new Error(
        'Parser Error: {"exception_type":"Parser","exception_message":"syntax error at or near \\"SELEC\\"","error_subtype":"SYNTAX_ERROR","position":"0"}',
      ),
    )
    expect(json.errorSubtype).toBe('SYNTAX_ERROR')
    expect(json.message).toBe('Parser Error: syntax error at or near "SELEC"')
    const plain = classifyError(
      new Error(
        'Parser Error: syntax error at or near "SELEC"\n\nLINE 1: SELEC 1\n        ^',
      ),
    )
    expect(plain.message).toBe('Parser Error: syntax error at or near "SELEC"')
  })

  it('returns DatabaseErrors unchanged', () => {
    const error = new TransactionConflictError('x')
    expect(classifyError(error, { sql: 'SELECT 1' })).toBe(error)
  })

  it('maps Node.js system errors and aborts', () => {
    const reset = Object.assign(new Error('socket hang up'), {
      code: 'ECONNRESET',
    })
    expect(classifyError(reset)).toBeInstanceOf(ConnectionError)
    const busy = Object.assign(new Error('busy'), { code: 'EBUSY' })
    expect(classifyError(busy)).toBeInstanceOf(IoError)
    expect(classifyError(busy).retryable).toBe(true)
    const missing = Object.assign(new Error('nope'), { code: 'ENOENT' })
    expect(classifyError(missing).retryable).toBe(false)
    const controller = new AbortController()
    controller.abort()
    expect(classifyError(controller.signal.reason)).toBeInstanceOf(
      InterruptedError,
    )
  })

  it('never throws: anything unknown becomes a non-retryable E_DATABASE error', () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const hostile = {
      get message(): string {
        throw new Error('getter exploded')
      },
    }
    const values: unknown[] = [
      undefined,
      null,
      42,
      'plain text',
      Symbol('s'),
      10n,
      {},
      circular,
      hostile,
      new Error('Something else'),
      new Error('Parser Error: {not json'),
      new Error('{"exception_type": 3}'),
      () => undefined,
    ]
    for (const value of values) {
      const error = classifyError(value)
      expect(isDatabaseError(error)).toBe(true)
      expect(error.retryable).toBe(false)
      expect(
        error.code === ErrorCodes.database || error.code === ErrorCodes.syntax,
      ).toBe(true)
    }
    expect(classifyError('plain text').message).toBe('plain text')
    expect(classifyError(undefined).code).toBe(ErrorCodes.database)
  })
})

describe('guards work across copies of the package', () => {
  it('recognises errors made by another module instance', async () => {
    vi.resetModules()
    const copy = await import('../src/index.js')
    expect(copy.TransactionConflictError).not.toBe(TransactionConflictError)
    const foreign = new copy.TransactionConflictError('Conflict on update!')
    expect(foreign).not.toBeInstanceOf(TransactionConflictError)
    expect(isDatabaseError(foreign)).toBe(true)
    expect(isTransactionConflictError(foreign)).toBe(true)
    expect(isConstraintViolationError(foreign)).toBe(false)
    expect(isRetryable(foreign)).toBe(true)
    expect(classifyError(foreign)).toBe(foreign)
  })

  it('databaseErrorGuard makes a guard for another package’s code that works across copies', async () => {
    class WidgetError extends DatabaseError {
      constructor() {
        super('widget broke', { code: 'E_WIDGET', retryable: false })
      }
    }
    const isWidgetError = databaseErrorGuard<WidgetError>('E_WIDGET')
    vi.resetModules()
    const copy = await import('../src/index.js')
    const foreign = new copy.DatabaseError('widget broke', {
      code: 'E_WIDGET',
      retryable: false,
    })
    expect(isWidgetError(new WidgetError())).toBe(true)
    expect(isWidgetError(foreign)).toBe(true)
    expect(isWidgetError(new copy.TransactionConflictError('Conflict'))).toBe(
      false,
    )
    expect(isWidgetError({ code: 'E_WIDGET' })).toBe(false)
    expect(isWidgetError(new Error('E_WIDGET'))).toBe(false)
  })

  it('does not mistake look-alikes for database errors', () => {
    expect(
      isDatabaseError({
        code: ErrorCodes.transactionConflict,
        retryable: true,
      }),
    ).toBe(false)
    expect(isRetryable(new Error('Conflict on update!'))).toBe(false)
  })
})
