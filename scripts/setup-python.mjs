#!/usr/bin/env node
// Creates .venv with the pinned dbt and DuckDB (run by `npm install`; again with `npm run setup:python`).
// Plain JavaScript with no dependencies, because it runs while node_modules is still being installed.
// Then the BigQuery emulator's own venv (setup-python-emulator.mjs), for the tests only.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setupEmulatorVenv } from './setup-python-emulator.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const venv = join(root, '.venv')
const lockFile = join(root, 'requirements.lock')
const stampFile = join(venv, '.requirements.sha256')
const isWindows = process.platform === 'win32'
const venvPython = isWindows ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python')

function fail(message) {
  process.stderr.write(`\n[setup] ${message}\n\n`)
  process.exit(1)
}

/** The emulator's venv after dbt's; only in CI does a failure there fail the set-up. */
function finish() {
  if (!setupEmulatorVenv() && process.env.CI === 'true')
    fail('CI needs .venv-bigquery-emulator for the BigQuery emulator suite (see the line above).')
  process.exit(0)
}

function run(command, args, options = {}) {
  return spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options })
}

function findPython() {
  const candidates = isWindows
    ? [
        ['py', ['-3']],
        ['python', []],
      ]
    : [
        ['python3', []],
        ['python', []],
      ]
  for (const [command, prefix] of candidates) {
    const probe = spawnSync(command, [...prefix, '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' })
    if (probe.status !== 0) continue
    const [major, minor] = probe.stdout.trim().split('.').map(Number)
    if (major === 3 && minor >= 10 && minor <= 13) return { command, prefix }
  }
  return undefined
}

if (process.env.ATTRIBUTION_SKIP_PYTHON_SETUP === '1') {
  process.stdout.write('[setup] ATTRIBUTION_SKIP_PYTHON_SETUP=1: not creating the dbt virtualenv.\n')
  process.exit(0)
}

const lockHash = createHash('sha256').update(readFileSync(lockFile)).digest('hex')
if (existsSync(venvPython) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === lockHash) {
  process.stdout.write('[setup] .venv is up to date with requirements.lock.\n')
  finish()
}

if (!existsSync(venvPython)) {
  const python = findPython()
  if (!python)
    fail(
      'Python 3.10 to 3.13 is needed for dbt but was not found. Install it (e.g. `apt-get install python3 python3-venv`), then run `npm run setup:python`.',
    )
  process.stdout.write(`[setup] creating ${venv} with ${python.command}\n`)
  const created = run(python.command, [...python.prefix, '-m', 'venv', venv])
  if (created.status !== 0)
    fail('Could not create the Python virtualenv .venv (on Debian: `apt-get install python3-venv`). Then run `npm run setup:python`.')
}

process.stdout.write('[setup] installing dbt-core, dbt-duckdb, dbt-bigquery and duckdb from requirements.lock (about a minute)\n')
const pip = run(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--progress-bar', 'off', '-q', '-r', lockFile])
if (pip.status !== 0) {
  fail(
    'pip could not install the pinned dbt packages into .venv. Are you offline, or is PyPI blocked? ' +
      'Connect to PyPI (or set PIP_INDEX_URL to a mirror), then run `npm run setup:python`.',
  )
}

// Both DuckDB libraries must write the same file format: the Python one must match @duckdb/node-api.
const nodeDuckdb = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies['@duckdb/node-api']
const expected = nodeDuckdb.split('-')[0]
const probe = spawnSync(venvPython, ['-c', 'import duckdb; print(duckdb.__version__)'], { encoding: 'utf8' })
const actual = probe.stdout.trim()
if (actual !== expected)
  fail(`Python duckdb is ${actual || 'missing'} but @duckdb/node-api is ${expected}: pin the same release in requirements.lock.`)

writeFileSync(stampFile, `${lockHash}\n`)
process.stdout.write(`[setup] dbt is ready in .venv (duckdb ${actual} in both Python and Node).\n`)
finish()
