/** Ad spend import: the layouts read, the platform mapping and what an import reports. */

/** The layouts read; `plain` is `date, source, medium, campaign, cost, currency`. */
export const SPEND_FORMATS = ['ga4_cost_import', 'google_ads', 'meta_ads', 'plain'] as const
export type SpendFormat = (typeof SPEND_FORMATS)[number]

/** The source/medium an ad platform's campaigns are credited to. */
export interface SourceMedium {
  source: string
  medium: string
}

/** Where the campaigns of platform exports land (an editable mapping). */
export interface SpendMapping {
  google_ads: SourceMedium
  meta_ads: SourceMedium
}

/** Google Ads as google/cpc (GA4's name for its auto-tagged traffic), Meta as facebook/paid. */
export const DEFAULT_SPEND_MAPPING: SpendMapping = {
  google_ads: { source: 'google', medium: 'cpc' },
  meta_ads: { source: 'facebook', medium: 'paid' },
}

/** The outcome for one spend file. */
export interface ImportedSpendFile {
  file: string
  format: SpendFormat
  rows: number
  /** Days of campaigns not stored before. */
  added: number
  /** Stored days whose cost (or campaign id, impressions, clicks) the file corrected. */
  changed: number
  /** Stored days the file repeats as they are: a file imported twice adds and changes nothing. */
  unchanged: number
  costUsd: string
}

/** `cost:importSpend`: files as for `warehouse:importFiles`, and the mapping of platform exports. */
export interface SpendImportRequest {
  files: string[]
  mapping?: SpendMapping
}

const NAME = /^[^\0\r\n]{1,100}$/

/** Checks a mapping from outside: a non-empty source and medium per platform. */
export function spendMappingProblem(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return 'mapping must name a source and medium for google_ads and meta_ads.'
  for (const platform of ['google_ads', 'meta_ads'] as const) {
    const entry = (input as Record<string, unknown>)[platform] as Record<string, unknown> | undefined
    if (
      !entry ||
      typeof entry.source !== 'string' ||
      typeof entry.medium !== 'string' ||
      !NAME.test(entry.source.trim()) ||
      !NAME.test(entry.medium.trim())
    ) {
      return `mapping.${platform} needs a source and a medium (1 to 100 characters each).`
    }
  }
  return undefined
}
