import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix, resolve, sep } from 'node:path'
import { promisify } from 'node:util'
import { extractFile, listPackage } from '@electron/asar'
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses'
import type { Configuration } from 'app-builder-lib'
import { getConfig } from 'app-builder-lib/out/util/config/config.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FUSE_DISABLED, FUSE_ENABLED, writeStandInElectron } from './stand-in-electron.ts'

const PROJECT_DIR = resolve(import.meta.dirname, '../../..')
const ELECTRON_BUILDER_CLI = join(PROJECT_DIR, 'node_modules/electron-builder/cli.js')
const ELECTRON_VITE_CLI = join(PROJECT_DIR, 'node_modules/electron-vite/bin/electron-vite.js')
/** What `npm run build` writes; the test builds it when it is missing. */
const BUILT_ENTRIES = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']
/** The DuckDB binding npm installed for this machine (an optional dependency per OS and CPU). */
const DUCKDB_BINDING_PACKAGE = `@duckdb/node-bindings-${process.platform}-${process.arch}`

const run = promisify(execFile)

/** Runs a Node CLI with an argument array; on failure the error carries the end of its output. */
async function runNode(args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: PROJECT_DIR, maxBuffer: 64 * 1024 * 1024 })
    return stdout + stderr
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
    throw new Error(`node ${args.join(' ')} failed:\n${(stdout + stderr).slice(-4000)}`)
  }
}

/** Every file below dir, as forward-slash paths relative to it. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(dir, path)).isFile())
    .map((path) => path.split(sep).join('/'))
    .sort()
}

// Linux only: the stand-in is a Linux Electron, and the release workflow builds the other systems for real.
describe.skipIf(process.platform !== 'linux')('the packaged app (electron-builder --dir --linux, stand-in Electron)', () => {
  let workDir: string
  let appDir: string
  let resourcesDir: string
  let asarFile: string
  let asarEntries: string[]
  let config: Configuration

  beforeAll(async () => {
    const missing = BUILT_ENTRIES.filter((entry) => !existsSync(join(PROJECT_DIR, entry)))
    if (missing.length > 0) {
      console.info(`[package-layout] out/ lacks ${missing.join(', ')}: running electron-vite build (npm run build) first`)
      await runNode([ELECTRON_VITE_CLI, 'build'])
    }
    config = await getConfig(PROJECT_DIR, null, null)
    workDir = mkdtempSync(join(tmpdir(), 'package-layout-'))
    const electronDist = join(workDir, 'electron-dist')
    const electronVersion = (JSON.parse(readFileSync(join(PROJECT_DIR, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version
    writeStandInElectron(electronDist, electronVersion)
    const outputDir = join(workDir, 'dist')
    // Only the Electron source and the output folder differ from `npm run package`; fuses stay on.
    await runNode([ELECTRON_BUILDER_CLI, '--dir', '--linux', '--publish', 'never', `-c.electronDist=${electronDist}`, `-c.directories.output=${outputDir}`])
    const unpacked = readdirSync(outputDir).find((name) => name.startsWith('linux') && name.endsWith('unpacked'))
    if (!unpacked) throw new Error(`no linux-*unpacked folder in ${outputDir}: ${readdirSync(outputDir).join(', ')}`)
    appDir = join(outputDir, unpacked)
    resourcesDir = join(appDir, 'resources')
    asarFile = join(resourcesDir, 'app.asar')
    asarEntries = listPackage(asarFile, { isPack: false })
  })

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true })
  })

  it('puts the built main, preload and renderer and package.json in app.asar', () => {
    expect(asarEntries).toEqual(expect.arrayContaining(['/package.json', ...BUILT_ENTRIES.map((entry) => `/${entry}`)]))
    const packaged = JSON.parse(extractFile(asarFile, 'package.json').toString('utf8')) as { main: string }
    expect(asarEntries).toContain(`/${posix.normalize(packaged.main)}`)
    expect(extractFile(asarFile, 'out/preload/index.cjs').equals(readFileSync(join(PROJECT_DIR, 'out/preload/index.cjs')))).toBe(true)
  })

  it('leaves sources, dev dependencies and the dbt project out of app.asar', () => {
    const unwanted = asarEntries.filter((entry) =>
      /^\/(src|e2e|bench|dbt_attribution|\.venv|docs|resources)\//.test(entry) ||
      /^\/node_modules\/(electron|electron-builder|vitest|typescript|@doyensec)\//.test(entry),
    )
    expect(unwanted).toEqual([])
  })

  it('ships the DuckDB API in app.asar and its native binding unpacked beside it', () => {
    expect(asarEntries).toContain('/node_modules/@duckdb/node-api/package.json')
    const binding = `node_modules/${DUCKDB_BINDING_PACKAGE}/duckdb.node`
    expect(listPackage(asarFile, { isPack: true })).toContain(`unpack : /${binding}`)
    const unpackedBinding = join(resourcesDir, 'app.asar.unpacked', binding)
    expect(statSync(unpackedBinding).size).toBe(statSync(join(PROJECT_DIR, binding)).size)
    // duckdb.node loads the DuckDB library beside it (libduckdb.so on Linux), so the whole package must be on disk.
    const nativeFiles = filesBelow(join(PROJECT_DIR, 'node_modules', DUCKDB_BINDING_PACKAGE))
      .filter((path) => /\.(node|so|dylib|dll)$/.test(path))
      .map((path) => `node_modules/${DUCKDB_BINDING_PACKAGE}/${path}`)
    expect(nativeFiles.length).toBeGreaterThan(1)
    expect(filesBelow(join(resourcesDir, 'app.asar.unpacked'))).toEqual(expect.arrayContaining(nativeFiles))
  })

  it('ships the dbt project with the channel seed, and none of its build output or per-machine files', () => {
    const packagedDbt = filesBelow(join(resourcesDir, 'dbt_attribution'))
    expect(packagedDbt).toEqual(expect.arrayContaining(['dbt_project.yml', 'profiles.yml', 'seeds/source_categories.csv', 'seeds/_seeds.yml']))
    for (const folder of ['models', 'macros', 'tests']) {
      const source = filesBelow(join(PROJECT_DIR, 'dbt_attribution', folder)).map((path) => `${folder}/${path}`)
      expect(source.length).toBeGreaterThan(0)
      expect(packagedDbt).toEqual(expect.arrayContaining(source))
    }
    expect(packagedDbt.filter((path) => /^(target|logs|dbt_packages)\/|^\.user\.yml$/.test(path))).toEqual([])
    expect(readFileSync(join(resourcesDir, 'dbt_attribution/seeds/source_categories.csv'), 'utf8')).toBe(
      readFileSync(join(PROJECT_DIR, 'dbt_attribution/seeds/source_categories.csv'), 'utf8'),
    )
  })

  it('ships the pinned requirements, the dbt worker and its guard as resources', () => {
    for (const [packaged, source] of [
      ['requirements.lock', 'requirements.lock'],
      ['dbt_worker.py', 'src/main/dbt/dbt_worker.py'],
      ['dbt_guard.py', 'src/main/dbt/dbt_guard.py'],
      ['setup-python.mjs', 'scripts/setup-python.mjs'],
    ] as const) {
      expect(readFileSync(join(resourcesDir, packaged), 'utf8'), packaged).toBe(readFileSync(join(PROJECT_DIR, source), 'utf8'))
    }
  })

  it('names the executable and flips every configured fuse in it', async () => {
    const executable = join(appDir, 'realtime-attribution')
    expect(statSync(executable).mode & 0o111).not.toBe(0)
    const wire = await getCurrentFuseWire(executable)
    const fuses = Object.entries(config.electronFuses ?? {}).filter(([name]) => name !== 'resetAdHocDarwinSignature')
    expect(fuses.length).toBeGreaterThanOrEqual(7)
    for (const [name, value] of fuses) {
      const index = FuseV1Options[(name.charAt(0).toUpperCase() + name.slice(1)) as keyof typeof FuseV1Options]
      expect(index, `${name} is a fuse @electron/fuses knows`).toBeTypeOf('number')
      expect(wire[index as FuseV1Options], name).toBe(value ? FUSE_ENABLED : FUSE_DISABLED)
    }
    // The two DECISIONLOG 23 leans on most, whatever the config says.
    expect(wire[FuseV1Options.RunAsNode]).toBe(FUSE_DISABLED)
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FUSE_ENABLED)
  })
})
