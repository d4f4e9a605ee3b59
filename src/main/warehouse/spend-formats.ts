/**
 * Ad spend files as rows of (date, source, medium, campaign, cost in cents): GA4's cost-data import
 * CSV, a Google Ads campaign report, a Meta Ads export and a plain CSV, told apart by their headers.
 * Pure functions of the file's text; every problem names the file and the line. See DECISIONLOG
 * "Ad spend: four file layouts, one key".
 */
import { DEFAULT_SPEND_MAPPING, type SpendFormat, type SpendMapping } from '@shared/spend'
import { UserFacingError } from '../errors'

export { DEFAULT_SPEND_MAPPING, SPEND_FORMATS, type SourceMedium, type SpendFormat, type SpendMapping } from '@shared/spend'

/** The only currency stored: revenue is in USD, so cost must be too. */
export const SPEND_CURRENCY = 'USD'

/** One day's spend on one campaign. */
export interface SpendRow {
  /** YYYY-MM-DD. */
  spendDate: string
  source: string
  medium: string
  campaign: string
  /** utm_id / the platform's campaign id, where the file has one. */
  campaignId: string | null
  costCents: bigint
  impressions: number | null
  clicks: number | null
  /** The line of the file it came from (1-based), for messages. */
  line: number
}

/** A spend file read and checked. */
export interface ParsedSpendFile {
  format: SpendFormat
  rows: SpendRow[]
}

/** Reads a spend file's text; throws a UserFacingError naming the file and line of the first problem. */
export function parseSpendFile(name: string, text: string, mapping: SpendMapping = DEFAULT_SPEND_MAPPING): ParsedSpendFile {
  const records = parseCsv(text.replace(/^\uFEFF/, ''))
  const headerIndex = records.findIndex((record) => detectFormat(record.cells) !== undefined)
  if (headerIndex < 0) {
    throw new UserFacingError(
      `${name} is not a spend file: no header of GA4's cost-data import (utm_source, utm_medium, utm_campaign, date, cost), ` +
        `a Google Ads campaign report (Day, Campaign, Cost), a Meta Ads export (Day, Campaign name, Amount spent) ` +
        `or date, source, medium, campaign, cost, currency.`,
    )
  }
  const header = records[headerIndex] as CsvRecord
  const format = detectFormat(header.cells) as SpendFormat
  const columns = new Map(header.cells.map((cell, index) => [normalise(cell), index]))
  const rows: SpendRow[] = []
  const seen = new Map<string, number>()
  for (const record of records.slice(headerIndex + 1)) {
    if (record.cells.every((cell) => cell.trim() === '')) continue
    const at = `${name}, line ${record.line}`
    const cell = (names: readonly string[]): string | undefined => {
      for (const candidate of names) {
        const index = columns.get(candidate)
        if (index !== undefined) return record.cells[index]?.trim()
      }
      return undefined
    }
    const row = readRow(format, cell, header.cells, mapping, at)
    if (row === 'skip') continue
    const key = spendKey(row)
    const earlier = seen.get(key)
    if (earlier !== undefined) {
      throw new UserFacingError(`${at}: duplicate row: ${describeKey(row)} is already on line ${earlier}. Nothing was imported.`)
    }
    seen.set(key, record.line)
    rows.push({ ...row, line: record.line })
  }
  if (rows.length === 0) throw new UserFacingError(`${name} holds no spend rows.`)
  return { format, rows }
}

/** The key a spend row is stored under: one cost per day and source/medium/campaign. */
export function spendKey(row: Pick<SpendRow, 'spendDate' | 'source' | 'medium' | 'campaign'>): string {
  return JSON.stringify([row.spendDate, row.source, row.medium, row.campaign])
}

/** A row's key for people: `2026-11-02 google / cpc / spring_sale`. */
export function describeKey(row: Pick<SpendRow, 'spendDate' | 'source' | 'medium' | 'campaign'>): string {
  return `${row.spendDate} ${row.source} / ${row.medium} / ${row.campaign}`
}

type Cell = (names: readonly string[]) => string | undefined

const GA4 = { source: ['utm_source'], medium: ['utm_medium'], campaign: ['utm_campaign'], id: ['utm_id'], date: ['date'], cost: ['cost'] }
const GOOGLE = { day: ['day'], campaign: ['campaign'], id: ['campaign id'], cost: ['cost'], currency: ['currency code', 'currency'] }
const META = {
  day: ['day', 'reporting starts'],
  ends: ['reporting ends'],
  campaign: ['campaign name'],
  id: ['campaign id'],
  currency: ['currency'],
}
const PLAIN = { date: ['date'], source: ['source'], medium: ['medium'], campaign: ['campaign'], cost: ['cost'], currency: ['currency'] }

function detectFormat(cells: readonly string[]): SpendFormat | undefined {
  const names = new Set(cells.map(normalise))
  const has = (...wanted: string[]) => wanted.every((name) => names.has(name))
  // GA4 matches cost to sessions by source, medium and campaign id or name; date and cost are required.
  if (has('utm_source', 'utm_medium', 'date', 'cost') && (has('utm_campaign') || has('utm_id'))) return 'ga4_cost_import'
  if (has('day', 'campaign', 'cost')) return 'google_ads'
  if (has('campaign name') && (has('day') || has('reporting starts')) && cells.some((cell) => META_AMOUNT.test(cell.trim())))
    return 'meta_ads'
  if (has('date', 'source', 'medium', 'campaign', 'cost', 'currency')) return 'plain'
  return undefined
}

/** Meta names the spend column with its currency: "Amount spent (USD)". */
const META_AMOUNT = /^amount spent(?: \(([A-Za-z]{3})\))?$/i

function readRow(
  format: SpendFormat,
  cell: Cell,
  header: readonly string[],
  mapping: SpendMapping,
  at: string,
): Omit<SpendRow, 'line'> | 'skip' {
  switch (format) {
    case 'ga4_cost_import': {
      checkCurrency(cell(['currency']) ?? SPEND_CURRENCY, at)
      const campaignId = blankToNull(cell(GA4.id))
      return {
        spendDate: parseSpendDate(cell(GA4.date), at),
        source: required(cell(GA4.source), 'utm_source', at),
        medium: required(cell(GA4.medium), 'utm_medium', at),
        campaign: blankToNull(cell(GA4.campaign)) ?? required(campaignId ?? undefined, 'utm_campaign or utm_id', at),
        campaignId,
        costCents: parseCost(cell(GA4.cost), at, false),
        impressions: parseCount(cell(['impressions']), 'impressions', at),
        clicks: parseCount(cell(['clicks']), 'clicks', at),
      }
    }
    case 'google_ads': {
      const campaign = cell(GOOGLE.campaign) ?? ''
      // The report ends in total rows ("Total: Account", "Total: Campaigns"), which are not spend of their own.
      if (/^total:/i.test(cell(GOOGLE.day) ?? '') || /^total:/i.test(campaign)) return 'skip'
      checkCurrency(cell(GOOGLE.currency) ?? SPEND_CURRENCY, at)
      return {
        spendDate: parseSpendDate(cell(GOOGLE.day), at),
        ...mapping.google_ads,
        campaign: required(campaign, 'Campaign', at),
        campaignId: blankToNull(cell(GOOGLE.id)),
        costCents: parseCost(cell(GOOGLE.cost), at, true),
        impressions: parseCount(cell(['impr.', 'impressions']), 'Impr.', at),
        clicks: parseCount(cell(['clicks']), 'Clicks', at),
      }
    }
    case 'meta_ads': {
      const amountHeader = header.find((name) => META_AMOUNT.test(name.trim())) ?? ''
      const headerCurrency = META_AMOUNT.exec(amountHeader.trim())?.[1]
      checkCurrency(headerCurrency ?? cell(META.currency) ?? SPEND_CURRENCY, at)
      const day = cell(META.day)
      const ends = cell(META.ends)
      if (ends !== undefined && day !== undefined && ends !== '' && ends !== day) {
        throw new UserFacingError(`${at}: the row covers ${day} to ${ends}; export it broken down by day. Nothing was imported.`)
      }
      return {
        spendDate: parseSpendDate(day, at),
        ...mapping.meta_ads,
        campaign: required(cell(META.campaign), 'Campaign name', at),
        campaignId: blankToNull(cell(META.id)),
        costCents: parseCost(cell([normalise(amountHeader)]), at, true),
        impressions: parseCount(cell(['impressions']), 'Impressions', at),
        clicks: parseCount(cell(['link clicks', 'clicks (all)']), 'Link clicks', at),
      }
    }
    case 'plain':
      checkCurrency(cell(PLAIN.currency) ?? '', at)
      return {
        spendDate: parseSpendDate(cell(PLAIN.date), at),
        source: required(cell(PLAIN.source), 'source', at),
        medium: required(cell(PLAIN.medium), 'medium', at),
        campaign: required(cell(PLAIN.campaign), 'campaign', at),
        campaignId: blankToNull(cell(['utm_id', 'campaign_id'])),
        costCents: parseCost(cell(PLAIN.cost), at, false),
        impressions: parseCount(cell(['impressions']), 'impressions', at),
        clicks: parseCount(cell(['clicks']), 'clicks', at),
      }
  }
}

/** Reads YYYY-MM-DD (or GA4's YYYYMMDD) and refuses days that do not exist. */
export function parseSpendDate(text: string | undefined, at: string): string {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec((text ?? '').trim())
  if (!match) throw new UserFacingError(`${at}: date ${JSON.stringify(text ?? '')} is not a date (YYYY-MM-DD). Nothing was imported.`)
  const [, year, month, day] = match
  const date = `${year}-${month}-${day}`
  const parsed = new Date(`${date}T00:00:00Z`)
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new UserFacingError(`${at}: date ${date} does not exist. Nothing was imported.`)
  }
  return date
}

/** Reads a cost in currency units to cents: at most two decimals, never negative. */
function parseCost(text: string | undefined, at: string, hasThousandsSeparators: boolean): bigint {
  const raw = (text ?? '').trim()
  const cleaned = hasThousandsSeparators ? raw.replace(/,(?=\d{3}(\D|$))/g, '') : raw
  if (/^-\d/.test(cleaned)) throw new UserFacingError(`${at}: cost ${raw} is negative. Nothing was imported.`)
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(cleaned)
  if (!match)
    throw new UserFacingError(`${at}: cost ${JSON.stringify(raw)} is not an amount with at most two decimals. Nothing was imported.`)
  const [, whole = '0', fraction = ''] = match
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'))
}

function parseCount(text: string | undefined, column: string, at: string): number | null {
  const raw = (text ?? '').trim().replace(/,/g, '')
  if (raw === '' || raw === '--') return null
  if (!/^\d+$/.test(raw)) throw new UserFacingError(`${at}: ${column} ${JSON.stringify(text)} is not a whole number. Nothing was imported.`)
  return Number(raw)
}

function checkCurrency(currency: string, at: string): void {
  const code = currency.trim().toUpperCase()
  if (code === SPEND_CURRENCY) return
  const shown = code === '' ? 'no currency' : `currency ${code}`
  throw new UserFacingError(
    `${at}: ${shown}, but costs are stored in ${SPEND_CURRENCY} as revenue is; convert the file to ${SPEND_CURRENCY} first. Nothing was imported.`,
  )
}

function required(text: string | undefined, column: string, at: string): string {
  const value = (text ?? '').trim()
  if (value === '') throw new UserFacingError(`${at}: ${column} is empty. Nothing was imported.`)
  return value
}

function blankToNull(text: string | undefined): string | null {
  const value = (text ?? '').trim()
  return value === '' || value === '--' ? null : value
}

function normalise(name: string): string {
  return name.trim().toLowerCase()
}

interface CsvRecord {
  /** The line the record starts on (1-based). */
  line: number
  cells: string[]
}

/** RFC 4180 CSV (quotes, doubled quotes, CRLF), comma- or tab-separated (Google Ads offers both). */
export function parseCsv(text: string): CsvRecord[] {
  // Counted over the start of the file: a report's title lines may hold neither.
  const head = text.slice(0, 4096)
  const delimiter = head.split('\t').length > head.split(',').length ? '\t' : ','
  const records: CsvRecord[] = []
  let cells: string[] = []
  let cell = ''
  let line = 1
  let recordLine = 1
  let quoted = false
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"'
        index += 1
      } else if (char === '"') {
        quoted = false
      } else {
        if (char === '\n') line += 1
        cell += char
      }
    } else if (char === '"' && cell === '') {
      quoted = true
    } else if (char === delimiter) {
      cells.push(cell)
      cell = ''
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1
      cells.push(cell)
      records.push({ line: recordLine, cells })
      cells = []
      cell = ''
      line += 1
      recordLine = line
    } else {
      cell += char
    }
  }
  if (cell !== '' || cells.length > 0) {
    cells.push(cell)
    records.push({ line: recordLine, cells })
  }
  return records
}
