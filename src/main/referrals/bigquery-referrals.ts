import { readFile } from 'node:fs/promises'
import { DEFAULT_REFERRAL_SETTINGS, type ReferralSettings, validateReferralSettings } from '@shared/referrals'
import type { BigQuerySettings } from '@shared/settings-api'
import type { DbtVars } from '../dbt/dbt-runner'
import { UserFacingError } from '../errors'
import { writePrivateJson } from '../private-files'

/**
 * The unwanted referrals and self-referral switch of BigQuery connections, in one file of the app's
 * data folder keyed by the marts dataset (`project.dataset`): dbt on BigQuery reads them only as
 * vars, which every dbt run the app starts there passes (referralVars).
 */
export class BigQueryReferralStore {
  constructor(private readonly path: string) {}

  /** The marts dataset a connection's settings belong to. */
  static keyOf(settings: Pick<BigQuerySettings, 'projectId' | 'martsDataset'>): string {
    return `${settings.projectId}.${settings.martsDataset}`
  }

  /** The connection's settings; the defaults when none were saved. A damaged file is an error, never silently the defaults. */
  async read(key: string): Promise<ReferralSettings> {
    const all = await this.readAll()
    const stored = all[key]
    if (stored === undefined) return structuredClone(DEFAULT_REFERRAL_SETTINGS)
    const checked = validateReferralSettings(stored)
    if (!checked.ok) throw new UserFacingError(`${this.path}: ${checked.error}`)
    return checked.value
  }

  /** Validates (a regex as RE2, BigQuery's engine, reads it) and stores a connection's settings atomically. */
  async write(key: string, input: unknown): Promise<ReferralSettings> {
    const checked = validateReferralSettings(input)
    if (!checked.ok) throw new UserFacingError(checked.error)
    for (const rule of checked.value.unwantedReferrals) {
      const problem = rule.matchType === 'regex' ? re2PatternProblem(rule.pattern) : undefined
      if (problem)
        throw new UserFacingError(`"${rule.pattern.slice(0, 80)}" is not a valid regular expression (${problem}). The rule was not saved.`)
    }
    const all = { ...(await this.readAll()), [key]: checked.value }
    try {
      await writePrivateJson(this.path, all)
    } catch (error) {
      throw new UserFacingError(`The referral settings could not be saved (${(error as NodeJS.ErrnoException).code ?? 'error'}).`)
    }
    return checked.value
  }

  private async readAll(): Promise<Record<string, unknown>> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw new UserFacingError(`${this.path} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`)
    }
    try {
      const parsed: unknown = JSON.parse(text)
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object')
      return parsed as Record<string, unknown>
    } catch {
      throw new UserFacingError(`${this.path} is not valid JSON; fix or delete it (detection on, no list then applies).`)
    }
  }
}

/** The dbt vars that carry a connection's settings into a BigQuery run (macros unwanted_referral_list_sql, detects_self_referrals_sql). */
export function referralVars(settings: ReferralSettings): Pick<DbtVars, 'unwanted_referrals' | 'detect_self_referrals'> {
  return {
    unwanted_referrals: settings.unwantedReferrals.map((rule) => ({ match_type: rule.matchType, pattern: rule.pattern })),
    detect_self_referrals: settings.detectsSelfReferrals,
  }
}

/**
 * Why RE2 (BigQuery's regexp_contains) would refuse a pattern, or undefined: JavaScript's parser for
 * the syntax, plus what RE2 lacks (lookaround, backreferences), which JavaScript would accept.
 */
export function re2PatternProblem(pattern: string): string | undefined {
  if (/\(\?<?[=!]/.test(pattern)) return 'lookahead and lookbehind are not supported by BigQuery'
  if (/\\[1-9]|\\k</.test(pattern)) return 'backreferences are not supported by BigQuery'
  try {
    new RegExp(pattern)
    return undefined
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^Invalid regular expression: /, '')
  }
}
