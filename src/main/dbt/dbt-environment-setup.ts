import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { existsSync, statSync } from 'node:fs'
import { chmod, open, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises'
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import { basename, dirname, join } from 'node:path'
import { crc32, inflateRawSync } from 'node:zlib'
import type { Result } from '@shared/attribution'
import type { DbtSetupStatus, DbtSource, JobProgress } from '@shared/api'
import { UserFacingError, messageOf } from '../errors'
import {
  type DbtPrograms,
  dataFolderDbtEnv,
  dataFolderDbtEnvDir,
  repoVenvPrograms,
  requirementsLockPath,
  selectDbtPrograms,
} from '../paths'
import { ensurePrivateDir } from '../private-files'
import { loadSettings, saveDbtExecutable, validateDbtExecutablePath } from '../settings/app-settings'
import { trackDbtChild } from './dbt-children'

/** The uv release the app bootstraps with; its wheels' SHA-256 are pinned below, so a changed file is refused. */
export const UV_VERSION = '0.13.9'

/** uv's PyPI wheel per platform: the platform tag of its file name and the wheel's SHA-256 (PyPI's, for uv 0.13.9). */
const UV_WHEELS: Readonly<Record<string, { tag: string; sha256: string }>> = {
  'linux-x64-gnu': {
    tag: 'manylinux_2_17_x86_64.manylinux2014_x86_64',
    sha256: 'd7f459fe4fd247d830351c75686d3996ace3c6f3f728eb0e85a30b7ada0cef19',
  },
  'linux-x64-musl': { tag: 'musllinux_1_1_x86_64', sha256: '2c45530751517d6c3bbc69a19473f6effe47cce047bede01ffd8af7ea7b36b25' },
  'linux-arm64-gnu': {
    tag: 'manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64',
    sha256: '5435c5ce14a56431208ca0996416d310f1598e8c2c8ba707688985a16bb82dbe',
  },
  'linux-arm64-musl': {
    tag: 'manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64',
    sha256: '5435c5ce14a56431208ca0996416d310f1598e8c2c8ba707688985a16bb82dbe',
  },
  'darwin-x64': { tag: 'macosx_10_12_x86_64', sha256: 'c16ed11e013557536b3e60065f1b912f6407bd6518e041b961e23ef9e6b4fbf5' },
  'darwin-arm64': { tag: 'macosx_11_0_arm64', sha256: '66c512266d633bef48384a1f53003f41f2a8e7b36fe6e7fbfd3e0fd52d96fa63' },
  'win32-x64': { tag: 'win_amd64', sha256: '6a44b2ed8111d2f60d2b92627c5dccda3f7ed7570b18ce115e569cd68c28246b' },
  'win32-arm64': { tag: 'win_arm64', sha256: 'eeb92051c2123b9730c46b04cc843cfa4bc7d7b0aec56df431a2215ef4cb0273' },
}

/** The Python uv installs for the environment when it can download one (a private copy an OS upgrade cannot break). */
export const MANAGED_PYTHON_VERSION = '3.12'
/** Python minor versions of 3.x the pinned packages have wheels for (numpy 2.4 needs 3.11 or later). */
export const SYSTEM_PYTHON_MINORS = [13, 12, 11] as const
export const DEFAULT_INDEX_URL = 'https://pypi.org/simple'
/** Steps the package install is cut into, so progress can say "n of m packages". */
const INSTALL_STEPS = 12

/** The uv wheel for a platform, or undefined where uv publishes none. */
export function uvWheelFor(
  platform: NodeJS.Platform,
  arch: string,
  isMusl = false,
): { filename: string; sha256: string; binary: string } | undefined {
  const key = platform === 'linux' ? `linux-${arch}-${isMusl ? 'musl' : 'gnu'}` : `${platform}-${arch}`
  const wheel = UV_WHEELS[key]
  if (!wheel) return undefined
  const exe = platform === 'win32' ? 'uv.exe' : 'uv'
  return { filename: `uv-${UV_VERSION}-py3-none-${wheel.tag}.whl`, sha256: wheel.sha256, binary: `uv-${UV_VERSION}.data/scripts/${exe}` }
}

/** The files of the app's own dbt environment (all under `<data folder>/dbt-env`, 0700). */
export interface DbtEnvLayout extends DbtPrograms {
  root: string
  venv: string
  /** Written last, only once dbt answered: without it nothing here counts as installed. */
  readyStamp: string
  uv: string
  /** uv-managed Python lives here, not in the person's own uv folder. */
  pythonDir: string
  /** The slice of requirements.lock being installed. */
  partFile: string
}

/** Where everything of the data-folder environment lives. */
export function dbtEnvLayout(dataDir: string): DbtEnvLayout {
  const root = dataFolderDbtEnvDir(dataDir)
  const env = dataFolderDbtEnv(dataDir)
  return {
    root,
    venv: env.venv,
    dbt: env.dbt,
    python: env.python,
    readyStamp: env.readyStamp,
    uv: join(root, `uv-${UV_VERSION}`, process.platform === 'win32' ? 'uv.exe' : 'uv'),
    pythonDir: join(root, 'python'),
    partFile: join(root, 'requirements.part.txt'),
  }
}

/** What the ready stamp records. */
export interface ReadyStamp {
  lockSha256: string
  dbtVersion: string
  adapters: string[]
  python: string
  uvVersion: string
  createdAt: string
}

/** The stamp of a finished set-up from this lock file, or undefined (none, unreadable, or another lock). */
export async function readReadyStamp(
  layout: Pick<DbtEnvLayout, 'readyStamp' | 'python'>,
  lockSha256: string,
): Promise<ReadyStamp | undefined> {
  try {
    const stamp = JSON.parse(await readFile(layout.readyStamp, 'utf8')) as ReadyStamp
    return stamp.lockSha256 === lockSha256 && existsSync(layout.python) ? stamp : undefined
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------- choosing the dbt

/** A dbt the app can run, and where it comes from. */
export interface DbtInstallation extends DbtPrograms {
  source: DbtSource
}

/** The usable dbt of each kind (absent: none of that kind). */
export type DbtCandidates = Partial<Record<DbtSource, DbtPrograms>>

/** Picks the dbt to run: the one named in Settings, else the repo's .venv (development), else the data-folder environment, else none. */
export function chooseDbt(candidates: DbtCandidates): DbtInstallation | undefined {
  for (const source of ['setting', 'repo', 'data-folder'] as const) {
    const programs = candidates[source]
    if (programs) return { source, ...programs }
  }
  return undefined
}

// ---------------------------------------------------------------- progress

/** One step of the set-up, before it is put into words. */
export type SetupStep =
  | { phase: 'downloading-uv'; receivedBytes: number; totalBytes?: number }
  | { phase: 'creating-environment'; python?: string }
  | { phase: 'installing'; donePackages: number; totalPackages: number }
  | { phase: 'checking' }
  | { phase: 'done'; dbtVersion: string }

/** Share of the bar each phase fills: uv 0-10 %, the environment 10-20 %, packages 20-95 %, the check 95-100 %. */
export function setupProgress(step: SetupStep): JobProgress {
  const job = 'dbt-setup' as const
  switch (step.phase) {
    case 'downloading-uv': {
      const mb = (bytes: number) => (bytes / 1e6).toFixed(1)
      const fraction = step.totalBytes ? Math.min(1, step.receivedBytes / step.totalBytes) : 0
      const amount = step.totalBytes ? `${mb(step.receivedBytes)} of ${mb(step.totalBytes)} MB` : `${mb(step.receivedBytes)} MB`
      return { job, phase: 'downloading uv', percent: 10 * fraction, message: `Downloading uv (${amount})` }
    }
    case 'creating-environment':
      return {
        job,
        phase: 'creating the environment',
        percent: 10,
        message: `Creating the environment${step.python ? ` (Python ${step.python})` : ''}`,
      }
    case 'installing': {
      const fraction = step.totalPackages > 0 ? Math.min(1, step.donePackages / step.totalPackages) : 0
      return {
        job,
        phase: 'installing dbt',
        percent: 20 + 75 * fraction,
        message: `Installing dbt (${step.donePackages} of ${step.totalPackages} packages)`,
      }
    }
    case 'checking':
      return { job, phase: 'checking dbt', percent: 95, message: 'Checking that dbt runs' }
    case 'done':
      return { job, phase: 'done', percent: 100, message: `dbt ${step.dbtVersion} is ready` }
  }
}

// ---------------------------------------------------------------- reading tools' answers

/** What `dbt --version` says: dbt-core's version and the adapters (plugins) with theirs. */
export interface DbtVersionInfo {
  core: string | null
  adapters: Record<string, string>
}

/** Reads `dbt --version` output ("Core: - installed: 1.11.16 ... Plugins: - duckdb: 1.11.1 - Up to date!"). */
export function parseDbtVersion(text: string): DbtVersionInfo {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '')
  const core = /installed:\s*v?(\d+\.\d+\.\d+\S*)/i.exec(plain)?.[1] ?? null
  const adapters: Record<string, string> = {}
  const plugins = plain.split(/^Plugins:\s*$/im)[1] ?? ''
  for (const match of plugins.matchAll(/^\s*-\s*([a-z0-9_-]+):\s*v?(\d+\.\d+\.\d+\S*)/gim)) adapters[match[1]!.toLowerCase()] = match[2]!
  return { core, adapters }
}

/** The requirement lines of a requirements file (continuations joined; comments and option lines left out). */
export function parseRequirements(text: string): string[] {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('-'))
}

/** The version a requirements file pins a package to, or undefined. */
export function pinnedVersion(requirements: readonly string[], name: string): string | undefined {
  const normal = (text: string) => text.toLowerCase().replace(/[-_.]+/g, '-')
  for (const line of requirements) {
    const match = /^([A-Za-z0-9_.-]+)\s*==\s*([^\s;]+)/.exec(line)
    if (match && normal(match[1]!) === normal(name)) return match[2]
  }
  return undefined
}

const NETWORK_FAILURE =
  /dns error|failed to lookup address|error sending request|tcp connect error|client error \(connect\)|connection refused|connection reset|network is unreachable|timed out|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ECONNRESET|certificate/i

/** True when a tool's message says the network, not the packages, was the problem. */
export function isNetworkFailure(text: string): boolean {
  return NETWORK_FAILURE.test(text)
}

/** The useful part of uv's error: the URL it failed on and the innermost cause ("http://…/agate/: Connection refused (os error 111)"); `withUrl: false` leaves the URL out. */
export function uvFailureCause(output: string, options: { withUrl?: boolean } = {}): string {
  const lines = output.split(/\r?\n/).map((line) => line.trim())
  const causes = lines.filter((line) => line.startsWith('cause:')).map((line) => line.slice('cause:'.length).trim())
  const error = lines
    .find((line) => line.startsWith('error:'))
    ?.slice('error:'.length)
    .trim()
  const url = /https?:\/\/[^\s)`'"]+/.exec(causes.join(' ') || error || '')?.[0]
  const innermost = causes.at(-1) ?? error ?? lines.filter((line) => line !== '').at(-1) ?? 'no message'
  return url && options.withUrl !== false && !innermost.includes(url) ? `${url}: ${innermost}` : innermost
}

/** The offline message, with what was learnt about Python on the way. */
export function offlineMessage(cause: string, pythonNote?: string): string {
  return [
    `Could not reach PyPI to install dbt (${cause}). Connect to the internet, or point Settings at an existing dbt.`,
    pythonNote,
    'Setting up again resumes where this stopped.',
  ]
    .filter(Boolean)
    .join(' ')
}

/** A set-up failure, with a message a person can act on. */
export class DbtSetupError extends UserFacingError {
  override name = 'DbtSetupError'
}

// ---------------------------------------------------------------- processes and downloads

interface ToolResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a tool with an argument array; killed by the signal, with the app, or after `timeoutMs`. */
function runTool(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<ToolResult> {
  return new Promise((resolve) => {
    let child
    try {
      child = spawn(command, args, {
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        signal: options.signal,
        timeout: options.timeoutMs,
        windowsHide: true,
      })
    } catch (error) {
      resolve({ code: -1, stdout: '', stderr: messageOf(error) })
      return
    }
    trackDbtChild(child)
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', (error) => err.push(Buffer.from(`\n${error.message}`)))
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }))
  })
}

/** A GET that follows redirects; resolves with a 200 response. Node's http, not fetch: fetch refuses some ports a mirror may use. */
function httpGet(
  url: string,
  options: { accept?: string; signal?: AbortSignal; timeoutMs: number },
  redirects = 5,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const client = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined
    if (!client) {
      reject(new Error(`${url} is not an http(s) URL`))
      return
    }
    const headers = { accept: options.accept ?? '*/*', 'user-agent': `realtime-attribution (uv ${UV_VERSION} bootstrap)` }
    const request = client.get(target, { headers, signal: options.signal, timeout: options.timeoutMs }, (response) => {
      const status = response.statusCode ?? 0
      if (status >= 300 && status < 400 && response.headers.location && redirects > 0) {
        response.resume()
        resolve(httpGet(new URL(response.headers.location, target).href, options, redirects - 1))
      } else if (status !== 200) {
        response.resume()
        reject(new Error(`${target.host} answered HTTP ${status} for ${target.pathname}`))
      } else resolve(response)
    })
    request.on('timeout', () =>
      request.destroy(
        Object.assign(new Error(`no answer from ${target.host} within ${options.timeoutMs / 1000} s (ETIMEDOUT)`), { code: 'ETIMEDOUT' }),
      ),
    )
    request.on('error', (error: NodeJS.ErrnoException) => {
      const where = `${target.protocol}//${target.host}`
      reject(new Error(error.code && !error.message.includes(where) ? `${where}: ${error.code} (${error.message})` : error.message))
    })
  })
}

async function readBody(response: IncomingMessage, onBytes?: (received: number) => void): Promise<Buffer> {
  const chunks: Buffer[] = []
  let received = 0
  for await (const chunk of response as AsyncIterable<Buffer>) {
    chunks.push(chunk)
    received += chunk.length
    onBytes?.(received)
  }
  return Buffer.concat(chunks)
}

/** The download URL of a file on a simple-index page: PEP 691 JSON or PEP 503 HTML. */
export function findFileUrl(body: string, contentType: string, pageUrl: string, filename: string): string | undefined {
  if (/json/i.test(contentType)) {
    const parsed = JSON.parse(body) as { files?: Array<{ filename?: unknown; url?: unknown }> }
    const file = parsed.files?.find((candidate) => candidate.filename === filename)
    return typeof file?.url === 'string' ? new URL(file.url, pageUrl).href : undefined
  }
  for (const match of body.matchAll(/<a\s[^>]*href\s*=\s*["']([^"']+)["'][^>]*>\s*([^<]*?)\s*<\/a>/gi)) {
    const href = match[1]!.replace(/&amp;/g, '&')
    const hrefName = decodeURIComponent(new URL(href, pageUrl).pathname.split('/').at(-1) ?? '')
    if (match[2] === filename || hrefName === filename) return new URL(href, pageUrl).href.replace(/#.*$/, '')
  }
  return undefined
}

/** One member of a ZIP archive (a wheel), checked against its CRC-32. Enough ZIP for uv's wheel: no ZIP64, stored or deflated. */
export function extractZipEntry(zip: Buffer, name: string): Buffer {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (eocd < 0) throw new Error('not a ZIP archive')
  const entries = zip.readUInt16LE(eocd + 10)
  let at = zip.readUInt32LE(eocd + 16)
  for (let index = 0; index < entries; index += 1) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('damaged ZIP directory')
    const method = zip.readUInt16LE(at + 10)
    const crc = zip.readUInt32LE(at + 16)
    const compressedSize = zip.readUInt32LE(at + 20)
    const nameLength = zip.readUInt16LE(at + 28)
    const extraLength = zip.readUInt16LE(at + 30)
    const commentLength = zip.readUInt16LE(at + 32)
    const localHeader = zip.readUInt32LE(at + 42)
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength)
    at += 46 + nameLength + extraLength + commentLength
    if (entryName !== name) continue
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28)
    const raw = zip.subarray(dataStart, dataStart + compressedSize)
    const data = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw) : undefined
    if (!data) throw new Error(`${name} uses ZIP method ${method}`)
    if (crc32(data) !== crc) throw new Error(`${name} is damaged (CRC mismatch)`)
    return data
  }
  throw new Error(`${name} is not in the archive`)
}

function isMuslLinux(): boolean {
  if (process.platform !== 'linux') return false
  try {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
    return report?.header?.glibcVersionRuntime === undefined
  } catch {
    return false
  }
}

// ---------------------------------------------------------------- the set-up

/** How a set-up runs; tests point the index somewhere else and keep uv's cache out of the way. */
export interface SetupOptions {
  /** The app's data folder; the environment goes into `<dataDir>/dbt-env`. */
  dataDir: string
  /** requirements.lock (the bundled one by default). */
  lockFile?: string
  /** The simple index; default UV_DEFAULT_INDEX, UV_INDEX_URL, PIP_INDEX_URL, else PyPI. */
  indexUrl?: string
  /** Extra environment for uv (UV_CACHE_DIR, UV_NO_CACHE, proxies). */
  env?: Record<string, string>
  /** Tries a uv-managed Python before the system one (default true). */
  preferManagedPython?: boolean
  onProgress?: (progress: JobProgress) => void
  signal?: AbortSignal
}

/** A finished set-up. */
export interface SetupResult extends DbtInstallation {
  stamp: ReadyStamp
  /** Things worth telling (the system Python was used because uv could not download one). */
  notes: string[]
}

/** The index the set-up uses, without a trailing slash. */
export function chooseIndexUrl(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return (explicit ?? env.UV_DEFAULT_INDEX ?? env.UV_INDEX_URL ?? env.PIP_INDEX_URL ?? DEFAULT_INDEX_URL).replace(/\/+$/, '')
}

/**
 * Creates (or finishes) the app's own dbt environment from requirements.lock: fetches uv, makes a
 * virtualenv with a uv-managed Python or else the system one, installs the pinned packages in steps
 * (progress "n of m packages"), runs `dbt --version`, and only then writes the ready stamp. An
 * interrupted set-up leaves no stamp; running it again reuses what is there.
 */
export async function setUpDbtEnvironment(options: SetupOptions): Promise<SetupResult> {
  const layout = dbtEnvLayout(options.dataDir)
  const lockFile = options.lockFile ?? requirementsLockPath()
  const lockText = await readFile(lockFile, 'utf8')
  const lockSha256 = createHash('sha256').update(lockText).digest('hex')
  const requirements = parseRequirements(lockText)
  const index = chooseIndexUrl(options.indexUrl)
  const report = (step: SetupStep) => options.onProgress?.(setupProgress(step))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    UV_PYTHON_INSTALL_DIR: layout.pythonDir,
    UV_NO_PROGRESS: '1',
    NO_COLOR: '1',
    DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
  }
  const notes: string[] = []

  ensurePrivateDir(layout.root, { isOwnFolder: true })
  await rm(layout.readyStamp, { force: true })

  const uv = await ensureUv(layout, index, report, options.signal)
  const python = await ensureVenv(layout, uv, env, options.preferManagedPython ?? true, notes, report, options.signal)
  const pythonNote = notes.join(' ') || undefined

  const uvInstall = async (args: string[]) => {
    const result = await runTool(uv, ['pip', 'install', '--python', layout.python, '--default-index', index, '--color', 'never', ...args], {
      env,
      signal: options.signal,
    })
    if (options.signal?.aborted) throw new DbtSetupError('The dbt set-up was cancelled. Setting up again resumes where it stopped.')
    if (result.code === 0) return
    const output = `${result.stderr}\n${result.stdout}`
    const cause = uvFailureCause(output)
    if (isNetworkFailure(output)) throw new DbtSetupError(offlineMessage(cause, pythonNote))
    throw new DbtSetupError(
      `uv could not install the pinned dbt packages (${cause}).${pythonNote ? ` ${pythonNote}` : ''} Setting up again resumes where this stopped.`,
    )
  }
  // In steps without dependencies, so progress can count packages; the last full pass checks the set is complete.
  const stepSize = Math.max(1, Math.ceil(requirements.length / INSTALL_STEPS))
  report({ phase: 'installing', donePackages: 0, totalPackages: requirements.length })
  for (let start = 0; start < requirements.length; start += stepSize) {
    const part = requirements.slice(start, start + stepSize)
    await writeFile(layout.partFile, `${part.join('\n')}\n`, { mode: 0o600 })
    await uvInstall(['--no-deps', '-r', layout.partFile])
    report({ phase: 'installing', donePackages: Math.min(requirements.length, start + stepSize), totalPackages: requirements.length })
  }
  await rm(layout.partFile, { force: true })
  await uvInstall(['-r', lockFile])

  report({ phase: 'checking' })
  const checked = await checkDbt(layout, requirements, { requireAdapters: adaptersIn(requirements), env, signal: options.signal })
  if (!checked.ok)
    throw new DbtSetupError(`dbt was installed but does not work: ${checked.error} Setting up again reinstalls what is missing.`)
  const stamp: ReadyStamp = {
    lockSha256,
    dbtVersion: checked.value.version.core ?? 'unknown',
    adapters: Object.keys(checked.value.version.adapters).sort(),
    python,
    uvVersion: UV_VERSION,
    createdAt: new Date().toISOString(),
  }
  await writeFile(`${layout.readyStamp}.tmp`, `${JSON.stringify(stamp, null, 2)}\n`, { mode: 0o600 })
  await rename(`${layout.readyStamp}.tmp`, layout.readyStamp)
  report({ phase: 'done', dbtVersion: stamp.dbtVersion })
  return { source: 'data-folder', dbt: layout.dbt, python: layout.python, stamp, notes }
}

/** Fetches uv into the data-folder environment (or finds it there); the set-up's first phase, on its own. */
export function fetchUv(options: Pick<SetupOptions, 'dataDir' | 'indexUrl' | 'onProgress' | 'signal'>): Promise<string> {
  const layout = dbtEnvLayout(options.dataDir)
  ensurePrivateDir(layout.root, { isOwnFolder: true })
  return ensureUv(layout, chooseIndexUrl(options.indexUrl), (step) => options.onProgress?.(setupProgress(step)), options.signal)
}

/** The dbt adapters a lock file installs (dbt-duckdb -> duckdb). */
function adaptersIn(requirements: readonly string[]): string[] {
  return ['duckdb', 'bigquery', 'postgres', 'snowflake'].filter((adapter) => pinnedVersion(requirements, `dbt-${adapter}`) !== undefined)
}

/** Returns a working uv: the one fetched before, else its wheel from the index (checked against the pinned SHA-256). */
async function ensureUv(layout: DbtEnvLayout, index: string, report: (step: SetupStep) => void, signal?: AbortSignal): Promise<string> {
  if (existsSync(layout.uv) && (await runTool(layout.uv, ['--version'], { timeoutMs: 20_000 })).code === 0) return layout.uv
  const wheel = uvWheelFor(process.platform, process.arch, isMuslLinux())
  if (!wheel)
    throw new DbtSetupError(`There is no uv for ${process.platform} ${process.arch}: install dbt yourself and point Settings at it.`)
  report({ phase: 'downloading-uv', receivedBytes: 0 })
  let archive: Buffer
  try {
    const pageUrl = `${index}/uv/`
    const page = await httpGet(pageUrl, { accept: 'application/vnd.pypi.simple.v1+json, text/html;q=0.5', signal, timeoutMs: 30_000 })
    const body = (await readBody(page)).toString('utf8')
    const url = findFileUrl(body, String(page.headers['content-type'] ?? ''), pageUrl, wheel.filename)
    if (!url)
      throw new DbtSetupError(`The package index ${index} has no ${wheel.filename}. Point Settings at an existing dbt, or use PyPI.`)
    const response = await httpGet(url, { signal, timeoutMs: 60_000 })
    const total = Number(response.headers['content-length']) || undefined
    let lastReport = 0
    archive = await readBody(response, (received) => {
      if (received - lastReport < 1_000_000) return
      lastReport = received
      report({ phase: 'downloading-uv', receivedBytes: received, totalBytes: total })
    })
  } catch (error) {
    if (error instanceof DbtSetupError) throw error
    if (signal?.aborted) throw new DbtSetupError('The dbt set-up was cancelled. Setting up again resumes where it stopped.')
    throw new DbtSetupError(offlineMessage(`downloading uv from ${index}: ${messageOf(error)}`))
  }
  const sha256 = createHash('sha256').update(archive).digest('hex')
  if (sha256 !== wheel.sha256)
    throw new DbtSetupError(
      `The uv download did not match its pinned checksum (got ${sha256.slice(0, 12)}…): refused. Try again, or check the package index.`,
    )
  const binary = extractZipEntry(archive, wheel.binary)
  ensurePrivateDir(dirname(layout.uv))
  const temp = `${layout.uv}.${process.pid}.tmp`
  const handle = await open(temp, 'w', 0o700)
  try {
    await handle.writeFile(binary)
  } finally {
    await handle.close()
  }
  await chmod(temp, 0o700)
  await rename(temp, layout.uv)
  report({ phase: 'downloading-uv', receivedBytes: archive.length, totalBytes: archive.length })
  return layout.uv
}

/** A Python on this computer that the pinned packages support, as uv should be told about it. */
export interface SystemPython {
  executable: string
  version: string
}

/** Looks for Python 3.11 to 3.13 on the PATH (the newest first). */
export async function findSystemPython(): Promise<SystemPython | undefined> {
  const candidates: Array<[string, string[]]> =
    process.platform === 'win32'
      ? [...SYSTEM_PYTHON_MINORS.map((minor): [string, string[]] => ['py', [`-3.${minor}`]]), ['python', []]]
      : [...SYSTEM_PYTHON_MINORS.map((minor): [string, string[]] => [`python3.${minor}`, []]), ['python3', []], ['python', []]]
  for (const [command, prefix] of candidates) {
    const probe = await runTool(command, [...prefix, '-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3]); print(sys.executable)'], {
      timeoutMs: 15_000,
    })
    if (probe.code !== 0) continue
    const [version = '', executable = ''] = probe.stdout.trim().split(/\r?\n/)
    const [major, minor] = version.split('.').map(Number)
    if (major === 3 && (SYSTEM_PYTHON_MINORS as readonly number[]).includes(minor ?? 0) && executable !== '') return { executable, version }
  }
  return undefined
}

async function pythonVersion(python: string): Promise<string | undefined> {
  const probe = await runTool(python, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { timeoutMs: 15_000 })
  return probe.code === 0 ? probe.stdout.trim() : undefined
}

/** Makes the virtualenv (kept when a previous attempt left a working one); returns its Python's version. */
async function ensureVenv(
  layout: DbtEnvLayout,
  uv: string,
  env: NodeJS.ProcessEnv,
  preferManaged: boolean,
  notes: string[],
  report: (step: SetupStep) => void,
  signal?: AbortSignal,
): Promise<string> {
  const existing = existsSync(join(layout.venv, 'pyvenv.cfg')) ? await pythonVersion(layout.python) : undefined
  if (existing) {
    report({ phase: 'creating-environment', python: existing })
    return existing
  }
  report({ phase: 'creating-environment' })
  await rm(layout.venv, { recursive: true, force: true })
  const venv = (python: string, managed: boolean) =>
    runTool(uv, ['venv', layout.venv, '--python', python, managed ? '--managed-python' : '--no-managed-python', '--color', 'never'], {
      env,
      signal,
      timeoutMs: 600_000,
    })

  let managedCause: string | undefined
  if (preferManaged) {
    const managed = await venv(MANAGED_PYTHON_VERSION, true)
    if (managed.code === 0) {
      const version = (await pythonVersion(layout.python)) ?? MANAGED_PYTHON_VERSION
      report({ phase: 'creating-environment', python: version })
      return version
    }
    managedCause = uvFailureCause(`${managed.stderr}\n${managed.stdout}`, { withUrl: false })
    await rm(layout.venv, { recursive: true, force: true })
  }
  const system = await findSystemPython()
  if (!system) {
    const why = managedCause ? ` and uv could not download one (${managedCause})` : ''
    const hint = managedCause && isNetworkFailure(managedCause) ? ' Connect to the internet,' : ''
    throw new DbtSetupError(`No Python 3.11 to 3.13 is installed${why}.${hint} Install Python 3.12, or point Settings at an existing dbt.`)
  }
  if (managedCause)
    notes.push(
      `uv could not download its own Python (${managedCause}), so the system Python ${system.version} (${system.executable}) was used.`,
    )
  report({ phase: 'creating-environment', python: system.version })
  const made = await venv(system.executable, false)
  if (made.code !== 0) {
    throw new DbtSetupError(
      `The environment for dbt could not be created with Python ${system.version} (${uvFailureCause(`${made.stderr}\n${made.stdout}`)}).`,
    )
  }
  return system.version
}

// ---------------------------------------------------------------- checking a dbt

/** A dbt that answered, with its version and the Python that imports it. */
export interface CheckedDbt {
  programs: DbtPrograms
  version: DbtVersionInfo
  duckdbVersion: string
}

/**
 * Runs `<dbt> --version` and checks the adapters, then that its Python imports dbt and a DuckDB of the
 * lock's release line (both DuckDB libraries must read and write the same file format).
 */
export async function checkDbt(
  programs: DbtPrograms,
  requirements: readonly string[],
  options: { requireAdapters: readonly string[]; env?: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<Result<CheckedDbt>> {
  const env = { ...(options.env ?? process.env), DBT_SEND_ANONYMOUS_USAGE_STATS: 'false', NO_COLOR: '1' }
  const answer = await runTool(programs.dbt, ['--version'], { env, signal: options.signal, timeoutMs: 120_000 })
  const version = parseDbtVersion(`${answer.stdout}\n${answer.stderr}`)
  if (answer.code !== 0 || !version.core) {
    const said = (answer.stderr || answer.stdout).trim().split(/\r?\n/).slice(-3).join(' ').slice(0, 300)
    return { ok: false, error: `${programs.dbt} --version did not answer like dbt (${said || `exit code ${answer.code}`}).` }
  }
  const missing = options.requireAdapters.filter((adapter) => !(adapter in version.adapters))
  if (missing.length > 0) {
    const pins = missing.map(
      (adapter) =>
        `dbt-${adapter}${pinnedVersion(requirements, `dbt-${adapter}`) ? `==${pinnedVersion(requirements, `dbt-${adapter}`)}` : ''}`,
    )
    return {
      ok: false,
      error: `dbt ${version.core} has no ${missing.join(' or ')} adapter: install ${pins.join(' and ')} into its environment.`,
    }
  }
  const imports = await runTool(programs.python, ['-c', 'import dbt.version, duckdb; print(duckdb.__version__)'], {
    env,
    signal: options.signal,
    timeoutMs: 120_000,
  })
  if (imports.code !== 0) {
    return {
      ok: false,
      error: `The Python beside it (${programs.python}) cannot import dbt and duckdb, and the app runs dbt through that Python.`,
    }
  }
  const duckdbVersion = imports.stdout.trim()
  const locked = pinnedVersion(requirements, 'duckdb')
  const line = (text: string) => text.split('.').slice(0, 2).join('.')
  if (locked && line(duckdbVersion) !== line(locked)) {
    return {
      ok: false,
      error: `Its Python has duckdb ${duckdbVersion}, but the app's DuckDB is ${locked}: install duckdb==${locked} there, so both use one file format.`,
    }
  }
  return { ok: true, value: { programs, version, duckdbVersion } }
}

/** The Python that runs a dbt executable: its script's #! line, else the python beside it. */
export async function pythonOfDbt(dbt: string): Promise<string | undefined> {
  const real = await realpath(dbt).catch(() => dbt)
  if (process.platform === 'win32') {
    const beside = join(dirname(real), 'python.exe')
    return existsSync(beside) ? beside : undefined
  }
  const head = await readFile(real)
    .then((bytes) => bytes.subarray(0, 512).toString('utf8'))
    .catch(() => '')
  const interpreter = /^#!\s*(\S+)/.exec(head)?.[1]
  if (interpreter && !interpreter.endsWith('/env') && !interpreter.endsWith('/sh') && existsSync(interpreter)) return interpreter
  for (const name of ['python', 'python3']) {
    const beside = join(dirname(real), name)
    if (existsSync(beside)) return beside
  }
  return undefined
}

/** Checks an executable a person named in Settings: a file named dbt that answers, with the adapters the app needs. */
export async function checkExistingDbt(path: unknown, requirements: readonly string[]): Promise<Result<CheckedDbt>> {
  const checked = validateDbtExecutablePath(path)
  if (!checked.ok) return checked
  const dbt = checked.value
  if (!/^dbt(\.exe|\.cmd)?$/i.test(basename(dbt)))
    return { ok: false, error: `Name the dbt executable itself (a file called dbt), not ${basename(dbt).slice(0, 60)}.` }
  let isFile: boolean
  try {
    isFile = statSync(dbt).isFile()
  } catch {
    return { ok: false, error: `There is no file at ${dbt}.` }
  }
  if (!isFile) return { ok: false, error: `${dbt} is not a file.` }
  const python = await pythonOfDbt(dbt)
  if (!python)
    return {
      ok: false,
      error: `The Python that runs ${dbt} could not be found (the app runs dbt through it): use the dbt of a virtualenv.`,
    }
  return checkDbt({ dbt, python }, requirements, { requireAdapters: ['duckdb'] })
}

// ---------------------------------------------------------------- the service

/** What the app's dbt service needs. */
export interface DbtEnvironmentOptions extends Omit<SetupOptions, 'onProgress' | 'signal'> {
  /** The settings file, where an existing dbt executable may be named. */
  settingsPath: string
  log?: (line: string) => void
}

/**
 * The app's dbt: picks the one to run (Settings, the repo's .venv, the data-folder environment),
 * tells paths.ts, and sets up the data-folder environment when there is none, one set-up at a time.
 */
export class DbtEnvironment {
  private readonly emitter = new EventEmitter()
  private readonly abort = new AbortController()
  private running: Promise<DbtSetupStatus> | undefined
  private progress: JobProgress | null = null
  private error: string | null = null
  private notice: string | null = null
  /** What `dbt --version` said for an executable, this session. */
  private readonly versions = new Map<string, DbtVersionInfo>()

  constructor(private readonly options: DbtEnvironmentOptions) {}

  /** Subscribes to set-up progress; returns the unsubscribe function. */
  onProgress(listener: (progress: JobProgress) => void): () => void {
    this.emitter.on('progress', listener)
    return () => this.emitter.off('progress', listener)
  }

  /** Chooses the dbt again (files may have appeared or gone), tells paths.ts, and reports. */
  async status(): Promise<DbtSetupStatus> {
    const { chosen, stamp, settingExecutable } = await this.choose()
    const settingProblem =
      settingExecutable && chosen?.source !== 'setting' ? `The dbt named in Settings (${settingExecutable}) is missing.` : null
    const version =
      chosen?.source === 'data-folder' && stamp ? { core: stamp.dbtVersion, adapters: stamp.adapters } : this.known(chosen?.dbt)
    const state = this.running ? 'installing' : chosen ? 'ready' : this.error ? 'failed' : 'missing'
    return {
      state,
      source: chosen?.source ?? null,
      executable: chosen?.dbt ?? null,
      dbtVersion: version?.core ?? null,
      adapters: version?.adapters ?? [],
      settingExecutable,
      progress: this.running ? this.progress : null,
      error: chosen ? null : this.error,
      notice: [settingProblem, this.notice].filter(Boolean).join(' ') || null,
    }
  }

  /** The usable dbt of each kind, the choice among them, and the choice told to paths.ts. */
  private async choose(): Promise<{
    chosen: DbtInstallation | undefined
    stamp: ReadyStamp | undefined
    settingExecutable: string | null
  }> {
    const settingExecutable = (await loadSettings(this.options.settingsPath)).settings.dbtExecutable ?? null
    // Without the lock (a broken install) the data-folder environment cannot be told current: it is not used.
    const lock = await readFile(this.lockFile()).catch(() => undefined)
    const layout = dbtEnvLayout(this.options.dataDir)
    const stamp = lock && (await readReadyStamp(layout, createHash('sha256').update(lock).digest('hex')))
    const repo = repoVenvPrograms()
    const settingPython = settingExecutable && existsSync(settingExecutable) ? await pythonOfDbt(settingExecutable) : undefined
    const chosen = chooseDbt({
      setting: settingExecutable && settingPython ? { dbt: settingExecutable, python: settingPython } : undefined,
      repo: existsSync(repo.python) && existsSync(repo.dbt) ? repo : undefined,
      'data-folder': stamp ? { dbt: layout.dbt, python: layout.python } : undefined,
    })
    selectDbtPrograms(chosen && { dbt: chosen.dbt, python: chosen.python })
    return { chosen, stamp, settingExecutable }
  }

  /** Sets up the data-folder environment unless a dbt is already usable; a second call joins the running one. */
  setUp(): Promise<DbtSetupStatus> {
    this.running ??= this.runSetUp().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  /** Names an existing dbt in Settings after checking it; null forgets it. Refused while a set-up runs. */
  async useExecutable(path: string | null): Promise<Result<DbtSetupStatus>> {
    if (this.running) return { ok: false, error: 'dbt is being set up; wait for it to finish.' }
    if (path === null) {
      const saved = await saveDbtExecutable(this.options.settingsPath, null)
      return saved.ok ? { ok: true, value: await this.status() } : saved
    }
    const checked = await checkExistingDbt(path, await this.requirements())
    if (!checked.ok) return checked
    const saved = await saveDbtExecutable(this.options.settingsPath, checked.value.programs.dbt)
    if (!saved.ok) return saved
    this.versions.set(checked.value.programs.dbt, checked.value.version)
    this.error = null
    this.notice =
      'bigquery' in checked.value.version.adapters ? null : 'This dbt has no BigQuery adapter: builds on BigQuery need dbt-bigquery there.'
    this.options.log?.(`dbt: using ${checked.value.programs.dbt} (dbt ${checked.value.version.core}).`)
    return { ok: true, value: await this.status() }
  }

  /** Stops a running set-up (on quit). */
  close(): void {
    this.abort.abort()
  }

  private async runSetUp(): Promise<DbtSetupStatus> {
    if ((await this.choose()).chosen) {
      this.running = undefined
      return this.status()
    }
    this.error = null
    this.notice = null
    this.progress = null
    try {
      const done = await setUpDbtEnvironment({
        ...this.options,
        lockFile: this.lockFile(),
        signal: this.abort.signal,
        onProgress: (progress) => {
          this.progress = progress
          this.emitter.emit('progress', progress)
        },
      })
      this.notice = done.notes.join(' ') || null
      this.options.log?.(`dbt: set up dbt ${done.stamp.dbtVersion} in ${dbtEnvLayout(this.options.dataDir).root}.`)
    } catch (error) {
      this.error = error instanceof UserFacingError ? error.message : `The dbt set-up failed: ${messageOf(error)}`
      this.options.log?.(`dbt: set-up failed: ${this.error}`)
    }
    this.running = undefined
    return this.status()
  }

  private known(dbt: string | undefined): { core: string | null; adapters: string[] } | undefined {
    const version = dbt === undefined ? undefined : this.versions.get(dbt)
    return version && { core: version.core, adapters: Object.keys(version.adapters).sort() }
  }

  private lockFile(): string {
    return this.options.lockFile ?? requirementsLockPath()
  }

  private async requirements(): Promise<string[]> {
    return parseRequirements(await readFile(this.lockFile(), 'utf8'))
  }
}
