// `--smoke-test`: the installed app proves itself on the release runners (real Electron, real IPC, real dbt),
// then quits: 0 when every step passed, 1 when one failed or the main process crashed, 2 when it ran out of time.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { API_CHANNELS } from '@shared/api'
import { DEFAULT_CONVERSION_EVENTS, LOOKBACK_DEFAULT_DAYS } from '@shared/attribution'
import { messageOf } from '../errors'
import { APP_PAGE_URL } from './app-protocol'

/** The command-line flag that runs the smoke test instead of waiting for a person. */
export const SMOKE_TEST_FLAG = '--smoke-test'

/** What `--smoke-test[=DIR]` asks for: the data folder to use, a new empty one unless DIR is given. */
export interface SmokeTestRequest {
  dataDir: string
}

/**
 * Reads the flag from the command line. The smoke generates sample data, which replaces a warehouse's
 * events, so it never uses the person's own data folder: a new temporary one, or the DIR named.
 */
export function parseSmokeTestFlag(
  argv: readonly string[],
  makeTempDir = () => mkdtempSync(join(tmpdir(), 'realtime-attribution-smoke-')),
): SmokeTestRequest | undefined {
  const flag = argv.find((arg) => arg === SMOKE_TEST_FLAG || arg.startsWith(`${SMOKE_TEST_FLAG}=`))
  if (flag === undefined) return undefined
  const dir = flag.slice(SMOKE_TEST_FLAG.length + 1)
  return { dataDir: dir === '' ? makeTempDir() : resolve(dir) }
}

/** The whole smoke's bound: the first-run dbt set-up downloads uv and the pinned Python packages. */
export const SMOKE_TEST_TIMEOUT_MS = 20 * 60_000

/** How long the renderer may take to mount the app after the page loaded. */
const MOUNT_WAIT_MS = 5_000

/** The part of Electron's webContents the smoke uses. */
export interface SmokeWebContents {
  isLoading(): boolean
  once(event: 'did-finish-load', listener: () => void): unknown
  once(event: 'did-fail-load', listener: (event: unknown, code: number, description: string) => void): unknown
  executeJavaScript(code: string): Promise<unknown>
}

/** What the smoke's guard needs from the host. */
export interface SmokeGuardOptions {
  log: (line: string) => void
  /** Ends the process at once (app.exit). */
  exitNow: (code: number) => void
  timeoutMs?: number
}

/** A step: runs in the app window's page (through `window.api`, so over real IPC) and says what it saw. */
interface SmokeStep {
  name: string
  run: (inPage: (code: string) => Promise<unknown>) => Promise<string>
}

interface ResultLike {
  ok: boolean
  value?: unknown
  error?: string
}

/** The value of an `{ ok, value }` result from the page, or a throw with its error. */
function valueOf<T>(result: unknown, what: string): T {
  const answer = result as ResultLike | null
  if (!answer || typeof answer !== 'object' || typeof answer.ok !== 'boolean')
    throw new Error(`${what}: not a result: ${JSON.stringify(result)}`)
  if (!answer.ok) throw new Error(`${what}: ${answer.error ?? 'failed'}`)
  return answer.value as T
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message)
}

/** The first run a person makes: the page with its API, dbt ready, the sample generated and built, a report read, the app shown. */
export const SMOKE_STEPS: readonly SmokeStep[] = [
  {
    name: 'the packaged renderer loaded with the API',
    run: async (inPage) => {
      const page = (await inPage(
        "({ href: location.href, title: document.title, api: typeof window.api === 'object' && window.api !== null ? Object.keys(window.api).sort() : null })",
      )) as { href: string; title: string; api: string[] | null }
      check(page.href === APP_PAGE_URL, `the window shows ${page.href}, not ${APP_PAGE_URL}`)
      const domains = [...new Set(API_CHANNELS.map((channel) => channel.split(':')[0]!))]
      const missing = domains.filter((domain) => !page.api?.includes(domain))
      check(missing.length === 0, `window.api lacks ${missing.join(', ') || 'everything'}`)
      return `${page.href} "${page.title}", window.api: ${page.api?.join(', ')}`
    },
  },
  {
    name: 'warehouse:status over IPC',
    run: async (inPage) => {
      const status = valueOf<{ kind: string; location: string }>(await inPage('window.api.warehouse.status({})'), 'warehouse:status')
      return `${status.kind} warehouse at ${status.location}`
    },
  },
  {
    name: 'dbt set up on first run',
    run: async (inPage) => {
      const dbt = valueOf<{ state: string; source: string | null; dbtVersion: string | null; error: string | null }>(
        await inPage('window.api.dbt.setup({})'),
        'dbt:setup',
      )
      check(dbt.state === 'ready', `dbt is ${dbt.state}: ${dbt.error ?? 'no error given'}`)
      return `dbt ${dbt.dbtVersion ?? '?'} from ${dbt.source}`
    },
  },
  {
    name: 'sample generated and built',
    run: async (inPage) => {
      const status = valueOf<{ events: number; hasModels: boolean }>(
        await inPage('window.api.warehouse.generateSample({})'),
        'warehouse:generateSample',
      )
      check(status.events > 0 && status.hasModels, `after the sample: ${status.events} events, models built: ${status.hasModels}`)
      return `${status.events} events, models built`
    },
  },
  {
    name: 'a comparison read from the marts',
    run: async (inPage) => {
      const request = {
        models: ['first_click', 'last_click'],
        lookbackDays: LOOKBACK_DEFAULT_DAYS,
        conversionEvents: DEFAULT_CONVERSION_EVENTS,
      }
      const result = valueOf<{ rows: unknown[]; totals: { conversions: number } }>(
        await inPage(`window.api.attribution.compare(${JSON.stringify(request)})`),
        'attribution:compare',
      )
      check(result.rows.length > 0 && result.totals.conversions > 0, 'the comparison is empty')
      return `${result.rows.length} channels, ${result.totals.conversions} conversions`
    },
  },
  {
    // Last, so a fake without a renderer still runs every step before it.
    name: 'the renderer mounted the app',
    run: async (inPage) => {
      const deadline = Date.now() + MOUNT_WAIT_MS
      for (;;) {
        const children = Number(await inPage("document.getElementById('app')?.childElementCount ?? 0"))
        if (children > 0) return `#app has ${children} element(s)`
        if (Date.now() > deadline)
          throw new Error(`#app is still empty ${MOUNT_WAIT_MS / 1000} s after the page loaded: the renderer's script did not run`)
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    },
  },
]

/**
 * Armed as the app starts with the flag: exits with 2 when the smoke is not over in time (start-up and
 * quit included), and with 1 at once on an uncaught exception or unhandled rejection in the main process.
 */
export function armSmokeTest(options: SmokeGuardOptions): void {
  const timeoutMs = options.timeoutMs ?? SMOKE_TEST_TIMEOUT_MS
  setTimeout(() => {
    options.log(`[smoke] FAILED: not done after ${timeoutMs / 1000} s`)
    options.exitNow(2)
  }, timeoutMs).unref()
  const crash = (kind: string) => (error: unknown) => {
    options.log(`[smoke] FAILED: ${kind} in the main process: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    options.exitNow(1)
  }
  process.on('uncaughtException', crash('uncaught exception'))
  process.on('unhandledRejection', crash('unhandled rejection'))
}

/** Waits for the window's page, runs every step in order and returns the exit code: 0 when all passed, else 1. */
export async function runSmokeTest(contents: SmokeWebContents, options: { log: (line: string) => void }): Promise<number> {
  try {
    if (contents.isLoading()) {
      await new Promise<void>((resolve, reject) => {
        contents.once('did-finish-load', () => resolve())
        contents.once('did-fail-load', (_event, code, description) => reject(new Error(`the page did not load (${code} ${description})`)))
      })
    }
    const inPage = (code: string) => contents.executeJavaScript(code)
    for (const step of SMOKE_STEPS) {
      const started = Date.now()
      try {
        const detail = await step.run(inPage)
        options.log(`[smoke] ok ${step.name} (${Date.now() - started} ms): ${detail}`)
      } catch (error) {
        options.log(`[smoke] FAILED ${step.name}: ${messageOf(error)}`)
        return 1
      }
    }
    options.log('[smoke] passed')
    return 0
  } catch (error) {
    options.log(`[smoke] FAILED: ${messageOf(error)}`)
    return 1
  }
}
