import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { extractFile, listPackage } from '@electron/asar'
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses'
import type { Configuration } from 'app-builder-lib'
import { getConfig } from 'app-builder-lib/out/util/config/config.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT_ENTRIES, PROJECT_DIR, ensureBuilt, filesBelow, packageUnpacked } from './packaged-app.ts'
import { FUSE_DISABLED, FUSE_ENABLED } from './stand-in-electron.ts'

/** The DuckDB binding npm installed for this machine (an optional dependency per OS and CPU). */
const DUCKDB_BINDING_PACKAGE = `@duckdb/node-bindings-${process.platform}-${process.arch}`

// Linux only: the stand-in is a Linux Electron, and the release workflow builds the other systems for real.
describe.skipIf(process.platform !== 'linux')('the packaged app (electron-builder --dir --linux, stand-in Electron)', () => {
  let workDir: string
  let appDir: string
  let resourcesDir: string
  let asarFile: string
  let asarEntries: string[]
  let config: Configuration

  beforeAll(async () => {
    await ensureBuilt('package-layout')
    config = await getConfig(PROJECT_DIR, null, null)
    workDir = mkdtempSync(join(tmpdir(), 'package-layout-'))
    const packaged = await packageUnpacked(workDir)
    appDir = packaged.appDir
    resourcesDir = packaged.resourcesDir
    asarFile = packaged.asarFile
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
    const unwanted = asarEntries.filter(
      (entry) =>
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
    expect(packagedDbt).toEqual(
      expect.arrayContaining(['dbt_project.yml', 'profiles.yml', 'seeds/source_categories.csv', 'seeds/_seeds.yml']),
    )
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
