import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { extractFile } from '@electron/asar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_CHANNELS, type DbtSetupStatus, type WarehouseStatus } from '@shared/api'
import type { Result } from '@shared/attribution'
import { SMOKE_STEPS, SMOKE_TEST_FLAG } from '../electron/smoke-test'
import { ELECTRON_VERSION, PROJECT_DIR, type UnpackedApp, ensureBuilt, extractApp, fileStates, packageUnpacked } from './packaged-app.ts'
import type { HarnessReport } from './packaged-start-child.ts'
import { PackagedApp, installedAppEnv } from './packaged-start-driver.ts'

/** The project's dbt (the shared virtualenv), which the first run points Settings at: the fake cannot download one. */
const REPO_DBT = join(PROJECT_DIR, '.venv', 'bin', 'dbt')
const APP_PAGE = 'app://renderer/index.html'
/** A package index nobody answers on: the first run's automatic dbt set-up meets "no network", as on an offline machine. */
const UNREACHABLE_INDEX = 'http://127.0.0.1:9/simple'

/** The contract as the preload must expose it: `api.<domain>.<verb>`, one per channel. */
function contractShape(): Record<string, string[]> {
  const shape: Record<string, string[]> = {}
  for (const channel of API_CHANNELS) {
    const [domain = '', verb = ''] = channel.split(':')
    ;(shape[domain] ??= []).push(verb)
  }
  return Object.fromEntries(Object.entries(shape).map(([domain, verbs]) => [domain, verbs.sort()]))
}

function callsOf(report: HarnessReport, api: string): unknown[][] {
  return report.calls.filter((call) => call.api === api).map((call) => call.args)
}

async function waitFor<T>(read: () => Promise<T>, isDone: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (isDone(value)) return value
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

// Linux only: the stand-in is a Linux Electron. The release workflow runs the real one with --smoke-test on every system.
describe.skipIf(process.platform !== 'linux' || !existsSync(REPO_DBT))(
  'the packaged app started under Node with a fake electron module',
  () => {
    let workDir: string
    let packaged: UnpackedApp
    let appRoot: string
    /** The package's files before any start, but for the shim package the harness adds. */
    let packageBefore: Record<string, string>

    beforeAll(async () => {
      await ensureBuilt('packaged-start')
      workDir = mkdtempSync(join(tmpdir(), 'packaged-start-'))
      packaged = await packageUnpacked(workDir)
      appRoot = extractApp(packaged)
    })

    afterAll(() => {
      if (workDir) rmSync(workDir, { recursive: true, force: true })
    })

    /** A fresh home, data folder and start request for one run of the app. */
    function newInstall(name: string, args: string[] = []) {
      const home = join(workDir, name)
      const userDataDir = join(home, '.config', 'Realtime Attribution')
      mkdirSync(userDataDir, { recursive: true })
      const env = installedAppEnv({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), UV_DEFAULT_INDEX: UNREACHABLE_INDEX })
      const start = {
        appRoot,
        resourcesDir: packaged.resourcesDir,
        executable: packaged.executable,
        userDataDir,
        electronVersion: ELECTRON_VERSION,
        args,
      }
      return { home, userDataDir, env, start }
    }

    /** The package as installed, without the fake's `electron` shim: must not change while the app runs. */
    function packageFiles(): Record<string, string> {
      return Object.fromEntries(
        Object.entries(fileStates(packaged.resourcesDir)).filter(([path]) => !path.startsWith('app.asar.extracted/node_modules/electron/')),
      )
    }

    describe('a first run: start, first-run dbt, sample and build through the bridge, quit', () => {
      let app: PackagedApp
      let started: HarnessReport
      let install: ReturnType<typeof newInstall>

      beforeAll(async () => {
        packageBefore = packageFiles()
        install = newInstall('first-run')
        ;({ app, report: started } = await PackagedApp.start(install.start, install.env, install.home))
      })

      afterAll(() => app?.kill())

      it('starts without an Electron API the fake does not know and without an uncaught error', () => {
        expect(started.unknownApis).toEqual([])
        expect(started.errors).toEqual([])
      })

      it('registers app:// as privileged before ready and serves it once ready', () => {
        expect(callsOf(started, 'protocol.registerSchemesAsPrivileged')).toEqual([
          [[{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }], { isReady: false }],
        ])
        expect(started.protocolSchemes).toEqual(['app'])
      })

      it('opens one isolated, sandboxed window without Node, with the preload from inside the package, on the app:// page', () => {
        expect(started.windows).toHaveLength(1)
        const [window] = started.windows
        const preferences = window!.options.webPreferences as Record<string, unknown>
        expect(preferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true })
        const preload = preferences.preload as string
        expect(preload).toBe(join(appRoot, 'out', 'preload', 'index.cjs'))
        expect(realpathSync(preload).startsWith(`${realpathSync(packaged.resourcesDir)}/`)).toBe(true)
        expect(readFileSync(preload).equals(extractFile(packaged.asarFile, 'out/preload/index.cjs'))).toBe(true)
        expect(window!.url).toBe(APP_PAGE)
        expect(window!.visible).toBe(true)
      })

      it('binds every contract channel on ipcMain, once', () => {
        expect([...started.ipcChannels].sort()).toEqual([...API_CHANNELS].sort())
      })

      it('exposes through the preload exactly the contract: one method per channel, plus job progress and marts changed', () => {
        const { onJobProgress, onMartsChanged, ...domains } = started.exposed.api ?? {}
        expect(onJobProgress).toBe('function')
        expect(onMartsChanged).toBe('function')
        expect(domains).toEqual(contractShape())
        expect(callsOf(started, 'contextBridge.exposeInMainWorld')).toEqual([['api']])
      })

      it('keeps its data in the user-data folder Electron names', () => {
        expect(callsOf(started, 'app.getPath')).toContainEqual(['userData'])
        expect(existsSync(join(install.userDataDir, 'warehouse.duckdb'))).toBe(true)
      })

      it('serves the packaged renderer over app:// and refuses a way out of it', async () => {
        const html = extractFile(packaged.asarFile, 'out/renderer/index.html').toString('utf8')
        const page = await app.request<{ status: number; headers: Record<string, string>; body: string }>({
          command: 'serve',
          url: APP_PAGE,
        })
        expect(page.status).toBe(200)
        expect(page.body).toBe(html)
        expect(page.headers['content-security-policy']).toContain("default-src 'self'")
        const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1]
        expect(script).toMatch(/^\.?\/assets\/.+\.js$/)
        const asset = await app.request<{ status: number; headers: Record<string, string> }>({
          command: 'serve',
          url: new URL(script!, APP_PAGE).href,
        })
        expect(asset).toMatchObject({ status: 200, headers: { 'content-type': expect.stringContaining('javascript') } })
        // A Request folds "%2e%2e/" and "../" itself (as Chromium does) and the handler sees a name that is not there;
        // an encoded slash reaches the handler, which refuses it.
        for (const [url, status] of [
          ['app://renderer/%2e%2e/%2e%2e/package.json', 404],
          ['app://renderer/assets/../../main/index.js', 404],
          ['app://renderer/..%2fmain%2findex.js', 403],
          ['app://renderer/%2e%2e%2f%2e%2e%2fpackage.json', 403],
          ['app://elsewhere/index.html', 404],
        ] as const) {
          expect((await app.request<{ status: number }>({ command: 'serve', url })).status, url).toBe(status)
        }
      })

      it('keeps the window on its page, opens https links outside, adds the CSP and grants no permission', async () => {
        expect(await app.request({ command: 'navigate', url: 'https://example.com/' })).toEqual({ prevented: true })
        expect(await app.request({ command: 'navigate', url: `${APP_PAGE}#trends` })).toEqual({ prevented: false })
        expect(await app.request({ command: 'windowOpen', url: 'https://example.com/docs' })).toEqual({ action: 'deny' })
        expect(await app.request({ command: 'windowOpen', url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
        expect(callsOf(await app.request<HarnessReport>({ command: 'report' }), 'shell.openExternal')).toEqual([
          ['https://example.com/docs'],
        ])
        const headers = await app.request<{ responseHeaders: Record<string, string[]> }>({ command: 'headers', url: APP_PAGE })
        expect(headers.responseHeaders['Content-Security-Policy']?.[0]).toContain("default-src 'self'")
        expect(await app.request({ command: 'permission', permission: 'media' })).toEqual({ allowed: false })
      })

      it('answers only the app window: another sender or page gets a refusal', async () => {
        const webContentsId = started.windows[0]!.webContentsId
        for (const [senderId, frameUrl] of [
          [webContentsId + 1, APP_PAGE],
          [webContentsId, 'https://example.com/'],
        ] as const) {
          const answer = await app.request<Result<unknown>>({
            command: 'invokeAs',
            channel: 'warehouse:status',
            input: {},
            senderId,
            frameUrl,
          })
          expect(answer).toEqual({ ok: false, error: expect.stringContaining('Refused') })
        }
      })

      it('reaches, from each preload method, its own channel, whose handler refuses a malformed request', async () => {
        const invokedBefore = callsOf(await app.request<HarnessReport>({ command: 'report' }), 'ipcRenderer.invoke').length
        const answers = await app.inPage<Record<string, Result<unknown>>>(`(async () => {
        const answers = {}
        for (const [domain, verbs] of Object.entries(window.api)) {
          if (typeof verbs === 'function') continue
          for (const [verb, method] of Object.entries(verbs)) answers[domain + ':' + verb] = await method(42)
        }
        return answers
      })()`)
        const invoked = callsOf(await app.request<HarnessReport>({ command: 'report' }), 'ipcRenderer.invoke').slice(invokedBefore)
        expect(invoked.map(([channel]) => channel)).toEqual(Object.keys(answers))
        expect(Object.keys(answers).sort()).toEqual([...API_CHANNELS].sort())
        for (const [channel, answer] of Object.entries(answers)) expect(answer, channel).toEqual({ ok: false, error: expect.any(String) })
      })

      it('finds no dbt on first run, tries to set one up by itself and says why it could not', async () => {
        const status = await waitFor(
          () => app.inPage<Result<DbtSetupStatus>>('window.api.dbt.status({})'),
          (answer) => answer.ok && answer.value.state !== 'installing',
          'the automatic dbt set-up',
        )
        expect(status).toMatchObject({ ok: true, value: { state: 'failed', source: null } })
        expect(status.ok && status.value.error).toMatch(/^Could not reach .*ECONNREFUSED.*point Settings at an existing dbt/)
      })

      it('runs a first build from the page through the bridge: an existing dbt, the sample, the models, a comparison', async () => {
        await app.inPage('window.progress = []; window.api.onJobProgress((progress) => window.progress.push(progress)); true')
        const dbt = await app.inPage<Result<DbtSetupStatus>>(`window.api.dbt.useExecutable(${JSON.stringify({ path: REPO_DBT })})`)
        expect(dbt).toMatchObject({ ok: true, value: { state: 'ready', source: 'setting', executable: REPO_DBT } })

        const sample = await app.inPage<Result<WarehouseStatus>>('window.api.warehouse.generateSample({})')
        expect(sample).toMatchObject({ ok: true, value: { kind: 'embedded', hasModels: true } })
        expect(sample.ok && sample.value.events).toBeGreaterThan(1000)
        expect(sample.ok && sample.value.location).toContain(install.userDataDir)

        const jobs = new Set((await app.inPage<Array<{ job: string }>>('window.progress')).map((progress) => progress.job))
        expect([...jobs]).toEqual(expect.arrayContaining(['generate', 'build']))

        const compare = await app.inPage<Result<{ rows: unknown[]; totals: { conversions: number } }>>(
          "window.api.attribution.compare({ models: ['first_click', 'last_click'], lookbackDays: 14, conversionEvents: ['purchase'] })",
        )
        expect(compare.ok && compare.value.totals.conversions).toBeGreaterThan(0)
      })

      it('ran dbt from the package: the worker and project in the resources, the Python of the dbt in Settings', async () => {
        const report = await app.request<HarnessReport>({ command: 'report' })
        const worker = report.spawns.find((spawn) => spawn.args[0] === join(packaged.resourcesDir, 'dbt_worker.py'))
        expect(worker, JSON.stringify(report.spawns, null, 2)).toBeDefined()
        // The Python beside that dbt (a virtualenv's bin/ may hold symbolic links: compared as folders).
        expect(realpathSync(dirname(worker!.command))).toBe(realpathSync(dirname(REPO_DBT)))
        expect(worker!.cwd).toBe(join(packaged.resourcesDir, 'dbt_attribution'))
        expect(JSON.parse(readFileSync(join(install.userDataDir, 'settings.json'), 'utf8'))).toMatchObject({ dbtExecutable: REPO_DBT })
      })

      it('quits through the bounded shutdown when its window is closed, with status 0', async () => {
        await app.request({ command: 'closeWindow' })
        const exit = await app.exited
        expect(exit.code).toBe(0)
        const order = exit.report.calls.map((call) => call.api).filter((api) => api === 'app.quit' || api === 'app.exit')
        expect(order).toEqual(['app.quit', 'app.exit'])
        // In Electron the watchdog is the system shell (the RunAsNode fuse is off): the bundle must pick it.
        expect(exit.report.spawns.some((spawn) => spawn.command === '/bin/sh' && spawn.args.includes('watchdog'))).toBe(true)
        expect(exit.report.unknownApis).toEqual([])
        expect(exit.report.errors).toEqual([])
      })

      it('wrote nothing into the package, and the seeds it shipped are in the warehouse', async () => {
        await app.exited
        expect(packageFiles()).toEqual(packageBefore)
        const seed = readFileSync(join(packaged.resourcesDir, 'dbt_attribution', 'seeds', 'source_categories.csv'), 'utf8')
          .trim()
          .split('\n')
        const instance = await DuckDBInstance.create(join(install.userDataDir, 'warehouse.duckdb'), { access_mode: 'READ_ONLY' })
        const connection = await instance.connect()
        try {
          const rows = await (
            await connection.run("select count(*)::integer as n from information_schema.tables where table_name = 'source_categories'")
          ).getRows()
          expect(rows).toEqual([[1]])
          const [schema] = (
            await (
              await connection.run("select table_schema from information_schema.tables where table_name = 'source_categories'")
            ).getRows()
          )[0] as [string]
          const counted = await (await connection.run(`select count(*)::integer from "${schema}".source_categories`)).getRows()
          expect(counted).toEqual([[seed.length - 1]])
        } finally {
          connection.closeSync()
          instance.closeSync()
        }
      })
    })

    describe(`${SMOKE_TEST_FLAG}: the release workflow's check, run with the fake`, () => {
      it('passes every step the fake can show (renderer scripts do not run here) and quits through the bounded shutdown', async () => {
        const smokeDataDir = join(workDir, 'smoke-data')
        const install = newInstall('smoke', [`${SMOKE_TEST_FLAG}=${smokeDataDir}`])
        // Settings name the project's dbt, as a person may: the fake cannot download the first-run environment.
        mkdirSync(smokeDataDir, { recursive: true })
        copyFileSync(join(workDir, 'first-run', '.config', 'Realtime Attribution', 'settings.json'), join(smokeDataDir, 'settings.json'))
        const { app } = await PackagedApp.start(install.start, install.env, install.home)
        try {
          const exit = await app.exited
          const log = app.output.join('')
          // The sample replaces a warehouse's events: the smoke keeps out of the person's data folder.
          expect(callsOf(exit.report, 'app.setPath')).toEqual([['userData', smokeDataDir, { isReady: false }]])
          expect(existsSync(join(smokeDataDir, 'warehouse.duckdb'))).toBe(true)
          expect(existsSync(join(install.userDataDir, 'warehouse.duckdb'))).toBe(false)
          for (const step of SMOKE_STEPS.slice(0, -1)) expect(log, log).toContain(`[smoke] ok ${step.name}`)
          // The fake serves the page but runs none of its scripts: the last step fails here, and only here.
          expect(log).toContain(`[smoke] FAILED ${SMOKE_STEPS.at(-1)!.name}: #app is still empty`)
          expect(exit.code).toBe(1)
          expect(exit.report.calls.map((call) => call.api).filter((api) => api === 'app.quit' || api === 'app.exit')).toEqual([
            'app.quit',
            'app.exit',
          ])
          expect(exit.report.unknownApis).toEqual([])
          expect(exit.report.errors).toEqual([])
        } finally {
          app.kill()
        }
      })
    })
  },
)
