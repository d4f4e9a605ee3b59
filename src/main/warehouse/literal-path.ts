import { copyFile, link, mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join, resolve } from 'node:path'
import { ensurePrivateDir } from '../private-files'

/** Characters DuckDB's file readers (read_json, read_parquet, parquet_schema) expand as a glob. */
const GLOB_CHARACTERS = /[*?[\]{}]/

/** True when DuckDB would read `path` as a glob pattern rather than as one file. */
export function hasGlobCharacters(path: string): boolean {
  return GLOB_CHARACTERS.test(path)
}

/**
 * Runs `work` with a path DuckDB reads literally: the path itself when it has no glob characters,
 * else a hard link (or symlink, or copy) to it under a safe name in a fresh 0700 temporary folder,
 * removed afterwards. So `ev[3].ndjson` imports that file, never `ev3.ndjson`. Messages of errors
 * name the original path, not the temporary one.
 */
export async function withLiteralPath<T>(path: string, work: (literalPath: string) => Promise<T>): Promise<T> {
  if (!hasGlobCharacters(path)) return work(path)
  const dir = await mkdtemp(join(tmpdir(), 'attribution-import-'))
  try {
    ensurePrivateDir(dir, { isOwnFolder: true })
    const extension = extname(path)
    const safe = join(dir, `file${hasGlobCharacters(extension) ? '' : extension}`)
    if (hasGlobCharacters(safe)) throw new Error(`The temporary folder ${dir} itself has glob characters; set TMPDIR to a plain path.`)
    await linkOrCopy(resolve(path), safe)
    try {
      return await work(safe)
    } catch (error) {
      if (error instanceof Error) error.message = error.message.split(safe).join(path)
      throw error
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function linkOrCopy(source: string, target: string): Promise<void> {
  try {
    await link(source, target)
    return
  } catch {
    // Another file system (EXDEV) or links not allowed: try a symlink, then a copy.
  }
  try {
    await symlink(source, target)
    return
  } catch {
    await copyFile(source, target)
  }
}
