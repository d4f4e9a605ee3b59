import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { E2E_DIR, FIXTURE_PARQUET, ROOT, WAREHOUSES, cli, hasFixture } from './warehouses'

/** Builds the e2e warehouses with the real CLI and starts a browser bridge in front of each. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  rmSync(E2E_DIR, { recursive: true, force: true })
  mkdirSync(E2E_DIR, { recursive: true })
  if (hasFixture) {
    cli(['import', FIXTURE_PARQUET, '--warehouse', WAREHOUSES.fixture.path])
    cli(['build', '--warehouse', WAREHOUSES.fixture.path])
  } else {
    process.stderr.write(`Skipping e2e specs on real GA4 rows: ${FIXTURE_PARQUET} is absent.\n`)
  }
  cli(['generate', '--users', '3000', '--days', '60', '--end-date', '2026-10-31', '--seed', '11', '--warehouse', WAREHOUSES.generated.path])
  // The three events the app once offered stay modelled here, so specs can switch among them without a build.
  cli(['build', '--conversion-events', 'purchase,begin_checkout,add_to_cart', '--warehouse', WAREHOUSES.generated.path])
  cli(['generate', '--users', '1500', '--days', '30', '--seed', '12', '--warehouse', WAREHOUSES.stream.path])
  cli(['build', '--warehouse', WAREHOUSES.stream.path])

  const bridges: ChildProcess[] = []
  for (const [name, warehouse] of Object.entries(WAREHOUSES)) {
    if (name === 'fixture' && !hasFixture) continue
    const bridge = spawn(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(ROOT, 'src', 'main', 'bridge', 'serve.ts'),
        '--warehouse',
        warehouse.path,
        '--port',
        String(warehouse.port),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    bridges.push(bridge)
    await new Promise<void>((resolve, reject) => {
      bridge.once('exit', (code) => reject(new Error(`The bridge for ${name} exited with ${code}`)))
      bridge.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Dashboard at')) resolve()
      })
    })
  }
  return async () => {
    for (const bridge of bridges) bridge.kill('SIGTERM')
  }
}
