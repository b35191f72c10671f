// Prints the median cost per call of each benchmark in a `vitest bench --outputJson` report,
// and its ratio to the baselines measured in the same run.
// Usage: node bench/summarize.mjs <report.json>
import { readFileSync } from 'node:fs'

const BATCH = 100
const [file] = process.argv.slice(2)
if (file === undefined) {
  console.error('usage: node bench/summarize.mjs <report.json>')
  process.exit(2)
}
const report = JSON.parse(readFileSync(file, 'utf8'))
const rows = report.files
  .flatMap((entry) => entry.groups)
  .flatMap((group) => group.benchmarks)
  .map((bench) => ({ name: bench.name, us: (bench.median * 1000) / BATCH }))
const find = (prefix) => rows.find((row) => row.name.startsWith(prefix))
const direct = find('direct call')
const opossum = find('bare opossum fire (opossum defaults)')
const lean = find('bare opossum fire (timeout off')
console.log(
  '| benchmark | median per call | added vs direct | vs opossum defaults | vs lean opossum |',
)
console.log('| --- | ---: | ---: | ---: | ---: |')
for (const row of rows) {
  const added = row.us - direct.us
  console.log(
    `| ${row.name} | ${row.us.toFixed(3)} µs | ${added.toFixed(3)} µs | ${(row.us / opossum.us).toFixed(2)}x | ${(row.us / lean.us).toFixed(2)}x |`,
  )
}
