import { rm, writeFile } from 'node:fs/promises'
import type { DbtEnvLayout } from './layout'
import type { SetupStep } from './progress'
import { runTool } from './run-tool'
import { DbtSetupError, isNetworkFailure, offlineMessage, uvFailureCause } from './tool-output'

/** Steps the package install is cut into, so progress can say "n of m packages". */
const INSTALL_STEPS = 12

/** What the install step needs: uv, the environment's Python, the index, and the pinned requirements. */
export interface InstallRequest {
  layout: DbtEnvLayout
  uv: string
  index: string
  env: NodeJS.ProcessEnv
  lockFile: string
  requirements: readonly string[]
  /** What was learnt about Python on the way, told with a failure. */
  pythonNote: string | undefined
  report: (step: SetupStep) => void
  signal?: AbortSignal
}

/** Installs the pinned packages into the virtualenv in steps (progress "n of m packages"), then checks the full set in one pass. */
export async function installPackages(request: InstallRequest): Promise<void> {
  const { layout, uv, index, env, lockFile, requirements, pythonNote, report, signal } = request
  const uvInstall = async (args: string[]) => {
    const result = await runTool(uv, ['pip', 'install', '--python', layout.python, '--default-index', index, '--color', 'never', ...args], {
      env,
      signal,
    })
    if (signal?.aborted) throw new DbtSetupError('The dbt set-up was cancelled. Setting up again resumes where it stopped.')
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
}
