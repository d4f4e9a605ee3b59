/** An error whose message a person can act on; anything else is a bug and is reported as one. */
export class UserFacingError extends Error {
  override name = 'UserFacingError'
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
