// Writes dbt_attribution/seeds/public_suffixes.csv from a copy of the public suffix list
// (https://publicsuffix.org/list/public_suffix_list.dat; Debian's `publicsuffix` package installs one):
// its multi-label rules, ICANN and private, lowercased. Single-label rules need no row: a host's last
// label is a public suffix by the list's default rule. Exception rules (`!`) are left out (docs/assumptions.md).
// Usage: node scripts/public-suffix-seed.mjs [/usr/share/publicsuffix/public_suffix_list.dat]
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const listPath = process.argv[2] ?? '/usr/share/publicsuffix/public_suffix_list.dat'
const seedPath = fileURLToPath(new URL('../dbt_attribution/seeds/public_suffixes.csv', import.meta.url))
const rows = new Map()
for (const line of readFileSync(listPath, 'utf8').split('\n')) {
  const rule = line.trim().split(/\s/)[0].toLowerCase()
  if (rule === '' || rule.startsWith('//') || rule.startsWith('!')) continue
  const isWildcard = rule.startsWith('*.')
  const suffix = isWildcard ? rule.slice(2) : rule
  if (!isWildcard && !suffix.includes('.')) continue
  if (/[",\s]/.test(suffix)) throw new Error(`unexpected rule ${rule}`)
  rows.set(`${suffix},${isWildcard}`, { suffix, topLevelDomain: suffix.slice(suffix.lastIndexOf('.') + 1), isWildcard })
}
const sorted = [...rows.values()].sort((a, b) =>
  a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : Number(a.isWildcard) - Number(b.isWildcard),
)
writeFileSync(
  seedPath,
  ['public_suffix,top_level_domain,is_wildcard', ...sorted.map((r) => `${r.suffix},${r.topLevelDomain},${r.isWildcard}`)].join('\n') + '\n',
)
console.log(`${sorted.length} rules -> ${seedPath}`)
