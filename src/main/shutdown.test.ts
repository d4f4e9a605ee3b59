import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { projectRoot } from './paths'
import { SHUTDOWN_TIMEOUT_MS, closeWithin, watchdogCommand } from './shutdown'
import { makeTempDir } from './testing/fixtures'

/** Resolves with the exit code and how long after `since` the process exited. */
function exited(child: ChildProcess, since: () => number): Promise<{ code: number | null; signal: string | null; afterMs: number }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, afterMs: Date.now() - since() })))
}

function childPids(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        return Number(ppid) === parent && state !== 'Z'
      } catch {
        return false
      }
    })
    .map(Number)
}

describe('a bounded shutdown', () => {
  const temp = makeTempDir('shutdown')
  const children: ChildProcess[] = []
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL')
    temp.cleanup()
  })

  it('gives up on a close that never ends', async () => {
    const started = Date.now()
    const lines: string[] = []
    expect(
      await closeWithin(
        () => new Promise(() => undefined),
        200,
        (line) => lines.push(line),
      ),
    ).toBe('timed_out')
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(lines[0]).toMatch(/gave up closing after 200 ms/)
    expect(await closeWithin(async () => undefined, 200)).toBe('closed')
    expect(await closeWithin(() => Promise.reject(new Error('boom')), 200)).toBe('failed')
  })

  it('kills a process whose main thread is stuck in native code, once the watchdog is armed', async () => {
    // Atomics.wait blocks the main thread the way a hung DuckDB closeSync does: no timer of its own can run.
    const script = `import('${join(projectRoot(), 'src', 'main', 'shutdown.ts')}').then(({ armExitWatchdog }) => {
      armExitWatchdog(500); console.log('armed'); setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 50)
    })`
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'inherit'] })
    children.push(child)
    let armedAt = 0
    child.stdout?.once('data', () => (armedAt = Date.now()))
    const result = await exited(child, () => armedAt)
    expect(result.signal).toBe('SIGKILL')
    expect(result.afterMs).toBeLessThan(3_000)
  })

  it.skipIf(process.platform === 'win32')(
    'in Electron (no RunAsNode) watches through the system shell: kills a stuck process, leaves an exited one alone',
    async () => {
      const stuck = spawn(process.execPath, ['-e', 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)'], { stdio: 'ignore' })
      children.push(stuck)
      const stuckExit = exited(stuck, () => armedAt)
      const [command, args] = watchdogCommand(stuck.pid ?? 0, 400, { isElectron: true, platform: process.platform })
      expect(command).toBe('/bin/sh')
      const armedAt = Date.now()
      const watchdog = spawn(command, args, { stdio: 'ignore' })
      children.push(watchdog)
      const watchdogExit = exited(watchdog, () => armedAt)
      const result = await stuckExit
      expect(result.signal).toBe('SIGKILL')
      expect(result.afterMs).toBeGreaterThanOrEqual(300)
      expect(result.afterMs).toBeLessThan(3_000)
      await watchdogExit

      const quickStart = Date.now()
      const quick = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 100)'], { stdio: 'ignore' })
      const quickExit = exited(quick, () => quickStart)
      const [quickCommand, quickArgs] = watchdogCommand(quick.pid ?? 0, 60_000, { isElectron: true, platform: process.platform })
      const quickWatchdog = spawn(quickCommand, quickArgs, { stdio: 'ignore' })
      children.push(quickWatchdog)
      const quickWatchdogExit = exited(quickWatchdog, () => quickStart)
      expect((await quickExit).code).toBe(0)
      // With its process gone the watchdog ends on its own instead of waiting out the minute.
      const watchdogEnd = await quickWatchdogExit
      expect(watchdogEnd.code).toBe(0)
      expect(watchdogEnd.afterMs).toBeLessThan(10_000)
    },
  )

  it.skipIf(process.platform !== 'linux' || !existsSync(join(projectRoot(), '.venv')))(
    'stops `npm run serve` within the bound on SIGTERM while it streams, leaving no dbt worker',
    async () => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(projectRoot(), 'src', 'main', 'bridge', 'serve.ts'),
          '--port',
          '0',
          '--warehouse',
          join(temp.dir, 'warehouse.duckdb'),
        ],
        {
          cwd: projectRoot(),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      children.push(child)
      let output = ''
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          const match = /Dashboard at (\S+)/.exec(chunk.toString())
          if (match?.[1]) resolve(match[1])
        })
        child.once('exit', () => reject(new Error(`serve exited early: ${output}`)))
      })
      const call = async (channel: string, body: unknown) => {
        const response = await fetch(new URL(`/api/${channel}`, url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
        return (await response.json()) as { ok: boolean; value?: { storedEvents?: number }; error?: string }
      }
      expect(await call('stream:start', { ratePerSecond: 2_000 })).toMatchObject({ ok: true })
      // Heavy streaming: deliveries and refreshes (dbt) run while the signal arrives.
      const until = Date.now() + 20_000
      while (Date.now() < until) {
        await sleep(500)
        const status = await call('stream:status', {})
        if ((status.value?.storedEvents ?? 0) > 3_000) break
      }
      const helpers = childPids(child.pid ?? -1)
      let signalledAt = 0
      const exit = exited(child, () => signalledAt)
      signalledAt = Date.now()
      child.kill('SIGTERM')
      const result = await exit
      expect(result.afterMs, output).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT_MS + 2_500)
      expect(result.signal, output).toBeNull()
      await sleep(300)
      expect(helpers.filter((pid) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '))).toEqual([])
    },
  )
})
