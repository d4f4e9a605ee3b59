import { createPrivateKey } from 'node:crypto'
import type { Result } from '@shared/attribution'

/** The fields of a Google service-account key file the app uses; the file may hold more. */
export interface ServiceAccountKey {
  type: 'service_account'
  project_id: string
  private_key_id: string
  private_key: string
  client_email: string
  client_id?: string
  token_uri?: string
}

/** Largest key file accepted; real ones are about 2.3 KB. */
export const MAX_KEY_FILE_BYTES = 64 * 1024

const REQUIRED_FIELDS = ['project_id', 'private_key_id', 'private_key', 'client_email'] as const
const CLIENT_EMAIL = /^[^@\s]+@([a-z0-9-]+\.)*gserviceaccount\.com$/

/**
 * Reads a service-account key from the bytes of a file, with a message that says what is wrong.
 * Messages never quote the file: a parse error from JSON.parse would echo part of the private key.
 */
export function parseServiceAccountKey(content: string | Buffer): Result<ServiceAccountKey> {
  const size = typeof content === 'string' ? Buffer.byteLength(content) : content.length
  if (size === 0) return { ok: false, error: 'The key file is empty.' }
  if (size > MAX_KEY_FILE_BYTES)
    return { ok: false, error: 'The file is too large to be a service-account key (they are about 2 KB of JSON).' }
  const text = typeof content === 'string' ? content : content.toString('utf8')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    const hint = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)
      ? ' It looks like a bare PEM private key; choose the JSON key file Google Cloud gave you.'
      : ''
    return { ok: false, error: `The file is not JSON, so it is not a service-account key file.${hint}` }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, error: 'The file is JSON but not a service-account key (it is not a JSON object).' }
  }
  const raw = parsed as Record<string, unknown>
  if (raw.type !== 'service_account') {
    if (raw.type === 'authorized_user') {
      return {
        ok: false,
        error:
          'This is a user credential (from `gcloud auth application-default login`), not a service-account key: choose "Application Default Credentials" instead.',
      }
    }
    if (raw.type === 'external_account')
      return {
        ok: false,
        error: 'This is a workload identity federation file, not a service-account key: use Application Default Credentials for it.',
      }
    const type = typeof raw.type === 'string' ? `"${raw.type.slice(0, 40)}"` : 'missing'
    return { ok: false, error: `The file is JSON but not a service-account key: its "type" is ${type}, expected "service_account".` }
  }
  const missing = REQUIRED_FIELDS.filter((field) => typeof raw[field] !== 'string' || (raw[field] as string).trim() === '')
  if (missing.length > 0)
    return {
      ok: false,
      error: `The service-account key is missing ${missing.join(', ')}. Download a new key from the Google Cloud console.`,
    }
  const key = raw as Record<(typeof REQUIRED_FIELDS)[number], string> & Record<string, unknown>
  if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(key.project_id) && !/^[a-z0-9.-]+:[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(key.project_id)) {
    return { ok: false, error: 'The service-account key has a project_id that is not a Google Cloud project id.' }
  }
  if (!CLIENT_EMAIL.test(key.client_email))
    return { ok: false, error: 'The service-account key has a client_email that is not a service-account address.' }
  try {
    const privateKey = createPrivateKey({ key: key.private_key, format: 'pem' })
    if (privateKey.asymmetricKeyType !== 'rsa') return { ok: false, error: 'The service-account key holds a private key that is not RSA.' }
  } catch {
    return { ok: false, error: 'The service-account key has a private_key that is not a valid PEM private key (was the file edited?).' }
  }
  const value: ServiceAccountKey = {
    type: 'service_account',
    project_id: key.project_id,
    private_key_id: key.private_key_id,
    private_key: key.private_key,
    client_email: key.client_email,
  }
  if (typeof raw.client_id === 'string') value.client_id = raw.client_id
  if (typeof raw.token_uri === 'string') value.token_uri = raw.token_uri
  return { ok: true, value }
}
