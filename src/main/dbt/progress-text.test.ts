import { describe, expect, it } from 'vitest'
import { parseDbtLogLine } from './dbt-runner'
import { describeDbtProgress, modelWords } from './progress-text'

/** One line of dbt's `--log-format json` output, shaped as dbt 1.x writes it (fields the app does not read left out). */
function logLine(name: string, data: Record<string, unknown>, level = 'info', msg = 'dbt says something'): string {
  return JSON.stringify({ data, info: { code: 'Q012', level, msg, name, ts: '2026-12-02T04:28:48.632407Z' } })
}
const node = (nodeName: string, resourceType = 'model') => ({ node_name: nodeName, resource_type: resourceType, node_status: 'started' })

function spoken(line: string): string | undefined {
  const progress = parseDbtLogLine(line)
  return progress && describeDbtProgress(progress)
}

describe('describeDbtProgress', () => {
  it("says which model is being built and where the run is, not dbt's raw line", () => {
    const start = logLine(
      'LogStartLine',
      { index: 3, total: 9, node_info: node('int_sessions_classified') },
      'info',
      '3 of 9 START sql table model attribution.int_sessions_classified ....... [RUN]',
    )
    expect(spoken(start)).toBe('Building sessions (3 of 9)')
    const done = logLine('LogModelResult', { index: 3, total: 9, status: 'OK', node_info: node('int_sessions_classified') })
    expect(spoken(done)).toBe('Built sessions (3 of 9)')
  })

  it('names every model of the project in words and falls back to the file name for others', () => {
    expect(modelWords('stg_ga4__events')).toBe('events')
    expect(modelWords('int_touchpoints_joined_to_conversions')).toBe('touchpoints')
    expect(modelWords('rpt_build_info')).toBe('the run record')
    expect(modelWords('stg_shop__order_items')).toBe('order items')
    expect(modelWords('int_orders_pivoted')).toBe('orders pivoted')
  })

  it('tells failures, skips and data checks apart', () => {
    const failed = logLine('LogModelResult', { index: 5, total: 9, status: 'ERROR', node_info: node('fct_attribution_credits') }, 'error')
    expect(spoken(failed)).toBe('Could not build attribution credits (5 of 9)')
    const skipped = logLine('LogModelResult', { index: 6, total: 9, status: 'SKIP', node_info: node('rpt_data_quality') })
    expect(spoken(skipped)).toBe('Skipped data quality report (6 of 9)')
    const check = logLine('LogTestResult', {
      index: 12,
      num_models: 40,
      status: 'pass',
      node_info: node('not_null_stg_ga4__events_event_key', 'test'),
    })
    expect(spoken(check)).toBe('Checked the data (12 of 40)')
    const failedCheck = logLine(
      'LogTestResult',
      { index: 13, num_models: 40, status: 'fail', node_info: node('unique_x', 'test') },
      'error',
    )
    expect(spoken(failedCheck)).toBe('A data check failed (13 of 40)')
  })

  it("words the run's hooks too", () => {
    const start = '1 of 2 START hook: dbt_attribution.on-run-start.0 ....... [RUN]'
    expect(spoken(logLine('LogHookStartLine', { index: 1, total: 2, statement: 'dbt_attribution.on-run-start.0' }, 'info', start))).toBe(
      'Preparing the run (1 of 2)',
    )
    const end = '1 of 1 OK hook: dbt_attribution.on-run-end.0 ....... [OK in 0.01s]'
    expect(spoken(logLine('LogHookEndLine', { index: 1, total: 1, statement: 'dbt_attribution.on-run-end.0' }, 'info', end))).toBe(
      'Finishing the run (1 of 1)',
    )
  })

  it('never stutters on the run record ("Built build info")', () => {
    const done = logLine('LogModelResult', { index: 9, total: 9, status: 'OK', node_info: node('rpt_build_info') })
    expect(spoken(done)).toBe('Built the run record (9 of 9)')
  })

  it('says nothing for lines that are no step of the run', () => {
    expect(spoken(logLine('MainReportVersion', {}))).toBeUndefined()
    expect(spoken('Running with dbt=1.9')).toBeUndefined()
  })
})
