#!/usr/bin/env node
// Creates .venv-bigquery-emulator (Python 3.13, requirements-emulator.lock): the local-bigquery emulator
// that src/main/bigquery/emulator.test.ts runs the BigQuery path on. Called by setup-python.mjs (so by
// `npm install`); plain JavaScript with no dependencies, like it.
// Outside CI a missing Python 3.13 or a failed install is one line and no failure (the app does not
// need this venv; the suite then skips saying why). With CI=true a failed install fails the set-up.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const venv = join(root, '.venv-bigquery-emulator')
const lockFile = join(root, 'requirements-emulator.lock')
const stampFile = join(venv, '.requirements.sha256')
const isWindows = process.platform === 'win32'
const venvPython = isWindows ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python')
const isCi = process.env.CI === 'true'

function say(line) {
  process.stdout.write(`[setup] ${line}\n`)
}

/** Python 3.13 (local-bigquery 0.4.0 needs >= 3.13): on PATH, else pyenv's versions folder, else `pyenv which`. */
function findPython313() {
  const candidates = [isWindows ? 'py' : 'python3.13']
  const pyenvRoot = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv')
  const versions = join(pyenvRoot, 'versions')
  if (existsSync(versions)) {
    for (const version of readdirSync(versions)
      .filter((name) => /^3\.13(\.|$)/.test(name))
      .sort()
      .reverse()) {
      candidates.push(join(versions, version, 'bin', 'python3.13'))
    }
  }
  const pyenv = spawnSync('pyenv', ['which', 'python3.13'], { encoding: 'utf8' })
  if (pyenv.status === 0 && pyenv.stdout.trim()) candidates.push(pyenv.stdout.trim())
  for (const command of candidates) {
    const args = command === 'py' ? ['-3.13'] : []
    const probe = spawnSync(command, [...args, '-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' })
    if (probe.status === 0 && probe.stdout.trim() === '3.13') return { command, args }
  }
  return undefined
}

/** Sets the venv up when the lock changed; returns false (after one line saying why) when it could not. */
export function setupEmulatorVenv() {
  const lockHash = createHash('sha256').update(readFileSync(lockFile)).digest('hex')
  if (existsSync(venvPython) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === lockHash) {
    say('.venv-bigquery-emulator is up to date with requirements-emulator.lock.')
    return true
  }
  const problem = (line) => {
    say(line)
    return false
  }
  if (!existsSync(venvPython)) {
    const python = findPython313()
    if (!python) {
      return problem(
        'No Python 3.13 (python3.13, pyenv): the BigQuery emulator suite will skip (in CI it fails). Install Python 3.13, then run `npm run setup:python`.',
      )
    }
    say(`creating .venv-bigquery-emulator with ${python.command} ${python.args.join(' ')}`.trimEnd())
    const created = spawnSync(python.command, [...python.args, '-m', 'venv', venv], { stdio: 'inherit', cwd: root })
    if (created.status !== 0) return problem('Could not create .venv-bigquery-emulator: the BigQuery emulator suite will skip.')
  }
  say('installing local-bigquery and its pinned packages from requirements-emulator.lock')
  // --no-deps: the lock is complete, and it overrides local-bigquery's duckdb>=2.0.0 (see the lock's header).
  const pip = spawnSync(
    venvPython,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--progress-bar', 'off', '-q', '--no-deps', '-r', lockFile],
    { stdio: 'inherit', cwd: root },
  )
  if (pip.status !== 0) {
    rmSync(stampFile, { force: true })
    return problem(
      'pip could not install requirements-emulator.lock into .venv-bigquery-emulator (offline?): the BigQuery emulator suite will skip.',
    )
  }
  writeFileSync(stampFile, `${lockHash}\n`)
  say('the BigQuery emulator is ready in .venv-bigquery-emulator.')
  return true
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ready = setupEmulatorVenv()
  if (!ready && isCi) process.exit(1)
}
