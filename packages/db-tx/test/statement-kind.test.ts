import { describe, expect, test } from 'vitest'
import { statementKind } from '../src/statement-kind.js'

describe('statementKind', () => {
  test.each([
    ['SELECT * FROM t', 'read'],
    ['  select 1', 'read'],
    ['(SELECT 1) UNION (SELECT 2)', 'read'],
    ['FROM t', 'read'],
    ['VALUES (1)', 'read'],
    ['SHOW TABLES', 'read'],
    ['DESCRIBE t', 'read'],
    ['SUMMARIZE t', 'read'],
    ['EXPLAIN DELETE FROM t', 'read'],
    ['SET threads = 1', 'read'],
    ['-- a comment\nSELECT 1', 'read'],
    ['/* UPDATE */ SELECT 1', 'read'],
    ["SELECT 'DELETE FROM t; INSERT'", 'read'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'read'],
    ["WITH x AS (SELECT 'update') SELECT * FROM x", 'read'],
    ['WITH x AS (SELECT 1 AS update_count) SELECT * FROM x', 'read'],
    ['SELECT 1; SELECT 2;', 'read'],
    ['INSERT INTO t VALUES (1)', 'write'],
    ['update t set v = 1', 'write'],
    ['DELETE FROM t', 'write'],
    ['CREATE TABLE t (i INT)', 'write'],
    ["COPY t TO 'x.csv'", 'write'],
    ['EXPLAIN ANALYZE DELETE FROM t', 'write'],
    ['WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x', 'write'],
    ['SELECT 1; DELETE FROM t', 'write'],
    ['PRAGMA table_info(t)', 'write'],
    ['', 'write'],
    ['BEGIN', 'control'],
    ['begin transaction read only', 'control'],
    ['COMMIT', 'control'],
    ['ROLLBACK', 'control'],
    ['SAVEPOINT a', 'control'],
    ['SELECT 1; COMMIT', 'control'],
  ] as const)('%j is %s', (sql, kind) => {
    expect(statementKind(sql)).toBe(kind)
  })
})
