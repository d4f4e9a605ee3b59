import { UserFacingError } from '../errors'

/** A whole-number flag within bounds, or the fallback when absent; anything else is a clear error. */
export function wholeNumberFlag(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UserFacingError(`${flag} must be a whole number from ${min} to ${max}, got "${text}".`)
  }
  return value
}
