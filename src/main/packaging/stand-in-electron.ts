import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The marker @electron/fuses looks for in the binary; the fuse wire follows it. */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'

/**
 * Electron's own fuse defaults, in wire order ('1' on, '0' off): RunAsNode, EnableCookieEncryption,
 * EnableNodeOptionsEnvironmentVariable, EnableNodeCliInspectArguments, EnableEmbeddedAsarIntegrityValidation,
 * OnlyLoadAppFromAsar, LoadBrowserProcessSpecificV8Snapshot, GrantFileProtocolExtraPrivileges.
 */
export const ELECTRON_DEFAULT_FUSES = '10110001'

/** A fuse's byte on the wire when on ('1') and off ('0'), as @electron/fuses reads it back. */
export const FUSE_ENABLED = '1'.charCodeAt(0)
export const FUSE_DISABLED = '0'.charCodeAt(0)

/**
 * Writes the shape of an unpacked Linux Electron that `electron-builder --dir` copies from `electronDist`:
 * an `electron` executable (a script that refuses to run, carrying a real fuse wire so the fuses step
 * flips it for real), Electron's LICENSE and `version`. Chromium's own files are not needed to package.
 */
export function writeStandInElectron(dir: string, electronVersion: string): void {
  mkdirSync(join(dir, 'resources'), { recursive: true })
  mkdirSync(join(dir, 'locales'), { recursive: true })
  const fuseWire = Buffer.concat([
    Buffer.from(FUSE_SENTINEL, 'ascii'),
    Buffer.from([1, ELECTRON_DEFAULT_FUSES.length]),
    Buffer.from(ELECTRON_DEFAULT_FUSES, 'ascii'),
  ])
  const script = Buffer.from(
    '#!/bin/sh\necho "stand-in Electron for packaging tests: it packages, it does not run" >&2\nexit 1\n# fuse wire: ',
    'utf8',
  )
  writeFileSync(join(dir, 'electron'), Buffer.concat([script, fuseWire, Buffer.from('\n')]))
  chmodSync(join(dir, 'electron'), 0o755)
  writeFileSync(join(dir, 'LICENSE'), "Stand-in for Electron's MIT licence file.\n")
  writeFileSync(join(dir, 'LICENSES.chromium.html'), "<!-- stand-in for Chromium's licences -->\n")
  writeFileSync(join(dir, 'version'), electronVersion)
}
