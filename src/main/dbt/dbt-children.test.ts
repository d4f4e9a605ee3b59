import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { type Server, createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { projectRoot, venvPython } from '../paths'
import { makeTempDir } from '../testing/fixtures'

/** Pids of every live (not zombie) descendant of `root`, from /proc. */
function descendants(root: number): Array<{ pid: number; cmdline: string }> {
  const parents = new Map<number, number[]>()
  const states = new Map<number, string>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      states.set(Number(name), state ?? '')
      const siblings = parents.get(Number(ppid)) ?? []
      siblings.push(Number(name))
      parents.set(Number(ppid), siblings)
    } catch {
      // Gone meanwhile.
    }
  }
  const out: Array<{ pid: number; cmdline: string }> = []
  const walk = (pid: number) => {
    for (const child of parents.get(pid) ?? []) {
      if (states.get(child) !== 'Z') out.push({ pid: child, cmdline: cmdline(child) })
      walk(child)
    }
  }
  walk(root)
  return out
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
  } catch {
    return ''
  }
}

/** True while the process exists and is not a zombie waiting for a reaper. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z'
  } catch {
    return false
  }
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

describe.skipIf(process.platform !== 'linux' || !existsSync(venvPython()))('dbt children when the app is killed', () => {
  const temp = makeTempDir('dbt-children')
  let host: ChildProcess | undefined
  let blackhole: Server | undefined
  afterAll(() => {
    host?.kill('SIGKILL')
    blackhole?.close()
    temp.cleanup()
  })

  it('leaves no dbt process and no key file after kill -9 of the process that ran a BigQuery build and the worker', async () => {
    // A proxy that accepts and never answers keeps dbt waiting on Google, offline, until the kill.
    blackhole = createServer(() => undefined)
    await new Promise<void>((resolve) => blackhole?.listen(0, '127.0.0.1', resolve))
    const address = blackhole.address()
    const proxy = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    const tmp = join(temp.dir, 'tmp')
    const data = join(temp.dir, 'data')
    mkdirSync(tmp)
    mkdirSync(data)
    host = spawn(process.execPath, ['--import', 'tsx', join(projectRoot(), 'src', 'main', 'dbt', 'testing', 'dbt-child-host.ts')], {
      cwd: projectRoot(),
      env: {
        ...process.env,
        TMPDIR: tmp,
        ATTRIBUTION_TEST_DATA_DIR: data,
        HTTPS_PROXY: proxy,
        https_proxy: proxy,
        NO_PROXY: '',
        no_proxy: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    host.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    host.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const deadline = Date.now() + 60_000
    let children = descendants(host.pid ?? -1)
    while (
      Date.now() < deadline &&
      !(output.includes('dbt-started') && children.some((child) => child.cmdline.includes('dbt_worker.py')))
    ) {
      await sleep(100)
      children = descendants(host.pid ?? -1)
    }
    expect(output, output).toContain('dbt-started')
    expect(output).not.toContain('dbt-finished')
    const dbtProcesses = children.filter((child) => /dbt_guard\.py|dbt_worker\.py/.test(child.cmdline))
    expect(dbtProcesses.map((child) => child.cmdline.match(/dbt_\w+\.py/)?.[0]).sort()).toEqual(['dbt_guard.py', 'dbt_worker.py'])
    // The key reached dbt through its environment, never its arguments.
    for (const child of dbtProcesses) expect(child.cmdline).not.toMatch(/PRIVATE KEY|private_key/)

    host.kill('SIGKILL')
    const goneBy = Date.now() + 5_000
    while (Date.now() < goneBy && dbtProcesses.some((child) => isRunning(child.pid))) await sleep(100)
    expect(dbtProcesses.filter((child) => isRunning(child.pid)).map((child) => child.cmdline)).toEqual([])

    const leftovers = [...filesUnder(tmp), ...filesUnder(data)].filter((path) =>
      /BEGIN PRIVATE KEY|"private_key"/.test(readFileSync(path).toString('latin1')),
    )
    expect(leftovers).toEqual([])
    expect(readdirSync(tmp).filter((name) => name.startsWith('attribution-key-'))).toEqual([])
  })
})
