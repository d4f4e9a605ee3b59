import { chmodSync, existsSync, mkdirSync } from 'node:fs'
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
