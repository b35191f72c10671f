/**
 * Normalises a table name to its version key: the last part of a qualified
 * name, unquoted and lower-cased, so `main.t`, `"T"`, `db.main.t` and `t` all
 * map to `t` (DuckDB matches identifiers case-insensitively, even quoted).
 * Tables of the same name in different schemas or databases share a version:
 * a write to one also invalidates results read from the other, which costs
 * hit rate but can never serve stale data.
 */
export function normalizeTableName(name: string): string {
  const parts = splitQualified(name.trim())
  const last = parts[parts.length - 1] ?? ''
  return last.toLowerCase()
}

/** Splits `a."b.c".d` into `['a', 'b.c', 'd']`, unquoting each part. */
function splitQualified(name: string): string[] {
  const parts: string[] = []
  let i = 0
  let part = ''
  while (i < name.length) {
    const ch = name[i] as string
    if (ch === '"') {
      let end = i + 1
      while (end < name.length) {
        if (name[end] === '"') {
          if (name[end + 1] === '"') {
            part += '"'
            end += 2
            continue
          }
          break
        }
        part += name[end] as string
        end += 1
      }
      i = end + 1
    } else if (ch === '.') {
      parts.push(part)
      part = ''
      i += 1
    } else {
      part += ch
      i += 1
    }
  }
  parts.push(part)
  return parts.map((p) => p.trim())
}
