import type { ReportGrouping } from '@shared/attribution'
import type { PathFilter, PathSort, PathSortColumn } from '@shared/api'

/**
 * SQL text both warehouses share for the attribution dimensions and the paths' filter and order:
 * written once, with the parameter marker as the only dialect difference (DuckDB `$`, BigQuery `@`).
 * Only allow-listed text is written into SQL; every value a person typed is a bound parameter.
 */

/** A parameter marker: `$name` for DuckDB, `@name` for BigQuery. */
export type ParamMarker = '$' | '@'

/** Each dimension's value in a credits row; source / medium as GA4 writes it ("google / cpc"). */
const DIMENSION_SQL: Readonly<Record<ReportGrouping, string>> = {
  channel: 'channel',
  source_medium: `concat(coalesce(source, '(not set)'), ' / ', coalesce(medium, '(not set)'))`,
  source: `coalesce(source, '(not set)')`,
  medium: `coalesce(medium, '(not set)')`,
  campaign: `coalesce(campaign, '(not set)')`,
}

/** The expression of one dimension's value in a credits row (channel when absent). */
export function dimensionSql(by: ReportGrouping | undefined): string {
  return DIMENSION_SQL[by ?? 'channel']
}

/** Joins a path's steps into its text; a value holding the separator is matched as written. */
export const PATH_SEPARATOR = ' > '

/** The path filter as a condition over a `paths` row with `path_text` and `path_length` columns. */
export function pathFilterSql(p: ParamMarker): string {
  const padded = `concat('${PATH_SEPARATOR}', lower(path_text), '${PATH_SEPARATOR}')`
  return `(${p}contains is null or strpos(${padded}, concat('${PATH_SEPARATOR}', lower(${p}contains), '${PATH_SEPARATOR}')) > 0)
      and (${p}starts_with is null or starts_with(${padded}, concat('${PATH_SEPARATOR}', lower(${p}starts_with), '${PATH_SEPARATOR}')))
      and (${p}ends_with is null or ends_with(${padded}, concat('${PATH_SEPARATOR}', lower(${p}ends_with), '${PATH_SEPARATOR}')))
      and (${p}min_length is null or path_length >= ${p}min_length)
      and (${p}max_length is null or path_length <= ${p}max_length)`
}

/** The filter's values as named parameters (null where unset). */
export function pathFilterValues(
  filter: PathFilter | undefined,
): Record<'contains' | 'starts_with' | 'ends_with' | 'min_length' | 'max_length', string | number | null> {
  return {
    contains: filter?.contains ?? null,
    starts_with: filter?.startsWith ?? null,
    ends_with: filter?.endsWith ?? null,
    min_length: filter?.minLength ?? null,
    max_length: filter?.maxLength ?? null,
  }
}

const SORT_SQL: Readonly<Record<PathSortColumn, string>> = {
  path: 'lower(path_text)',
  conversions: 'conversions',
  revenue: 'revenue_cents',
  touches: 'touches_sum / conversions',
  days: 'days_sum / conversions',
}

/** The order of the paths: the asked column, then most conversions, most revenue and the path's text. */
export function pathOrderSql(sort: PathSort | undefined): string {
  const column = SORT_SQL[sort?.column ?? 'conversions']
  const direction = sort?.direction === 'asc' ? 'asc' : 'desc'
  return `${column} ${direction}, conversions desc, revenue_cents desc, path_text`
}

/**
 * The CTEs and final select that page a `paths` CTE (channels, path_text, path_length, conversions,
 * revenue_cents, touches_sum, days_sum, early, middle, late): the matching paths ranked in the asked
 * order, `limit` of them after `offset`, each row carrying the totals of all and of the matching
 * paths; an empty page still gives one row (with no rank) that carries them.
 */
export function pathPageSql(p: ParamMarker, sort: PathSort | undefined): string {
  return `all_paths as (
      select 1 as one, count(*) as total_paths,
        coalesce(sum(conversions), 0) as all_conversions,
        coalesce(sum(revenue_cents), 0) as all_revenue_cents
      from paths),
    matching as (select * from paths where ${pathFilterSql(p)}),
    matched as (
      select count(*) as matching_paths,
        coalesce(sum(conversions), 0) as matching_conversions,
        coalesce(sum(revenue_cents), 0) as matching_revenue_cents
      from matching),
    ranked as (select matching.*, 1 as one, row_number() over (order by ${pathOrderSql(sort)}) as path_rank from matching),
    page as (select * from ranked where path_rank > ${p}offset and path_rank <= ${p}offset + ${p}limit)
    select page.path_rank, page.channels, page.conversions, page.revenue_cents, page.touches_sum, page.days_sum,
      page.early, page.middle, page.late,
      all_paths.total_paths, all_paths.all_conversions, all_paths.all_revenue_cents,
      matched.matching_paths, matched.matching_conversions, matched.matching_revenue_cents
    from all_paths
    cross join matched
    left join page on page.one = all_paths.one
    order by page.path_rank`
}
