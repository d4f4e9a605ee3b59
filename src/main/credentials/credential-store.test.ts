import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { makeTempDir } from '../testing/fixtures'
import { CredentialStore, KEY_FILE_NAME } from './credential-store'
import { redactSecrets } from './redact'
import { aesGcmCipher, safeStorageCipher } from './secret-cipher'
import { parseServiceAccountKey } from './service-account-key'
import { throwawayServiceAccountKey } from './testing/throwaway-key'

const temps: Array<() => void> = []
function tempDir(): string {
  const temp = makeTempDir('credentials')
  temps.push(temp.cleanup)
  return temp.dir
}
afterEach(() => temps.splice(0).forEach((cleanup) => cleanup()))

describe('parseServiceAccountKey', () => {
  const key = throwawayServiceAccountKey()

  it('accepts a real key file and keeps the fields the app uses', () => {
    const parsed = parseServiceAccountKey(key.json)
    expect(parsed.ok && parsed.value.client_email).toBe(key.clientEmail)
  })

  it.each([
    ['', /empty/],
    ['{"type": "service_account", ', /not JSON/],
    ['[1, 2]', /not a JSON object/],
    ['{"type": "authorized_user", "client_id": "x", "refresh_token": "y"}', /user credential .* "Application Default Credentials"/],
    ['{"type": "external_account"}', /workload identity federation/],
    ['{"installed": {"client_id": "x"}}', /"type" is missing, expected "service_account"/],
    ['{"type": "service_account", "project_id": "acme-analytics"}', /missing private_key_id, private_key, client_email/],
  ])('says what is wrong with %j', (content, message) => {
    const parsed = parseServiceAccountKey(content)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toMatch(message)
  })

  it('never echoes the file, even a bare PEM or a broken key, in its message', () => {
    const cases = [
      key.pem,
      key.json.slice(0, -3),
      JSON.stringify({ ...JSON.parse(key.json), private_key: key.pem.replace('MII', 'XYZ') }),
      JSON.stringify({ ...JSON.parse(key.json), client_email: 'someone@gmail.com' }),
    ]
    const messages = cases.map((content) => {
      const parsed = parseServiceAccountKey(content)
      return parsed.ok ? 'accepted' : parsed.error
    })
    expect(messages[0]).toMatch(/bare PEM private key/)
    expect(messages[2]).toMatch(/not a valid PEM private key/)
    expect(messages[3]).toMatch(/not a service-account address/)
    for (const message of messages) for (const line of key.pemBody) expect(message).not.toContain(line)
  })

  it('refuses a file too large to be a key', () => {
    const parsed = parseServiceAccountKey(Buffer.alloc(70 * 1024, 32))
    expect(!parsed.ok && parsed.error).toMatch(/too large/)
  })
})

describe('CredentialStore', () => {
  const key = throwawayServiceAccountKey()

  it('stores the key encrypted, mode 0600: the bytes hold neither the PEM nor private_key', async () => {
    const dir = tempDir()
    const store = new CredentialStore({ dir, cipher: aesGcmCipher() })
    const kept = await store.keep(key.json, { persistence: 'stored' })
    expect(kept).toEqual({ ok: true, value: { configured: true, projectId: 'acme-analytics', clientEmail: key.clientEmail } })
    const path = join(dir, KEY_FILE_NAME)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const bytes = readFileSync(path)
    const asText = bytes.toString('latin1')
    expect(asText).not.toContain('private_key')
    expect(asText).not.toContain('PRIVATE KEY')
    expect(asText).not.toContain(key.privateKeyId)
    for (const line of key.pemBody) {
      expect(asText).not.toContain(line)
      expect(bytes.includes(Buffer.from(line, 'base64'))).toBe(false)
    }
    expect(store.storageInfo()).toEqual({ encryptionAvailable: true, plainTextOnly: false, persistence: 'stored' })
  })

  it('reads the stored key back after a restart, and reports a key it cannot decrypt', async () => {
    const dir = tempDir()
    const secret = randomBytes(32)
    await new CredentialStore({ dir, cipher: aesGcmCipher({ key: secret }) }).keep(key.json, { persistence: 'stored' })
    const again = new CredentialStore({ dir, cipher: aesGcmCipher({ key: secret }) })
    expect(await again.load()).toEqual({ ok: true, value: { configured: true, projectId: 'acme-analytics', clientEmail: key.clientEmail } })
    expect(again.serviceAccountKey()?.private_key).toBe(key.pem)
    const otherKeyring = new CredentialStore({ dir, cipher: aesGcmCipher() })
    const loaded = await otherKeyring.load()
    expect(!loaded.ok && loaded.error).toMatch(/could not be decrypted/)
    expect(otherKeyring.summary().configured).toBe(false)
  })

  it('refuses the plain-text backend unless the person opts in, and offers session-only use', async () => {
    const dir = tempDir()
    const store = new CredentialStore({ dir, cipher: aesGcmCipher({ backend: 'basic_text' }) })
    expect(store.storageInfo().plainTextOnly).toBe(true)
    const refused = await store.keep(key.json, { persistence: 'stored' })
    expect(!refused.ok && refused.error).toMatch(/plain-text protection. Use it for this session only, or confirm/)
    expect(existsSync(join(dir, KEY_FILE_NAME))).toBe(false)
    expect(store.summary().configured).toBe(false)

    const session = await store.keep(key.json, { persistence: 'session' })
    expect(session.ok && session.value.configured).toBe(true)
    expect(existsSync(join(dir, KEY_FILE_NAME))).toBe(false)
    expect(store.storageInfo().persistence).toBe('session')

    const optedIn = await store.keep(key.json, { persistence: 'stored', allowPlainText: true })
    expect(optedIn.ok).toBe(true)
    expect(existsSync(join(dir, KEY_FILE_NAME))).toBe(true)
  })

  it('refuses to store at all when no encryption is available, but session use works', async () => {
    const store = new CredentialStore({ dir: tempDir(), cipher: aesGcmCipher({ available: false }) })
    const refused = await store.keep(key.json, { persistence: 'stored', allowPlainText: true })
    expect(!refused.ok && refused.error).toMatch(/no way to encrypt/)
    expect((await store.keep(key.json, { persistence: 'session' })).ok).toBe(true)
  })

  it('clear() forgets the key in memory and on disk', async () => {
    const dir = tempDir()
    const store = new CredentialStore({ dir, cipher: aesGcmCipher() })
    await store.keep(key.json, { persistence: 'stored' })
    expect(await store.clear()).toEqual({ configured: false, projectId: null, clientEmail: null })
    expect(existsSync(join(dir, KEY_FILE_NAME))).toBe(false)
    expect(store.serviceAccountKey()).toBeUndefined()
  })

  it('adapts Electron safeStorage, naming the backend per platform', () => {
    const fake = aesGcmCipher()
    const safeStorage = {
      isEncryptionAvailable: () => true,
      encryptString: (text: string) => fake.encrypt(text),
      decryptString: (data: Buffer) => fake.decrypt(data),
      getSelectedStorageBackend: () => 'basic_text',
    }
    expect(safeStorageCipher(safeStorage, 'linux').backend()).toBe('basic_text')
    expect(safeStorageCipher(safeStorage, 'darwin').backend()).toBe('keychain')
    const cipher = safeStorageCipher(safeStorage, 'linux')
    expect(cipher.decrypt(cipher.encrypt('hello'))).toBe('hello')
  })

  it('writes over a stale temporary file left by a crash', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, `${KEY_FILE_NAME}.${process.pid}.tmp`), 'junk')
    const store = new CredentialStore({ dir, cipher: aesGcmCipher() })
    expect((await store.keep(key.json, { persistence: 'stored' })).ok).toBe(true)
  })
})

describe('redactSecrets', () => {
  const key = throwawayServiceAccountKey()

  it('removes PEM blocks (raw, JSON-escaped or cut short), key fields and OAuth tokens', () => {
    const samples = [
      `loaded ${key.pem}`,
      `body was ${key.json}`,
      `escaped ${JSON.stringify(key.pem)}`,
      `cut ${key.pem.slice(0, 300)}`,
      'Authorization: Bearer ya29.a0AfB_byC-token_value-123',
      'token ya29.c.b0AXv0zTOk in a URL',
      'grant_type=refresh_token&refresh_token=1//0gsecret&client_secret=GOCSPX-abc',
    ]
    for (const sample of samples) {
      const out = redactSecrets(sample)
      for (const line of key.pemBody) expect(out).not.toContain(line)
      expect(out).not.toContain(key.privateKeyId)
      expect(out).not.toMatch(/ya29\.|1\/\/0gsecret|GOCSPX-abc/)
    }
    expect(redactSecrets(`body was ${key.json}`)).toContain(key.clientEmail)
  })

  it('removes known secrets given by the caller', () => {
    expect(redactSecrets('fragment abcdefghijklmnopqrstuvwxyz0123 here', ['abcdefghijklmnopqrstuvwxyz0123'])).toBe(
      'fragment [REDACTED] here',
    )
  })
})
