import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, open, rename } from 'node:fs/promises'
import { dirname } from 'node:path'
import { messageOf } from '../../errors'
import { ensurePrivateDir } from '../../private-files'
import { extractZipEntry, findFileUrl, httpGet, readBody } from './download'
import type { DbtEnvLayout } from './layout'
import type { SetupStep } from './progress'
import { runTool } from './run-tool'
import { DbtSetupError, offlineMessage } from './tool-output'
import { uvWheelFor } from './uv-release'

/** Where uv and the packages come from when nothing else is named. */
export const DEFAULT_INDEX_URL = 'https://pypi.org/simple'

/** The index the set-up uses, without a trailing slash. */
export function chooseIndexUrl(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return (explicit ?? env.UV_DEFAULT_INDEX ?? env.UV_INDEX_URL ?? env.PIP_INDEX_URL ?? DEFAULT_INDEX_URL).replace(/\/+$/, '')
}

/** True on a Linux without glibc (Alpine), which needs uv's musl build. */
function isMuslLinux(): boolean {
  if (process.platform !== 'linux') return false
  try {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
    return report?.header?.glibcVersionRuntime === undefined
  } catch {
    return false
  }
}

/** Returns a working uv: the one fetched before, else its wheel from the index (checked against the pinned SHA-256). */
export async function ensureUv(
  layout: DbtEnvLayout,
  index: string,
  report: (step: SetupStep) => void,
  signal?: AbortSignal,
): Promise<string> {
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
