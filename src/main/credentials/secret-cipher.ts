import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/** Backends Chromium's os_crypt reports on Linux; macOS and Windows report their own. */
export type SecretBackend = 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'keychain' | 'dpapi' | 'unknown'

/** Encrypts secrets for storage; Electron's safeStorage provides it through `safeStorageCipher`. */
export interface SecretCipher {
  isEncryptionAvailable(): boolean
  backend(): SecretBackend
  encrypt(text: string): Buffer
  decrypt(data: Buffer): string
}

/** The part of Electron's `safeStorage` this module uses (no Electron import, so Node tests can run). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean
  encryptString(plainText: string): Buffer
  decryptString(encrypted: Buffer): string
  getSelectedStorageBackend?(): string
}

const LINUX_BACKENDS: readonly SecretBackend[] = ['basic_text', 'gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6', 'unknown']

/** Adapts Electron's safeStorage; `platform` decides which backend name applies off Linux. */
export function safeStorageCipher(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretCipher {
  return {
    isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
    backend: () => {
      if (platform === 'darwin') return 'keychain'
      if (platform === 'win32') return 'dpapi'
      const name = safeStorage.getSelectedStorageBackend?.() ?? 'unknown'
      return (LINUX_BACKENDS as readonly string[]).includes(name) ? (name as SecretBackend) : 'unknown'
    },
    encrypt: (text) => safeStorage.encryptString(text),
    decrypt: (data) => safeStorage.decryptString(data),
  }
}

/**
 * AES-256-GCM with a key held in memory: the real cipher for tests and for hosts without Electron.
 * `backend` lets a test play a machine whose only backend is the plain-text one.
 */
export function aesGcmCipher(options: { key?: Buffer; backend?: SecretBackend; available?: boolean } = {}): SecretCipher {
  const key = options.key ?? randomBytes(32)
  if (key.length !== 32) throw new Error('An AES-256 key is 32 bytes.')
  return {
    isEncryptionAvailable: () => options.available ?? true,
    backend: () => options.backend ?? 'gnome_libsecret',
    encrypt: (text) => {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()])
      return Buffer.concat([Buffer.from('v1'), iv, cipher.getAuthTag(), body])
    },
    decrypt: (data) => {
      if (data.subarray(0, 2).toString() !== 'v1' || data.length < 30) throw new Error('Not a sealed secret.')
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(2, 14))
      decipher.setAuthTag(data.subarray(14, 30))
      return Buffer.concat([decipher.update(data.subarray(30)), decipher.final()]).toString('utf8')
    },
  }
}
