import { GA4_COLUMNS } from '../warehouse/ga4-schema'

/** One column of a BigQuery table schema, as the REST API and the Node client write it. */
export interface BigQueryField {
  name: string
  type: 'STRING' | 'INTEGER' | 'FLOAT' | 'BOOLEAN' | 'NUMERIC' | 'DATE' | 'TIMESTAMP' | 'RECORD'
  mode: 'NULLABLE' | 'REPEATED' | 'REQUIRED'
  fields?: BigQueryField[]
}

const SCALARS: Record<string, BigQueryField['type']> = {
  VARCHAR: 'STRING',
  BIGINT: 'INTEGER',
  DOUBLE: 'FLOAT',
  BOOLEAN: 'BOOLEAN',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
}

/** Splits `a T, b STRUCT(x U, y V)[]` at the top-level commas. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (char === '(') depth++
    else if (char === ')') depth--
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, index))
      start = index + 1
    }
  }
  parts.push(text.slice(start))
  return parts.map((part) => part.trim()).filter((part) => part !== '')
}

/** The BigQuery field of a DuckDB column type, so the export schema is written down once (ga4-schema.ts). */
export function bigQueryFieldOf(name: string, duckdbType: string): BigQueryField {
  let type = duckdbType.replace(/\s+/g, ' ').trim()
  const repeated = type.endsWith('[]')
  if (repeated) type = type.slice(0, -2).trim()
  const mode = repeated ? 'REPEATED' : 'NULLABLE'
  const struct = /^STRUCT\((.*)\)$/s.exec(type)
  if (struct?.[1] !== undefined) {
    const fields = splitTopLevel(struct[1]).map((member) => {
      const match = /^("?)([A-Za-z_][A-Za-z0-9_]*)\1 (.+)$/s.exec(member)
      if (!match?.[2] || !match[3]) throw new Error(`Cannot read struct member ${member}`)
      return bigQueryFieldOf(match[2], match[3])
    })
    return { name, type: 'RECORD', mode, fields }
  }
  const scalar = SCALARS[type]
  if (!scalar) throw new Error(`No BigQuery type for DuckDB type ${type}`)
  return { name, type: scalar, mode }
}

/** The GA4 export table schema in BigQuery's terms, for the intraday tables the streamer creates. */
export const GA4_BIGQUERY_SCHEMA: readonly BigQueryField[] = GA4_COLUMNS.map(([name, type]) => bigQueryFieldOf(name, type))
