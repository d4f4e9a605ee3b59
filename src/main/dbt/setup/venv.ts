import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { DbtEnvLayout } from './layout'
import type { SetupStep } from './progress'
import { runTool } from './run-tool'
import { DbtSetupError, isNetworkFailure, uvFailureCause } from './tool-output'

/** The Python uv installs for the environment when it can download one (a private copy an OS upgrade cannot break). */
export const MANAGED_PYTHON_VERSION = '3.12'
/** Python minor versions of 3.x the pinned packages have wheels for (numpy 2.4 needs 3.11 or later). */
export const SYSTEM_PYTHON_MINORS = [13, 12, 11] as const

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
export async function ensureVenv(
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
