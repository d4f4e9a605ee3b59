import type { DuckDBConnection } from '@duckdb/node-api'
import { UserFacingError } from '../errors'
import {
  DEFAULT_REFERRAL_SETTINGS,
  type ReferralCandidate,
  type ReferralMatchType,
  type ReferralSettings,
  isPaymentOrIdentityHost,
  validateReferralSettings,
} from '@shared/referrals'
import { MODEL_SCHEMA, RAW_SCHEMA } from '../warehouse/duckdb-schema'
import { hasTables } from '../warehouse/duckdb-queries'

/** The list and the switch the warehouse keeps (ga4.unwanted_referrals, ga4.referral_settings); the defaults where it keeps none. */
export async function readReferralSettings(connection: DuckDBConnection): Promise<ReferralSettings> {
  const tables = await hasTables(connection, RAW_SCHEMA, ['unwanted_referrals', 'referral_settings'])
  if (tables.size < 2) return structuredClone(DEFAULT_REFERRAL_SETTINGS)
  const rules = await connection.runAndReadAll(
    `select match_type, pattern from ${RAW_SCHEMA}.unwanted_referrals order by added_at, match_type, pattern`,
  )
  const detection = await connection.runAndReadAll(
    `select coalesce(bool_and(detects_self_referrals), true) as detects from ${RAW_SCHEMA}.referral_settings`,
  )
  return {
    detectsSelfReferrals: Boolean(detection.getRowObjectsJson()[0]?.detects ?? true),
    unwantedReferrals: rules
      .getRowObjectsJson()
      .map((row) => ({ matchType: String(row.match_type) as ReferralMatchType, pattern: String(row.pattern) })),
  }
}

/**
 * Copies the list and the switch from the attached warehouse `from` into the connection's own ga4
 * tables (the app's serving copy), so the views name what their numbers were modelled with.
 */
export async function copyReferralSettings(connection: DuckDBConnection, from: string): Promise<void> {
  const present = await connection.runAndReadAll(
    `select table_name from duckdb_tables() where database_name = $from and schema_name = $schema and table_name in ('unwanted_referrals', 'referral_settings')`,
    { from, schema: RAW_SCHEMA },
  )
  const names = new Set(present.getRows().map((row) => String(row[0])))
  await connection.run(`create or replace table ${RAW_SCHEMA}.unwanted_referrals (match_type varchar, pattern varchar, added_at timestamp)`)
  await connection.run(`create or replace table ${RAW_SCHEMA}.referral_settings (detects_self_referrals boolean)`)
  if (names.has('unwanted_referrals'))
    await connection.run(
      `insert into ${RAW_SCHEMA}.unwanted_referrals select match_type, pattern, added_at from ${from}.${RAW_SCHEMA}.unwanted_referrals`,
    )
  if (names.has('referral_settings'))
    await connection.run(
      `insert into ${RAW_SCHEMA}.referral_settings select detects_self_referrals from ${from}.${RAW_SCHEMA}.referral_settings`,
    )
}

/** Refuses a pattern the warehouse's regex engine (RE2, as BigQuery's) cannot compile, with its reason. */
export async function checkRegex(connection: DuckDBConnection, pattern: string): Promise<void> {
  try {
    await connection.run(`select regexp_matches('', '(?i)' || $pattern)`, { pattern })
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^.*?Error:\s*/s, '').split('\n')[0]
    throw new UserFacingError(`"${pattern.slice(0, 80)}" is not a valid regular expression (${reason}). The rule was not saved.`)
  }
}

/**
 * Validates and stores the settings in one transaction (rules are replaced as a whole; a rule kept
 * keeps its place). The next dbt run re-models the users whose referral sources they change.
 */
export async function writeReferralSettings(connection: DuckDBConnection, input: unknown): Promise<ReferralSettings> {
  const checked = validateReferralSettings(input)
  if (!checked.ok) throw new UserFacingError(checked.error)
  const settings = checked.value
  for (const rule of settings.unwantedReferrals) if (rule.matchType === 'regex') await checkRegex(connection, rule.pattern)
  await connection.run('begin transaction')
  try {
    await connection.run(`create temp table wanted_rules (match_type varchar, pattern varchar, position integer)`)
    for (const [position, rule] of settings.unwantedReferrals.entries()) {
      await connection.run('insert into wanted_rules values ($type, $pattern, $position)', {
        type: rule.matchType,
        pattern: rule.pattern,
        position,
      })
    }
    await connection.run(`delete from ${RAW_SCHEMA}.unwanted_referrals
      where (match_type, pattern) not in (select (match_type, pattern) from wanted_rules)`)
    // New rules are stamped in list order, a microsecond apart, so the list reads back as it was saved.
    await connection.run(`insert into ${RAW_SCHEMA}.unwanted_referrals
      select match_type, pattern, current_timestamp::timestamp + to_microseconds(position) from wanted_rules
      where (match_type, pattern) not in (select (match_type, pattern) from ${RAW_SCHEMA}.unwanted_referrals)`)
    await connection.run(`delete from ${RAW_SCHEMA}.referral_settings`)
    // No row is the default (on); a row only records the switch turned off.
    if (!settings.detectsSelfReferrals) await connection.run(`insert into ${RAW_SCHEMA}.referral_settings values (false)`)
    await connection.run('drop table wanted_rules')
    await connection.run('commit')
  } catch (error) {
    await connection.run('rollback').catch(() => undefined)
    await connection.run('drop table if exists wanted_rules').catch(() => undefined)
    throw error
  }
  return readReferralSettings(connection)
}

/**
 * Referral sources worth listing, from the last build: those on the property's own registrable
 * domains and known payment and identity hosts, with the sessions that name them, most first.
 */
export async function queryReferralCandidates(connection: DuckDBConnection): Promise<ReferralCandidate[]> {
  const tables = await hasTables(connection, MODEL_SCHEMA, ['int_referral_sources', 'stg_ga4__events'])
  if (tables.size < 2) return []
  const reader = await connection.runAndReadAll(`
    with referral_sessions as (
        select source, count(distinct (user_key, ga_session_id)) as sessions
        from ${MODEL_SCHEMA}.stg_ga4__events
        where lower(medium) = 'referral' and source is not null and user_key is not null and ga_session_id is not null
        group by source
    )
    select sources.source, sources.host, sources.is_property_domain, sources.is_unwanted, coalesce(referral_sessions.sessions, 0) as sessions
    from ${MODEL_SCHEMA}.int_referral_sources as sources
    left join referral_sessions on sources.source = referral_sessions.source
    order by sessions desc, sources.source`)
  const candidates: ReferralCandidate[] = []
  for (const row of reader.getRowObjectsJson()) {
    const host = String(row.host)
    const reason = row.is_property_domain ? 'own-domain' : isPaymentOrIdentityHost(host) ? 'payment-or-identity' : null
    if (!reason) continue
    candidates.push({ source: String(row.source), host, sessions: Number(row.sessions), reason, isUnwanted: Boolean(row.is_unwanted) })
  }
  return candidates
}
