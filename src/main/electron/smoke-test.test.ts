import { describe, expect, it } from 'vitest'
import { API_CHANNELS } from '@shared/api'
import { APP_PAGE_URL } from './app-protocol'
import { SMOKE_STEPS, SMOKE_TEST_FLAG, type SmokeWebContents, armSmokeTest, parseSmokeTestFlag, runSmokeTest } from './smoke-test'

/** A window whose page answers each step's code from a table (the first entry whose key the code contains). */
function scriptedPage(answers: Array<[string, unknown]>, options: { loading?: boolean } = {}) {
  const listeners = new Map<string, (...args: unknown[]) => void>()
  const asked: string[] = []
  const contents: SmokeWebContents & { finishLoad(): void } = {
    isLoading: () => options.loading ?? false,
    once: (event: string, listener: (...args: never[]) => void) => listeners.set(event, listener as (...args: unknown[]) => void),
    executeJavaScript: async (code: string) => {
      asked.push(code)
      const answer = answers.find(([key]) => code.includes(key))
      if (!answer) throw new Error(`unexpected code: ${code}`)
      return typeof answer[1] === 'function' ? (answer[1] as () => unknown)() : answer[1]
    },
    finishLoad: () => listeners.get('did-finish-load')?.(),
  }
  return { contents, asked }
}

/** What the preload exposes: one object per contract domain, and the progress listener. */
const API_KEYS = [...new Set(API_CHANNELS.map((channel) => channel.split(':')[0]!)), 'onJobProgress'].sort()
const PASSING: Array<[string, unknown]> = [
  ['location.href', { href: APP_PAGE_URL, title: 'Realtime Attribution', api: API_KEYS }],
  ['warehouse.status', { ok: true, value: { kind: 'embedded', location: '/tmp/w.duckdb' } }],
  ['dbt.setup', { ok: true, value: { state: 'ready', source: 'data-folder', dbtVersion: '1.11.0', error: null } }],
  ['generateSample', { ok: true, value: { events: 5000, hasModels: true } }],
  ['attribution.compare', { ok: true, value: { rows: [{}], totals: { conversions: 12 } } }],
  ["getElementById('app')", 3],
]

describe('parseSmokeTestFlag', () => {
  it('is off without the flag, a new folder with it, the named folder with =DIR', () => {
    expect(parseSmokeTestFlag(['app', '--other'])).toBeUndefined()
    expect(parseSmokeTestFlag(['app', SMOKE_TEST_FLAG], () => '/tmp/new-smoke')).toEqual({ dataDir: '/tmp/new-smoke' })
    expect(parseSmokeTestFlag(['app', `${SMOKE_TEST_FLAG}=/srv/smoke`], () => '/tmp/unused')).toEqual({ dataDir: '/srv/smoke' })
  })
})

describe('runSmokeTest', () => {
  it('waits for the page, runs every step in order through window.api and returns 0', async () => {
    const { contents, asked } = scriptedPage(PASSING, { loading: true })
    const lines: string[] = []
    const running = runSmokeTest(contents, { log: (line) => lines.push(line) })
    await Promise.resolve()
    expect(asked).toEqual([])
    contents.finishLoad()
    expect(await running).toBe(0)
    expect(lines.filter((line) => line.startsWith('[smoke] ok')).length).toBe(SMOKE_STEPS.length)
    expect(lines.at(-1)).toBe('[smoke] passed')
    expect(asked.some((code) => code.includes('window.api.dbt.setup({})'))).toBe(true)
  })

  it('stops at the first failed step, names it with the API error, and returns 1', async () => {
    const failing = PASSING.map(([key, answer]): [string, unknown] =>
      key === 'dbt.setup'
        ? [key, { ok: true, value: { state: 'failed', source: null, dbtVersion: null, error: 'No network: uv could not be downloaded.' } }]
        : [key, answer],
    )
    const { contents, asked } = scriptedPage(failing)
    const lines: string[] = []
    expect(await runSmokeTest(contents, { log: (line) => lines.push(line) })).toBe(1)
    expect(lines.at(-1)).toBe('[smoke] FAILED dbt set up on first run: dbt is failed: No network: uv could not be downloaded.')
    expect(asked.some((code) => code.includes('generateSample'))).toBe(false)
  })

  it('refuses a page that is not the packaged renderer', async () => {
    const wrongPage = PASSING.map(([key, answer]): [string, unknown] =>
      key === 'location.href' ? [key, { href: 'http://localhost:5173/', title: '', api: API_KEYS }] : [key, answer],
    )
    const lines: string[] = []
    expect(await runSmokeTest(scriptedPage(wrongPage).contents, { log: (line) => lines.push(line) })).toBe(1)
    expect(lines.at(-1)).toContain(`not ${APP_PAGE_URL}`)
  })
})

describe('armSmokeTest', () => {
  it('exits with 2 when the smoke outlasts its bound, and with 1 at once on an unhandled rejection', async () => {
    const before = { rejection: process.listeners('unhandledRejection'), exception: process.listeners('uncaughtException') }
    const exits: number[] = []
    const lines: string[] = []
    armSmokeTest({ log: (line) => lines.push(line), exitNow: (code) => exits.push(code), timeoutMs: 50 })
    try {
      const added = process.listeners('unhandledRejection').filter((listener) => !before.rejection.includes(listener))
      expect(added).toHaveLength(1)
      added[0]!(new Error('the services did not start'), Promise.resolve())
      expect(exits).toEqual([1])
      expect(lines.at(-1)).toMatch(/^\[smoke\] FAILED: unhandled rejection in the main process: Error: the services did not start/)
      await new Promise((resolve) => setTimeout(resolve, 150))
      expect(exits).toEqual([1, 2])
      expect(lines.at(-1)).toBe('[smoke] FAILED: not done after 0.05 s')
    } finally {
      for (const listener of process.listeners('unhandledRejection'))
        if (!before.rejection.includes(listener)) process.off('unhandledRejection', listener)
      for (const listener of process.listeners('uncaughtException'))
        if (!before.exception.includes(listener)) process.off('uncaughtException', listener)
    }
  })
})
