/** Strips secrets from text before it reaches a log, an error message or the renderer. */

const REDACTED = '[REDACTED]'

const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // A whole PEM block, with real or JSON-escaped newlines; a block cut short is redacted to its end.
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, `[REDACTED PRIVATE KEY]`],
  // JSON fields of a key file or a token response, quoted or not.
  [
    /("?(?:private_key|private_key_id|client_secret|refresh_token|access_token|id_token)"?\s*[:=]\s*)"(?:[^"\\]|\\.)*"/gi,
    `$1"${REDACTED}"`,
  ],
  [/((?:private_key|private_key_id|client_secret|refresh_token|access_token|id_token)=)[^&\s"]+/gi, `$1${REDACTED}`],
  // OAuth bearer tokens in headers, and Google access tokens wherever they appear.
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${REDACTED}`],
  [/\bya29\.[A-Za-z0-9._-]+/g, REDACTED],
]

/** The text with private keys, key ids and OAuth tokens replaced; also any extra secrets given. */
export function redactSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let out = text
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  for (const secret of knownSecrets) {
    // Short strings would redact ordinary words; a key's fragments are long.
    if (secret.length >= 16) out = out.split(secret).join(REDACTED)
  }
  return out
}

/** A log function that redacts every line before passing it on. */
export function redactingLog(sink: (line: string) => void, knownSecrets: () => readonly string[] = () => []): (line: string) => void {
  return (line) => sink(redactSecrets(line, knownSecrets()))
}
