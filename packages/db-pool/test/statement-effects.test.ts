import { describe, expect, it } from 'vitest'
import {
  NO_EFFECT,
  SESSION,
  statementEffect,
  TX_BEGIN,
  TX_END,
  TX_UNKNOWN,
} from '../src/statement-effects.js'

describe('statementEffect', () => {
  it.each([
    ['SELECT 1', NO_EFFECT],
    ['  select * from t where name = ?', NO_EFFECT],
    ["UPDATE t SET v = 1 WHERE s = 'BEGIN'", NO_EFFECT],
    ['WITH x AS (SELECT 1) SELECT * FROM x', NO_EFFECT],
    ['INSERT INTO t VALUES (1);', NO_EFFECT],
    ['BEGIN', TX_BEGIN],
    ['begin transaction', TX_BEGIN],
    ['START TRANSACTION', TX_BEGIN],
    ['-- comment\n/* block */ BEGIN', TX_BEGIN],
    ['COMMIT', TX_END],
    ['end', TX_END],
    ['ROLLBACK;', TX_END],
    ['ABORT', TX_END],
    ['SET threads = 1', SESSION],
    ['reset TimeZone', SESSION],
    ['USE memory', SESSION],
    ['PRAGMA enable_profiling', SESSION],
    ['SET VARIABLE x = 1', SESSION],
    ['CREATE TEMP TABLE x (a INT)', SESSION],
    ['create or replace temporary view v as select 1', SESSION],
    ['CREATE TABLE x (a INT)', NO_EFFECT],
    ['CREATE OR REPLACE TABLE x (a INT)', NO_EFFECT],
    ['PREPARE p AS SELECT 1', SESSION],
    ['BEGIN; INSERT INTO t VALUES (1); COMMIT', TX_UNKNOWN],
    ['SELECT 1; SET threads = 2', SESSION],
    ["SELECT 'a;b'", NO_EFFECT],
    ["SELECT 'x'; SELECT 'it''s; BEGIN'", NO_EFFECT],
    ['SELECT "odd;name" FROM t; SELECT 2', NO_EFFECT],
    ['SELECT 1; -- ; BEGIN\nSELECT 2', NO_EFFECT],
    ['SELECT 1 /* ; BEGIN */; SELECT 2', NO_EFFECT],
    ['SELECT $$ ; BEGIN $$; SELECT 2', NO_EFFECT],
    ['SELECT $tag1$ ; BEGIN $tag1$; SELECT $1', NO_EFFECT],
    ["SELECT E'\\'; BEGIN'; SELECT 2", NO_EFFECT],
    ['SELECT 1; /* ; */ BEGIN', TX_UNKNOWN],
    ["SELECT 'unterminated; BEGIN", TX_UNKNOWN | SESSION],
    ["SELECT 1; SELECT 'unterminated", TX_UNKNOWN | SESSION],
  ])('%j', (sql, expected) => {
    expect(statementEffect(sql)).toBe(expected)
  })
})
