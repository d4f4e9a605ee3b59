// The packaged app for tests: the build (`npm run build`), `electron-builder --dir` with the stand-in Electron,
// and app.asar extracted beside app.asar.unpacked so Node can run what is inside.
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { join, resolve, sep } from 'node:path'
import { promisify } from 'node:util'
import { extractAll } from '@electron/asar'
import { writeStandInElectron } from './stand-in-electron.ts'

export const PROJECT_DIR = resolve(import.meta.dirname, '../../..')
const ELECTRON_BUILDER_CLI = join(PROJECT_DIR, 'node_modules/electron-builder/cli.js')
const ELECTRON_VITE_CLI = join(PROJECT_DIR, 'node_modules/electron-vite/bin/electron-vite.js')
/** What `npm run build` writes; the tests build it when it is missing. */
export const BUILT_ENTRIES = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']
/** The Electron version npm installed (its binary is not downloaded here). */
export const ELECTRON_VERSION = (
  JSON.parse(readFileSync(join(PROJECT_DIR, 'node_modules/electron/package.json'), 'utf8')) as { version: string }
).version

const run = promisify(execFile)

/** Runs a Node CLI with an argument array; on failure the error carries the end of its output. */
export async function runNode(args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: PROJECT_DIR, maxBuffer: 64 * 1024 * 1024 })
    return stdout + stderr
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
    throw new Error(`node ${args.join(' ')} failed:\n${(stdout + stderr).slice(-4000)}`, { cause: error })
  }
}

/** Every file below dir, as forward-slash paths relative to it. */
export function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(dir, path)).isFile())
    .map((path) => path.split(sep).join('/'))
    .sort()
}

/** What the build reads: a file here newer than out/ means out/ is stale. */
const BUILD_INPUTS = ['src', 'electron.vite.config.ts', 'package.json']

/** The newest modification time among the build's inputs (test files included: cheap, and never wrong the other way). */
function newestInputMs(): number {
  let newest = 0
  for (const input of BUILD_INPUTS) {
    const path = join(PROJECT_DIR, input)
    const files = statSync(path).isDirectory() ? filesBelow(path).map((file) => join(path, file)) : [path]
    for (const file of files) newest = Math.max(newest, statSync(file).mtimeMs)
  }
  return newest
}

/**
 * Builds out/ (`electron-vite build`, as `npm run build`) when an entry is missing or older than a source:
 * the packaging tests must run this checkout's bundle. `npm test` builds before Vitest, so there it never runs.
 */
export async function ensureBuilt(label: string): Promise<void> {
  const missing = BUILT_ENTRIES.filter((entry) => !existsSync(join(PROJECT_DIR, entry)))
  const builtAt = missing.length > 0 ? 0 : Math.min(...BUILT_ENTRIES.map((entry) => statSync(join(PROJECT_DIR, entry)).mtimeMs))
  if (missing.length === 0 && builtAt >= newestInputMs()) return
  const reason = missing.length > 0 ? `lacks ${missing.join(', ')}` : 'is older than the sources'
  console.info(`[${label}] out/ ${reason}: running electron-vite build (npm run build) first`)
  await runNode([ELECTRON_VITE_CLI, 'build'])
}

/** The unpacked Linux app `electron-builder --dir` made. */
export interface UnpackedApp {
  /** linux-unpacked: the executable and resources/. */
  appDir: string
  executable: string
  resourcesDir: string
  asarFile: string
}

/** Runs `electron-builder --dir --linux` with the stand-in Electron into workDir; only the Electron source and output differ from `npm run package`. */
export async function packageUnpacked(workDir: string): Promise<UnpackedApp> {
  const electronDist = join(workDir, 'electron-dist')
  writeStandInElectron(electronDist, ELECTRON_VERSION)
  const outputDir = join(workDir, 'dist')
  await runNode([
    ELECTRON_BUILDER_CLI,
    '--dir',
    '--linux',
    '--publish',
    'never',
    `-c.electronDist=${electronDist}`,
    `-c.directories.output=${outputDir}`,
  ])
  const unpacked = readdirSync(outputDir).find((name) => name.startsWith('linux') && name.endsWith('unpacked'))
  if (!unpacked) throw new Error(`no linux-*unpacked folder in ${outputDir}: ${readdirSync(outputDir).join(', ')}`)
  const appDir = join(outputDir, unpacked)
  const resourcesDir = join(appDir, 'resources')
  return { appDir, executable: join(appDir, 'realtime-attribution'), resourcesDir, asarFile: join(resourcesDir, 'app.asar') }
}

/**
 * Extracts app.asar into `<resources>/app.asar.extracted` (Node cannot read inside an asar) and points every
 * file electron-builder unpacked at its copy in app.asar.unpacked, so native modules load from there as in Electron.
 */
export function extractApp(app: UnpackedApp): string {
  const appRoot = join(app.resourcesDir, 'app.asar.extracted')
  extractAll(app.asarFile, appRoot)
  const unpackedDir = `${app.asarFile}.unpacked`
  for (const file of existsSync(unpackedDir) ? filesBelow(unpackedDir) : []) {
    const extracted = join(appRoot, file)
    rmSync(extracted, { force: true })
    symlinkSync(join(unpackedDir, file), extracted)
  }
  return appRoot
}

/** Every file below dir with its size and modification time, to show that nothing was written there. */
export function fileStates(dir: string): Record<string, string> {
  return Object.fromEntries(
    filesBelow(dir).map((path) => {
      const stats = statSync(join(dir, path))
      return [path, `${stats.size}@${stats.mtimeMs}`]
    }),
  )
}
