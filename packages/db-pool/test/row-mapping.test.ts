import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPool, type Pool } from '../src/index.js'

let pool: Pool
beforeAll(async () => {
  pool = await createPool()
})
afterAll(() => pool.close())

async function one(sql: string): Promise<unknown> {
  const [row] = await pool.query<{ v: unknown }>(`SELECT ${sql} AS v`)
  return row?.v
}

describe("rowMode 'json' (the default)", () => {
  it.each([
    ['1::TINYINT', 1],
    ['1::INTEGER', 1],
    ['42::BIGINT', 42],
    ['(2^53 - 1)::BIGINT', 9007199254740991],
    ['(2^53)::BIGINT', '9007199254740992'],
    ["'-9223372036854775808'::BIGINT", '-9223372036854775808'],
    ['18446744073709551615::UBIGINT', '18446744073709551615'],
    [
      '170141183460469231731687303715884105727::HUGEINT',
      '170141183460469231731687303715884105727',
    ],
    ['(SELECT count(*) FROM range(3))', 3],
    ['(SELECT sum(i) FROM range(4) t(i))', 6],
    ['1.5', 1.5],
    ['0.1::DECIMAL(18,3)', 0.1],
    ['123456789012.345::DECIMAL(18,3)', 123456789012.345],
    ['12345678901234567.891::DECIMAL(38,3)', '12345678901234567.891'],
    ['-1000000000000.001::DECIMAL(18,3)', '-1000000000000.001'],
    ['2.5::DOUBLE', 2.5],
    ["'NaN'::DOUBLE", 'NaN'],
    ["'-inf'::DOUBLE", '-Infinity'],
    ['true', true],
    ["'x'", 'x'],
    ["DATE '2024-02-29'", '2024-02-29'],
    ["TIMESTAMP '2024-01-02 03:04:05'", '2024-01-02T03:04:05'],
    ["TIMESTAMP '2024-01-02 03:04:05.123456'", '2024-01-02T03:04:05.123456'],
    ["TIMESTAMP '1969-12-31 23:59:59.5'", '1969-12-31T23:59:59.5'],
    ["TIMESTAMPTZ '2024-01-02 03:04:05.25+02'", '2024-01-02T01:04:05.25Z'],
    [
      "'2024-01-02 03:04:05.123456789'::TIMESTAMP_NS",
      '2024-01-02T03:04:05.123456789',
    ],
    ["'2024-01-02 03:04:05'::TIMESTAMP_S", '2024-01-02T03:04:05'],
    ["'infinity'::TIMESTAMP", 'infinity'],
    ["TIME '01:02:03.5'", '01:02:03.5'],
    [
      "INTERVAL '1 month 2 days 3 seconds'",
      { months: 1, days: 2, micros: 3_000_000 },
    ],
    ['[1, 2, NULL]', [1, 2, null]],
    ['[1, 2]::INTEGER[2]', [1, 2]],
    ["{'a': 1, 'b': [10::BIGINT]}", { a: 1, b: [10] }],
    ["MAP {'k': 1.5::DECIMAL(4,1)}", [{ key: 'k', value: 1.5 }]],
    ['[\'{"a": 1}\'::JSON]', [{ a: 1 }]],
    ['\'{"x": [1, {"y": null}]}\'::JSON', { x: [1, { y: null }] }],
    ["'\\x00\\xFF'::BLOB", 'AP8='],
    [
      "'6f1c1d4e-0000-4000-8000-000000000001'::UUID",
      '6f1c1d4e-0000-4000-8000-000000000001',
    ],
    ['NULL', null],
    ["'a'::ENUM ('a', 'b') ", 'a'],
  ])('%s', async (sql, expected) => {
    expect(await one(sql)).toEqual(expected)
  })

  it('produces values that survive a JSON round trip unchanged', async () => {
    const rows = await pool.query(
      "SELECT 9007199254740993::BIGINT AS big, 1.25 AS d, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS t, [1] AS l, {'s': 'x'} AS s, '\\xAB'::BLOB AS b",
    )
    expect(JSON.parse(JSON.stringify(rows))).toEqual(rows)
  })

  it('keeps one JavaScript type per DECIMAL column type whatever the value size within 15 digits', async () => {
    const rows = await pool.query<{ v: unknown }>(
      'SELECT v::DECIMAL(15,2) AS v FROM (VALUES (0), (1.5), (9999999999999.99)) t(v)',
    )
    expect(rows.map((row) => typeof row.v)).toEqual([
      'number',
      'number',
      'number',
    ])
  })

  it("de-duplicates repeated column names the driver's way", async () => {
    expect(await pool.query('SELECT 1 AS a, 2 AS a')).toEqual([
      { a: 1, 'a:1': 2 },
    ])
  })

  it('reads results spanning several chunks', async () => {
    const rows = await pool.query<{ i: number }>(
      'SELECT i FROM range(5000) t(i) ORDER BY i',
    )
    expect(rows).toHaveLength(5000)
    expect(rows[4999]).toEqual({ i: 4999 })
  })
})

describe("rowMode 'native'", () => {
  it("returns the driver's JavaScript values (bigint, Date, Uint8Array)", async () => {
    const [row] = await pool.query(
      "SELECT 1::BIGINT AS b, TIMESTAMP '2024-01-02 03:04:05' AS t, '\\x01'::BLOB AS x",
      undefined,
      { rowMode: 'native' },
    )
    expect(row).toMatchObject({ b: 1n, t: new Date('2024-01-02T03:04:05Z') })
    expect(row?.x).toBeInstanceOf(Uint8Array)
    expect([...(row?.x as Uint8Array)]).toEqual([1])
  })
})
