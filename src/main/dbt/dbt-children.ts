import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packagedResource, projectRoot } from '../paths'

const live = new Set<ChildProcess>()
let isExitHooked = false

/**
 * Remembers a dbt process so it dies with the app: killed on `process.exit` and by
 * `killDbtChildren()` (shutdown, signals). A kill -9 of the app is covered by the Python side,
 * which exits when its stdin closes (see dbt_guard.py and dbt_worker.py).
 */
export function trackDbtChild(child: ChildProcess): void {
  live.add(child)
  child.once('exit', () => live.delete(child))
  if (!isExitHooked) {
    isExitHooked = true
    process.once('exit', () => killDbtChildren())
  }
}

/** Kills every dbt process this process started and still runs; returns how many. */
export function killDbtChildren(): number {
  let killed = 0
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')) killed += 1
    live.delete(child)
  }
  return killed
}

/** The ids of running dbt processes (tests, diagnostics). */
export function dbtChildPids(): number[] {
  return [...live].flatMap((child) => (child.pid === undefined ? [] : [child.pid]))
}

/** A Python script: shipped beside a packaged app (Python cannot read inside app.asar), beside this module in the sources, else the repository's. */
export function dbtPythonScript(name: 'dbt_guard.py' | 'dbt_worker.py'): string {
  const packaged = packagedResource(name)
  if (packaged) return packaged
  const beside = fileURLToPath(new URL(`./${name}`, import.meta.url))
  return existsSync(beside) ? beside : join(projectRoot(), 'src', 'main', 'dbt', name)
}
