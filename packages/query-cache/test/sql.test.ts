import { describe, expect, it } from 'vitest'
import { findWriteTargets, normalizeTableName } from '../src/index.js'
import { normalizeSql } from '../src/sql-lexer.js'
import { queryKey, sqlId } from '../src/query-key.js'

describe('normalizeTableName', () => {
  it('maps qualified, quoted and differently cased names to one key', () => {
    for (const name of [
      't',
      'T',
      '"T"',
      'main.t',
      'MAIN."t"',
      'db.main.t',
      ' t ',
    ]) {
      expect(normalizeTableName(name)).toBe('t')
    }
    expect(normalizeTableName('"odd.name"')).toBe('odd.name')
    expect(normalizeTableName('s."a""b"')).toBe('a"b')
  })
})

describe('findWriteTargets', () => {
  const cases: [string, string[]][] = [
    ['INSERT INTO users VALUES (1)', ['users']],
    ['insert or replace into main."Users" (id) values (1)', ['users']],
    ['INSERT OR IGNORE INTO t BY NAME SELECT * FROM s', ['t']],
    [
      'UPDATE orders SET total = 0 FROM users WHERE users.id = orders.uid',
      ['orders'],
    ],
    ['DELETE FROM s.audit WHERE id < 10', ['audit']],
    [
      'MERGE INTO stock USING delta ON stock.id = delta.id WHEN MATCHED THEN UPDATE SET n = delta.n',
      ['stock'],
    ],
    ["COPY items FROM 'items.csv'", ['items']],
    ["COPY items (id, name) FROM 'items.csv' (HEADER)", ['items']],
    ["COPY items TO 'items.csv'", []],
    ["COPY (SELECT * FROM items) TO 'items.csv'", []],
    ['CREATE TABLE IF NOT EXISTS a (id INT)', ['a']],
    ['CREATE OR REPLACE TEMP TABLE b AS SELECT 1', ['b']],
    ['DROP TABLE IF EXISTS a, main.b CASCADE', ['a', 'b']],
    ['ALTER TABLE a ADD COLUMN x INT', ['a']],
    ['ALTER TABLE a RENAME TO c', ['a', 'c']],
    ['TRUNCATE TABLE logs', ['logs']],
    ['TRUNCATE logs', ['logs']],
    [
      'WITH d AS (SELECT 1 AS id) DELETE FROM t WHERE id IN (SELECT id FROM d)',
      ['t'],
    ],
    ['EXPLAIN ANALYZE UPDATE t SET v = 1', ['t']],
    ['EXPLAIN UPDATE t SET v = 1', []],
    ['SELECT * FROM users', []],
    ['FROM users', []],
    ['WITH x AS (SELECT 1) SELECT * FROM x', []],
    ['BEGIN TRANSACTION', []],
    ['SET threads = 2', []],
    ['CREATE INDEX i ON t (v)', []],
    ['CREATE SEQUENCE s', []],
    ["-- a comment\nINSERT /* hi */ INTO t VALUES ('a;b')", ['t']],
  ]
  for (const [sql, tables] of cases) {
    it(`finds ${JSON.stringify(tables)} in ${sql.replaceAll('\n', ' ')}`, () => {
      expect(findWriteTargets([sql])).toEqual({ tables, unknown: false })
    })
  }

  it('splits statements and joins their targets', () => {
    expect(
      findWriteTargets([
        'INSERT INTO a VALUES (1); UPDATE b SET x = 1',
        'DELETE FROM a',
      ]),
    ).toEqual({
      tables: ['a', 'b'],
      unknown: false,
    })
  })

  const unknown = [
    'CREATE VIEW v AS SELECT * FROM t',
    'CREATE OR REPLACE MACRO m(x) AS x + 1',
    'DROP VIEW v',
    'DROP SCHEMA s CASCADE',
    "ATTACH 'other.db' AS other",
    'EXECUTE stmt(1)',
    "IMPORT DATABASE 'dir'",
    'COPY FROM DATABASE a TO b',
    'WITH x AS (SELECT 1)',
    'GRANT ALL ON t TO u',
    'INSERT VALUES (1)',
  ]
  for (const sql of unknown) {
    it(`cannot name the target of ${sql}, so it says unknown`, () => {
      expect(findWriteTargets([sql]).unknown).toBe(true)
    })
  }
})

describe('query keys', () => {
  it('ignore formatting and comments but keep literals', () => {
    expect(normalizeSql("SELECT  *\n FROM t -- c\n WHERE a = 'x  y';")).toBe(
      "SELECT * FROM t WHERE a = 'x  y'",
    )
    expect(sqlId(normalizeSql('SELECT 1'))).toBe(
      sqlId(normalizeSql(' SELECT   1 ; ')),
    )
    expect(normalizeSql('SELECT "a  b" /* x */ FROM t')).toBe(
      'SELECT "a  b" FROM t',
    )
  })

  it('encode parameters so that only equal values share a key', () => {
    const id = sqlId('SELECT ?')
    expect(queryKey(id, [1])).not.toBe(queryKey(id, ['1']))
    expect(queryKey(id, [1n])).not.toBe(queryKey(id, [1]))
    expect(queryKey(id, { a: 1, b: 2 })).toBe(queryKey(id, { b: 2, a: 1 }))
    expect(queryKey(id, [new Date(5)])).toBe(queryKey(id, [new Date(5)]))
    expect(queryKey(id, [new Date(5)])).not.toBe(queryKey(id, [new Date(6)]))
    expect(queryKey(id, undefined)).not.toBe(queryKey(id, []))
    const long = queryKey(id, ['x'.repeat(500)])
    expect(long.length).toBeLessThan(100)
    expect(long).not.toBe(queryKey(id, ['x'.repeat(499)]))
  })
})
