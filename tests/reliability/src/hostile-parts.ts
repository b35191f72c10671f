import fc from 'fast-check'
import { type Header } from './request-parts.js'

/** Percent-encodes a path segment. */
export const enc = encodeURIComponent

/** A valid usage type or provider name. */
export const slug = fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/)

/** A name the slug rule refuses (bad first character, a character outside the set, or too long), percent-encoded. */
export const badSlug = fc
  .oneof(
    fc.constantFrom(
      "x' OR '1'='1",
      'chat_deep; DROP TABLE model_configs; --',
      '..',
      '.hidden',
      '-dash',
      '_under',
      'a b',
      'ünïcödé',
      '😀',
      '<script>alert(1)</script>',
      'a\u0000b',
      'a\nb',
      '%',
      '\u202e',
    ),
    fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
      .map((s) => `_${s}`),
    fc
      .tuple(
        slug,
        fc.constantFrom(' ', '"', "'", '/', '\\', '?', '#', '*', '$'),
      )
      .map(([s, c]) => `${s}${c}x`),
    fc.stringMatching(/^[a-z]{65,95}$/),
  )
  .map(enc)

/** A priority the schema refuses: out of range, fractional or not a number. */
export const badPriority = fc.oneof(
  fc.integer({ min: -1_000_000, max: 0 }).map(String),
  fc.integer({ min: 1001, max: 2_000_000_000 }).map(String),
  fc.constantFrom('1.5', 'abc', 'NaN', 'null', 'true', '1;DROP TABLE x', '[1]'),
  fc.stringMatching(/^[a-z]{1,8}$/),
)
/** A valid priority. */
export const priority = fc.integer({ min: 1, max: 1000 }).map(String)

/** Authorization headers that are missing or wrong. */
export const wrongAuth: fc.Arbitrary<readonly Header[]> = fc.oneof(
  fc.constant<readonly Header[]>([]),
  fc.constantFrom<Header[]>(
    [['Authorization', 'Bearer ']],
    [['Authorization', 'Bearer wrong-token-0123456789']],
    [['Authorization', 'Basic YWRtaW46YWRtaW4=']],
    [['Authorization', 'Bearer null']],
    [['Authorization', 'token']],
  ),
  fc
    .string({ unit: 'binary-ascii', maxLength: 80 })
    .filter((s) => /^[\x20-\x7e]*$/.test(s))
    .map((s): Header[] => [['Authorization', `Bearer ${s}x`]]),
)
