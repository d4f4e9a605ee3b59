/** A freshly generated service-account key for tests: real PEM, never valid at Google. */
import { generateKeyPairSync, randomBytes } from 'node:crypto'

/** A throwaway key file's JSON and the parts tests look for in bytes, logs and results. */
export function throwawayServiceAccountKey(projectId = 'acme-analytics'): {
  json: string
  pem: string
  pemBody: string[]
  privateKeyId: string
  clientEmail: string
} {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const privateKeyId = randomBytes(20).toString('hex')
  const clientEmail = `attribution-app@${projectId}.iam.gserviceaccount.com`
  const json = JSON.stringify(
    {
      type: 'service_account',
      project_id: projectId,
      private_key_id: privateKeyId,
      private_key: pem,
      client_email: clientEmail,
      client_id: '100000000000000000001',
      token_uri: 'https://oauth2.googleapis.com/token',
    },
    null,
    2,
  )
  const pemBody = pem.split('\n').filter((line) => line.length > 0 && !line.startsWith('-----'))
  return { json, pem, pemBody, privateKeyId, clientEmail }
}
