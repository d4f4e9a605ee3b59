import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Result } from '@shared/attribution'
import type { CredentialSummary, KeyStorageInfo } from '@shared/settings-api'
import { messageOf } from '../errors'
import type { SecretCipher } from './secret-cipher'
import { type ServiceAccountKey, parseServiceAccountKey } from './service-account-key'

/** Name of the encrypted key file inside the store's folder. */
export const KEY_FILE_NAME = 'bigquery-service-account.bin'

/** How to keep a key the person chose. */
export interface KeepOptions {
  persistence: 'stored' | 'session'
  /** Store even when the only backend is Chromium's plain-text one; only after the person said yes. */
  allowPlainText?: boolean
}

/**
 * The service-account key, kept in the main process only: encrypted on disk (mode 0600) with the
 * OS's secret store, or in memory for this session. Only `summary()` may leave the main process.
 */
export class CredentialStore {
  private key: ServiceAccountKey | undefined
  private persistence: 'stored' | 'session' | 'none' = 'none'
  private readonly path: string

  constructor(private readonly options: { dir: string; cipher: SecretCipher; log?: (line: string) => void }) {
    this.path = join(options.dir, KEY_FILE_NAME)
  }

  /** Reads the stored key, if any; a file that cannot be decrypted is reported, not thrown. */
  async load(): Promise<Result<CredentialSummary>> {
    let sealed: Buffer
    try {
      sealed = await readFile(this.path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, value: this.summary() }
      return { ok: false, error: `The stored key could not be read: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}.` }
    }
    if (!this.options.cipher.isEncryptionAvailable()) {
      return {
        ok: false,
        error:
          'A key is stored, but the OS secret store is not available now, so it cannot be decrypted. Unlock your keyring and restart, or choose the key file again.',
      }
    }
    let parsed: Result<ServiceAccountKey>
    try {
      parsed = parseServiceAccountKey(this.options.cipher.decrypt(sealed))
    } catch {
      return { ok: false, error: 'The stored key could not be decrypted (the OS keyring changed?). Choose the key file again.' }
    }
    if (!parsed.ok) return { ok: false, error: `The stored key is no longer valid: ${parsed.error}` }
    this.key = parsed.value
    this.persistence = 'stored'
    return { ok: true, value: this.summary() }
  }

  /** Whether a key can be kept on disk here, for the settings screen to offer the right choice. */
  storageInfo(): KeyStorageInfo {
    const available = this.options.cipher.isEncryptionAvailable()
    return {
      encryptionAvailable: available,
      plainTextOnly: available && this.options.cipher.backend() === 'basic_text',
      persistence: this.persistence,
    }
  }

  /** Validates a key file's content and keeps it as asked; refuses plain-text storage without an opt-in. */
  async keep(content: string | Buffer, options: KeepOptions): Promise<Result<CredentialSummary>> {
    const parsed = parseServiceAccountKey(content)
    if (!parsed.ok) return parsed
    if (options.persistence === 'session') {
      await this.removeFile()
      this.key = parsed.value
      this.persistence = 'session'
      this.options.log?.(`Using a service-account key for this session only (${parsed.value.client_email}).`)
      return { ok: true, value: this.summary() }
    }
    const cipher = this.options.cipher
    if (!cipher.isEncryptionAvailable()) {
      return {
        ok: false,
        error:
          'This computer offers no way to encrypt the key, so it cannot be stored. Use it for this session only, or use Application Default Credentials.',
      }
    }
    if (cipher.backend() === 'basic_text' && options.allowPlainText !== true) {
      return {
        ok: false,
        error:
          'No keyring (GNOME Keyring, KWallet) is available, so the key could only be stored with plain-text protection. Use it for this session only, or confirm that you accept plain-text storage.',
      }
    }
    try {
      await writePrivateFile(this.path, cipher.encrypt(JSON.stringify(parsed.value)))
    } catch (error) {
      return { ok: false, error: `The key could not be stored: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}.` }
    }
    this.key = parsed.value
    this.persistence = 'stored'
    this.options.log?.(`Stored an encrypted service-account key (${parsed.value.client_email}, backend ${cipher.backend()}).`)
    return { ok: true, value: this.summary() }
  }

  /** What the renderer may see. */
  summary(): CredentialSummary {
    return { configured: this.key !== undefined, projectId: this.key?.project_id ?? null, clientEmail: this.key?.client_email ?? null }
  }

  /** The key itself, for the BigQuery client in this process; never for IPC or logs. */
  serviceAccountKey(): ServiceAccountKey | undefined {
    return this.key
  }

  /** Strings that must never appear in a log line: the key and each of its lines. */
  secrets(): string[] {
    if (!this.key) return []
    const lines = this.key.private_key.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'))
    return [this.key.private_key, this.key.private_key_id, ...lines]
  }

  /** Forgets the key, in memory and on disk. */
  async clear(): Promise<CredentialSummary> {
    this.key = undefined
    this.persistence = 'none'
    await this.removeFile()
    this.options.log?.('Removed the service-account key.')
    return this.summary()
  }

  private async removeFile(): Promise<void> {
    await rm(this.path, { force: true })
  }
}

/** Writes a file only its owner can read, atomically (temp file then rename). */
async function writePrivateFile(path: string, data: Buffer): Promise<void> {
  const target = `${path}.${process.pid}.tmp`
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  await rm(target, { force: true })
  // The mode is set at creation, so the bytes are never readable by others, not even briefly.
  const handle = await open(target, 'wx', 0o600)
  try {
    await handle.chmod(0o600)
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(target, path)
  const mode = (await stat(path)).mode & 0o777
  if (process.platform !== 'win32' && mode !== 0o600) throw new Error(`mode ${mode.toString(8)} instead of 600`)
}
