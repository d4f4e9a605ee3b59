import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A small tmpfs mounted at a folder: a real disk that fills up, for the disk-full tests. */
export interface SmallDisk {
  path: string
  /** Bytes a file may still take on it. */
  free(): number
  /** Fills the disk until `leave` bytes are free, with a file that `release` deletes. */
  fill(leave: number): void
  release(): void
  unmount(): void
}

/** Mounts a tmpfs of `bytes` at `path` (created when missing); needs root on Linux. */
export function mountSmallDisk(path: string, bytes: number): SmallDisk {
  mkdirSync(path, { recursive: true })
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', path], { encoding: 'utf8' })
  if (mount.status !== 0) throw new Error(`mount -t tmpfs failed: ${mount.stderr.trim() || mount.error?.message}`)
  const filler = join(path, '.filler')
  const free = () => {
    const stats = statfsSync(path)
    return stats.bavail * stats.bsize
  }
  return {
    path,
    free,
    fill(leave) {
      rmSync(filler, { force: true })
      writeFileSync(filler, Buffer.alloc(Math.max(0, free() - leave)))
    },
    release() {
      rmSync(filler, { force: true })
    },
    unmount() {
      spawnSync('umount', ['-l', path])
    },
  }
}

/** Why a small tmpfs cannot be mounted here (not root, not Linux, no mount), or undefined when it can. */
export function smallDiskUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'the disk-full tests mount a tmpfs, which needs Linux'
  if (process.getuid?.() !== 0) return 'the disk-full tests mount a small tmpfs, which needs root (run them as root or in a container)'
  const probe = mkdtempSync(join(tmpdir(), 'small-disk-probe-'))
  try {
    const disk = mountSmallDisk(probe, 64 * 1024)
    disk.unmount()
    return undefined
  } catch (error) {
    return `the disk-full tests could not mount a tmpfs: ${error instanceof Error ? error.message : String(error)}`
  } finally {
    rmSync(probe, { recursive: true, force: true })
  }
}
