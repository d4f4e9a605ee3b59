import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'

const isPosix = process.platform !== 'win32'

/**
 * Creates a folder (and missing parents) readable by its owner only, whatever the umask: the
 * folders this call creates are chmodded to 0700; an existing folder is left as the person set it,
 * unless `isOwnFolder` says it belongs to the app (an outbox, a dbt target folder).
 */
export function ensurePrivateDir(path: string, options: { isOwnFolder?: boolean } = {}): void {
  const firstCreated = mkdirSync(path, { recursive: true, mode: 0o700 })
  if (!isPosix) return
  if (firstCreated !== undefined) {
    // mkdir's mode is masked by the umask, so every folder it created is set again.
    for (let folder = path; ; folder = dirname(folder)) {
      chmodSync(folder, 0o700)
      if (folder === firstCreated || dirname(folder) === folder) break
    }
  } else if (options.isOwnFolder) {
    chmodSync(path, 0o700)
  }
}

/** Makes an existing file of the app readable by its owner only (0600); absent files are skipped. */
export function makePrivateFile(path: string): void {
  if (isPosix && existsSync(path)) chmodSync(path, 0o600)
}

/**
 * Writes `value` as JSON to a file readable by its owner only (0600), atomically: a temp file is
 * written, synced and renamed over `path`, so a crash leaves the old file or the new one, never half.
 * On failure the temp file is removed and the error thrown.
 */
export async function writePrivateJson(path: string, value: unknown): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`
  try {
    await mkdir(dirname(path), { recursive: true })
    await rm(temp, { force: true })
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined)
    throw error
  }
}
