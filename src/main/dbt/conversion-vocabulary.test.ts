import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CONVERSION_EVENTS, GA4_EVENT_NAME_PATTERN, validateConversionEvents } from '@shared/attribution'
import { projectRoot } from '../paths'

// dbt is the source of the conversion vocabulary (style rule 14): TypeScript's copies are checked here.
const DBT = join(projectRoot(), 'dbt_attribution')

describe('the conversion events TypeScript shares with dbt', () => {
  it('default to the dbt var conversion_events', () => {
    const project = readFileSync(join(DBT, 'dbt_project.yml'), 'utf8')
    const line = /^\s+conversion_events:\s*(\[.*\])\s*$/m.exec(project)
    expect(line, 'vars.conversion_events in dbt_project.yml').not.toBeNull()
    expect(JSON.parse(line?.[1] ?? '[]')).toEqual([...DEFAULT_CONVERSION_EVENTS])
  })

  it('follow the event-name rule of the dbt macro ga4_event_name_pattern', () => {
    const macros = readFileSync(join(DBT, 'macros', 'attribution', 'attribution_vars.sql'), 'utf8')
    const pattern = /macro ga4_event_name_pattern\(\)[\s\S]*?return\('([^']+)'\)/.exec(macros)?.[1]
    expect(pattern).toBe(GA4_EVENT_NAME_PATTERN.source)
  })

  it('accept any GA4 event name and refuse others with the rule', () => {
    expect(validateConversionEvents(['generate_lead', 'sign_up', 'view_item', 'purchase', 'generate_lead'])).toEqual({
      ok: true,
      value: ['generate_lead', 'sign_up', 'view_item', 'purchase'],
    })
    expect(validateConversionEvents([`a${'b'.repeat(39)}`]).ok).toBe(true)
    for (const bad of [`a${'b'.repeat(40)}`, '1st_event', 'file-download', 'view item', '', 'événement']) {
      expect(validateConversionEvents([bad]), bad).toEqual({
        ok: false,
        error: `${JSON.stringify(bad)} is not a GA4 event name: a letter, then letters, digits or underscores, at most 40 characters.`,
      })
    }
    expect(validateConversionEvents([])).toEqual({ ok: false, error: 'Choose at least one conversion event.' })
  })
})
