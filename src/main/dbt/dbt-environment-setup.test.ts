import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32, deflateRawSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DbtSetupStatus } from '@shared/api'
import { createApiHandlers } from '../api/handlers'
import { dbtExecutable, projectRoot, selectDbtPrograms, venvPython } from '../paths'
import { loadSettings, saveSettings } from '../settings/app-settings'
import {
  DbtEnvironment,
  type SetupStep,
  UV_VERSION,
  checkExistingDbt,
  chooseDbt,
  chooseIndexUrl,
  dbtEnvLayout,
  extractZipEntry,
  findFileUrl,
  isNetworkFailure,
  offlineMessage,
  parseDbtVersion,
  parseRequirements,
  pinnedVersion,
  setupProgress,
  uvFailureCause,
  uvWheelFor,
} from './dbt-environment-setup'

const LOCK = readFileSync(join(projectRoot(), 'requirements.lock'), 'utf8')
const REQUIREMENTS = parseRequirements(LOCK)

/** `dbt --version` of dbt-core 1.11 with both adapters, as it prints it. */
const DBT_VERSION_OUTPUT = `Core:
  - installed: 1.11.16
  - latest:    1.11.16 - Up to date!

Plugins:
  - bigquery: 1.11.3 - Up to date!
  - duckdb:   1.11.1 - Up to date!
`

/** uv's answer when the index refuses connections. */
const UV_OFFLINE_OUTPUT = `Using Python 3.11.7 environment at: /tmp/x/dbt-env/venv
error: Request failed after 3 retries in 8.3s
  cause: Failed to fetch: http://127.0.0.1:9/simple/agate/
  cause: error sending request for url (http://127.0.0.1:9/simple/agate/)
  cause: client error (Connect)
  cause: tcp connect error
  cause: Connection refused (os error 111)
`

/** A ZIP archive of the given members, deflated: enough to test the reader without a wheel. */
function zipOf(members: Record<string, string>): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const [name, text] of Object.entries(members)) {
    const data = Buffer.from(text)
    const packed = deflateRawSync(data)
    const nameBytes = Buffer.from(name)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(crc32(data), 14)
    local.writeUInt32LE(packed.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(8, 10)
    central.writeUInt32LE(crc32(data), 16)
    central.writeUInt32LE(packed.length, 20)
    central.writeUInt32LE(data.length, 24)
    central.writeUInt16LE(nameBytes.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, nameBytes, packed)
    centrals.push(central, nameBytes)
    offset += local.length + nameBytes.length + packed.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(Object.keys(members).length, 8)
  end.writeUInt16LE(Object.keys(members).length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

describe('chooseDbt', () => {
  const programs = (name: string) => ({ dbt: `/${name}/bin/dbt`, python: `/${name}/bin/python` })

  it('prefers the dbt named in Settings, then the repo .venv, then the data-folder environment', () => {
    const all = { setting: programs('mine'), repo: programs('repo'), 'data-folder': programs('data') }
    expect(chooseDbt(all)).toEqual({ source: 'setting', ...programs('mine') })
    expect(chooseDbt({ ...all, setting: undefined })).toEqual({ source: 'repo', ...programs('repo') })
    expect(chooseDbt({ 'data-folder': programs('data') })).toEqual({ source: 'data-folder', ...programs('data') })
  })

  it('gives none when nothing is usable', () => {
    expect(chooseDbt({})).toBeUndefined()
  })
})

describe('setupProgress', () => {
  const steps: SetupStep[] = [
    { phase: 'downloading-uv', receivedBytes: 0 },
    { phase: 'downloading-uv', receivedBytes: 8_800_000, totalBytes: 17_600_000 },
    { phase: 'creating-environment' },
    { phase: 'creating-environment', python: '3.12.7' },
    { phase: 'installing', donePackages: 0, totalPackages: 93 },
    { phase: 'installing', donePackages: 40, totalPackages: 93 },
    { phase: 'installing', donePackages: 93, totalPackages: 93 },
    { phase: 'checking' },
    { phase: 'done', dbtVersion: '1.11.16' },
  ]

  it('puts each step in words, as the job progress the renderer shows', () => {
    expect(steps.map((step) => setupProgress(step).message)).toEqual([
      'Downloading uv (0.0 MB)',
      'Downloading uv (8.8 of 17.6 MB)',
      'Creating the environment',
      'Creating the environment (Python 3.12.7)',
      'Installing dbt (0 of 93 packages)',
      'Installing dbt (40 of 93 packages)',
      'Installing dbt (93 of 93 packages)',
      'Checking that dbt runs',
      'dbt 1.11.16 is ready',
    ])
    expect(new Set(steps.map((step) => setupProgress(step).phase))).toEqual(
      new Set(['downloading uv', 'creating the environment', 'installing dbt', 'checking dbt', 'done']),
    )
    for (const step of steps) expect(setupProgress(step).job).toBe('dbt-setup')
  })

  it('fills the bar from 0 to 100 and never goes back', () => {
    const percents = steps.map((step) => setupProgress(step).percent ?? -1)
    expect(percents[0]).toBe(0)
    expect(percents.at(-1)).toBe(100)
    for (let index = 1; index < percents.length; index += 1) expect(percents[index]).toBeGreaterThanOrEqual(percents[index - 1]!)
    expect(setupProgress({ phase: 'downloading-uv', receivedBytes: 17_600_000, totalBytes: 17_600_000 }).percent).toBe(10)
  })
})

describe('reading what the tools say', () => {
  it('reads dbt --version: core and adapters', () => {
    expect(parseDbtVersion(DBT_VERSION_OUTPUT)).toEqual({ core: '1.11.16', adapters: { bigquery: '1.11.3', duckdb: '1.11.1' } })
    expect(parseDbtVersion('\u001b[0mCore:\n  - installed: 1.10.2\n\nPlugins:\n  - postgres: 1.9.0\n')).toEqual({
      core: '1.10.2',
      adapters: { postgres: '1.9.0' },
    })
    expect(parseDbtVersion('bash: dbt: command not found')).toEqual({ core: null, adapters: {} })
  })

  it('reads requirements.lock: one pinned requirement per line, and the pins', () => {
    expect(REQUIREMENTS.length).toBeGreaterThan(50)
    expect(REQUIREMENTS.every((line) => /^[A-Za-z0-9_.-]+==\S+$/.test(line))).toBe(true)
    expect(pinnedVersion(REQUIREMENTS, 'dbt-core')).toBe('1.11.16')
    expect(pinnedVersion(REQUIREMENTS, 'duckdb')).toBe('1.5.6')
    expect(pinnedVersion(REQUIREMENTS, 'typing-extensions')).toBe(pinnedVersion(REQUIREMENTS, 'typing_extensions'))
    expect(parseRequirements('# pins\n--index-url https://x/simple\nfoo==1.0  # why\nbar==2.0 \\\n    --hash=sha256:ab\n\n')).toEqual([
      'foo==1.0',
      'bar==2.0      --hash=sha256:ab',
    ])
  })

  it("tells an unreachable index from other failures, and keeps uv's URL and innermost cause", () => {
    expect(isNetworkFailure(UV_OFFLINE_OUTPUT)).toBe(true)
    expect(isNetworkFailure('connect ECONNREFUSED 127.0.0.1:9')).toBe(true)
    expect(isNetworkFailure('error: No solution found when resolving dependencies: numpy==2.4.6 has no wheel for cp310')).toBe(false)
    expect(uvFailureCause(UV_OFFLINE_OUTPUT)).toBe('http://127.0.0.1:9/simple/agate/: Connection refused (os error 111)')
    expect(uvFailureCause(UV_OFFLINE_OUTPUT, { withUrl: false })).toBe('Connection refused (os error 111)')
    expect(uvFailureCause('error: Distribution not found at: file:///x')).toBe('Distribution not found at: file:///x')
  })

  it('words the offline failure so a person knows both ways out', () => {
    const message = offlineMessage(
      'http://127.0.0.1:9/simple/agate/: Connection refused',
      'uv could not download its own Python (dns error), so the system Python 3.11.7 (/usr/bin/python3.11) was used.',
    )
    expect(message).toMatch(
      /^Could not reach PyPI to install dbt \(http:\/\/127\.0\.0\.1:9\/simple\/agate\/: Connection refused\)\. Connect to the internet, or point Settings at an existing dbt\./,
    )
    expect(message).toContain('system Python 3.11.7')
    expect(message).toMatch(/resumes where this stopped\.$/)
  })

  it('picks the index: explicit, then uv and pip variables, then PyPI, without a trailing slash', () => {
    expect(chooseIndexUrl('http://127.0.0.1:9/simple/', {})).toBe('http://127.0.0.1:9/simple')
    expect(chooseIndexUrl(undefined, { PIP_INDEX_URL: 'https://mirror/simple', UV_INDEX_URL: 'https://uv-mirror/simple' })).toBe(
      'https://uv-mirror/simple',
    )
    expect(chooseIndexUrl(undefined, {})).toBe('https://pypi.org/simple')
  })
})

describe('fetching uv', () => {
  it('knows the wheel of each platform uv publishes, with a pinned SHA-256', () => {
    expect(uvWheelFor('linux', 'x64')).toEqual({
      filename: `uv-${UV_VERSION}-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      binary: `uv-${UV_VERSION}.data/scripts/uv`,
    })
    expect(uvWheelFor('linux', 'x64', true)?.filename).toContain('musllinux_1_1_x86_64')
    expect(uvWheelFor('darwin', 'arm64')?.filename).toContain('macosx_11_0_arm64')
    expect(uvWheelFor('win32', 'x64')?.binary).toBe(`uv-${UV_VERSION}.data/scripts/uv.exe`)
    expect(uvWheelFor('freebsd', 'x64')).toBeUndefined()
  })

  it('finds a file on a PEP 691 JSON page and on a PEP 503 HTML page', () => {
    const json = JSON.stringify({ files: [{ filename: 'uv-1.whl', url: 'https://files.example/packages/uv-1.whl', hashes: {} }] })
    expect(findFileUrl(json, 'application/vnd.pypi.simple.v1+json', 'https://pypi.org/simple/uv/', 'uv-1.whl')).toBe(
      'https://files.example/packages/uv-1.whl',
    )
    const html = '<html><body><a href="../../packages/ab/uv-1.whl#sha256=00">uv-1.whl</a><a href="other.whl">other.whl</a></body></html>'
    expect(findFileUrl(html, 'text/html', 'http://mirror.local/simple/uv/', 'uv-1.whl')).toBe('http://mirror.local/packages/ab/uv-1.whl')
    expect(findFileUrl(html, 'text/html', 'http://mirror.local/simple/uv/', 'uv-2.whl')).toBeUndefined()
  })

  it('takes one member out of a ZIP archive and checks it', () => {
    const zip = zipOf({ 'uv/__init__.py': '', 'uv-0.data/scripts/uv': '#!binary\n'.repeat(1000) })
    expect(extractZipEntry(zip, 'uv-0.data/scripts/uv').toString()).toBe('#!binary\n'.repeat(1000))
    expect(() => extractZipEntry(zip, 'uv-0.data/scripts/uv.exe')).toThrow(/not in the archive/)
    expect(() => extractZipEntry(Buffer.from('not a zip'), 'x')).toThrow(/not a ZIP/)
  })
})

describe('the app’s dbt (DbtEnvironment), with fake dbt executables', () => {
  let temp: string
  let previousRoot: string | undefined

  /** A dbt script that answers --version like dbt, with a "python" beside it that answers the import check. */
  function fakeDbt(folder: string, options: { adapters?: string; duckdb?: string } = {}): string {
    const bin = join(temp, folder, 'bin')
    mkdirSync(bin, { recursive: true })
    const adapters = options.adapters ?? '  - duckdb:   1.11.1 - Up to date!\n'
    writeFileSync(join(bin, 'dbt'), `#!/bin/sh\ncat <<'OUT'\nCore:\n  - installed: 1.11.16\n\nPlugins:\n${adapters}OUT\n`)
    writeFileSync(join(bin, 'python'), `#!/bin/sh\necho ${options.duckdb ?? '1.5.6'}\n`)
    chmodSync(join(bin, 'dbt'), 0o755)
    chmodSync(join(bin, 'python'), 0o755)
    return join(bin, 'dbt')
  }

  beforeEach(() => {
    temp = mkdtempSync(join(tmpdir(), 'dbt-env-'))
    previousRoot = process.env.ATTRIBUTION_ROOT
    // A root without .venv: as in a packaged app.
    process.env.ATTRIBUTION_ROOT = join(temp, 'app')
    mkdirSync(process.env.ATTRIBUTION_ROOT)
  })
  afterEach(() => {
    if (previousRoot === undefined) delete process.env.ATTRIBUTION_ROOT
    else process.env.ATTRIBUTION_ROOT = previousRoot
    selectDbtPrograms(undefined)
    rmSync(temp, { recursive: true, force: true })
  })

  const service = () =>
    new DbtEnvironment({
      dataDir: join(temp, 'data'),
      settingsPath: join(temp, 'data', 'settings.json'),
      lockFile: join(temp, 'requirements.lock'),
    })

  it.skipIf(process.platform === 'win32')(
    'says missing without a dbt, uses a ready data-folder environment, and tells paths.ts',
    async () => {
      writeFileSync(join(temp, 'requirements.lock'), LOCK)
      expect((await service().status()).state).toBe('missing')

      const layout = dbtEnvLayout(join(temp, 'data'))
      fakeDbt('data/dbt-env/venv')
      // Installed but not stamped: a set-up that stopped half-way is not ready.
      expect((await service().status()).state).toBe('missing')
      const { createHash } = await import('node:crypto')
      const lockSha256 = createHash('sha256').update(LOCK).digest('hex')
      writeFileSync(
        layout.readyStamp,
        JSON.stringify({
          lockSha256,
          dbtVersion: '1.11.16',
          adapters: ['bigquery', 'duckdb'],
          python: '3.12.7',
          uvVersion: UV_VERSION,
          createdAt: '',
        }),
      )
      const ready = await service().status()
      expect(ready).toMatchObject({
        state: 'ready',
        source: 'data-folder',
        executable: layout.dbt,
        dbtVersion: '1.11.16',
        adapters: ['bigquery', 'duckdb'],
      })
      expect(dbtExecutable()).toBe(layout.dbt)
      expect(venvPython()).toBe(layout.python)

      // A new lock (an app update) makes the environment stale until it is set up again.
      writeFileSync(join(temp, 'requirements.lock'), `${LOCK}extra==1.0\n`)
      expect((await service().status()).state).toBe('missing')
    },
  )

  it.skipIf(process.platform === 'win32')(
    'checks an existing dbt before naming it in Settings, prefers it, and forgets it on request',
    async () => {
      writeFileSync(join(temp, 'requirements.lock'), LOCK)
      const dbt = fakeDbt('mine')
      const used = await service().useExecutable(dbt)
      expect(used).toMatchObject({
        ok: true,
        value: { state: 'ready', source: 'setting', executable: dbt, dbtVersion: '1.11.16', adapters: ['duckdb'] },
      })
      expect(used.ok && used.value.notice).toMatch(/no BigQuery adapter/)
      expect((await loadSettings(join(temp, 'data', 'settings.json'))).settings.dbtExecutable).toBe(dbt)
      expect(venvPython()).toBe(join(temp, 'mine', 'bin', 'python'))

      // Saving the other settings keeps it: only the checked path can change it.
      await saveSettings(join(temp, 'data', 'settings.json'), {
        ...(await loadSettings(join(temp, 'data', 'settings.json'))).settings,
        dbtExecutable: '/bin/sh',
      })
      expect((await loadSettings(join(temp, 'data', 'settings.json'))).settings.dbtExecutable).toBe(dbt)

      const forgotten = await service().useExecutable(null)
      expect(forgotten).toMatchObject({ ok: true, value: { state: 'missing', settingExecutable: null } })
    },
  )

  it.skipIf(process.platform === 'win32')('refuses what is not a usable dbt, with the reason', async () => {
    expect(await checkExistingDbt('relative/dbt', REQUIREMENTS)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not a full path/),
    })
    expect(await checkExistingDbt(join(temp, 'nothing', 'dbt'), REQUIREMENTS)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/There is no file/),
    })
    expect(await checkExistingDbt('/bin/sh', REQUIREMENTS)).toMatchObject({ ok: false, error: expect.stringMatching(/a file called dbt/) })
    const noDuckdb = fakeDbt('pg', { adapters: '  - postgres: 1.9.0 - Up to date!\n' })
    expect(await checkExistingDbt(noDuckdb, REQUIREMENTS)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/no duckdb adapter: install dbt-duckdb==1\.11\.1/),
    })
    const oldDuckdb = fakeDbt('old', { duckdb: '1.1.3' })
    expect(await checkExistingDbt(oldDuckdb, REQUIREMENTS)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/duckdb 1\.1\.3, but the app's DuckDB is 1\.5\.6/),
    })
    writeFileSync(join(temp, 'dbt'), '#!/bin/sh\necho hello\n')
    chmodSync(join(temp, 'dbt'), 0o755)
    expect(await checkExistingDbt(join(temp, 'dbt'), REQUIREMENTS)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/could not be found|did not answer like dbt/),
    })
  })
})

describe('the dbt channels', () => {
  const status: DbtSetupStatus = {
    state: 'failed',
    source: null,
    executable: null,
    dbtVersion: null,
    adapters: [],
    settingExecutable: null,
    progress: null,
    error: 'Could not reach PyPI to install dbt (x).',
    notice: null,
  }
  const handlers = (dbt?: Parameters<typeof createApiHandlers>[0]['dbt']) =>
    createApiHandlers({
      warehouse: () => {
        throw new Error('unused')
      },
      jobs: {} as never,
      stream: () => {
        throw new Error('unused')
      },
      refresh: () => ({ cancel: () => undefined }),
      dbt,
    })

  it('answers a failed set-up with its message, and checks requests', async () => {
    const api = handlers({
      status: async () => status,
      setUp: async () => status,
      useExecutable: async () => ({ ok: false, error: 'There is no file at /x/dbt.' }),
    })
    expect(await api['dbt:setup']({})).toEqual({ ok: false, error: status.error })
    expect(await api['dbt:status']({})).toEqual({ ok: true, value: status })
    expect(await api['dbt:useExecutable']({ path: '/x/dbt' })).toEqual({ ok: false, error: 'There is no file at /x/dbt.' })
    expect(await api['dbt:useExecutable']({ path: 3 })).toMatchObject({ ok: false, error: expect.stringMatching(/path must be/) })
    expect(await api['dbt:setup']({ extra: 1 })).toMatchObject({ ok: false })
  })

  it('says so where the host has no dbt service', async () => {
    expect(await handlers()['dbt:status']({})).toMatchObject({ ok: false, error: expect.stringMatching(/cannot set up dbt/) })
  })
})
