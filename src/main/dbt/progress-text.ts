import type { DbtProgress } from './dbt-runner'

/** The app's dbt models in people's words; a model not listed here is named from its file name. */
const MODEL_WORDS: Readonly<Record<string, string>> = {
  stg_ga4__events: 'events',
  int_users_changed: 'changed users',
  int_sessions_classified: 'sessions',
  int_conversions_deduplicated: 'conversions',
  int_touchpoints_joined_to_conversions: 'touchpoints',
  fct_attribution_credits: 'attribution credits',
  agg_channel_transitions: 'channel transitions (data-driven)',
  rpt_data_quality: 'data quality report',
  // "Built build info" read as a stutter.
  rpt_build_info: 'the run record',
}

/** A model's name for people: "int_sessions_classified" -> "sessions", "stg_shop__orders" -> "orders". */
export function modelWords(node: string): string {
  const known = MODEL_WORDS[node]
  if (known) return known
  const entity =
    node
      .replace(/^(stg|int|fct|dim|agg|rpt)_/, '')
      .split('__')
      .at(-1) ?? node
  return entity.replace(/_/g, ' ').trim() || node
}

/**
 * One dbt step as a person would say it, "Building sessions (3 of 9)", or undefined for lines
 * that are no step of the run (dbt's own message is still in `progress.message`).
 */
export function describeDbtProgress(progress: DbtProgress): string | undefined {
  if (progress.index === undefined || progress.total === undefined) return undefined
  const position = `(${progress.index} of ${progress.total})`
  // on-run-start/end hooks number their own steps; dbt's line names which one ("hook: x.on-run-start.0").
  if (progress.event.startsWith('LogHook'))
    return `${/on-run-start/.test(progress.message) ? 'Preparing' : 'Finishing'} the run ${position}`
  const isDone = progress.event !== 'LogStartLine'
  const failed = progress.level === 'error' || /^(error|fail)/i.test(progress.status ?? '')
  if (progress.resourceType === 'test') {
    return failed ? `A data check failed ${position}` : `${isDone ? 'Checked' : 'Checking'} the data ${position}`
  }
  if (progress.resourceType === 'seed') return `${isDone ? 'Loaded' : 'Loading'} ${modelWords(progress.node ?? 'seed data')} ${position}`
  if (!progress.node) return `${isDone ? 'Built' : 'Building'} the models ${position}`
  const words = modelWords(progress.node)
  if (failed) return `Could not build ${words} ${position}`
  if (/^skip/i.test(progress.status ?? '')) return `Skipped ${words} ${position}`
  return `${isDone ? 'Built' : 'Building'} ${words} ${position}`
}
