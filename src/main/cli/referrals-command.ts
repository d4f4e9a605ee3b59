import {
  REFERRAL_MATCH_TYPES,
  type ReferralSettings,
  type UnwantedReferral,
  describeUnwantedReferral,
  parseUnwantedReferral,
  validateUnwantedReferral,
} from '@shared/referrals'
import { UserFacingError } from '../errors'
import { checkRegex } from '../referrals/referral-store'
import type { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'

/** A `--self-referrals on|off` flag as a boolean; undefined when absent. */
function onOff(flag: string, text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined
  if (text === 'on' || text === 'off') return text === 'on'
  throw new UserFacingError(`${flag} must be on or off, got "${text}".`)
}

/** The build's one-off referral flags as build options (checked, a regex by the warehouse's engine); none when absent. */
export async function oneOffReferralOptions(
  warehouse: EmbeddedWarehouse,
  rules: string[] | undefined,
  selfReferrals: string | undefined,
): Promise<{ unwantedReferrals?: UnwantedReferral[]; detectsSelfReferrals?: boolean }> {
  const options: { unwantedReferrals?: UnwantedReferral[]; detectsSelfReferrals?: boolean } = {}
  if (rules !== undefined) {
    options.unwantedReferrals = rules.map((text) => {
      const rule = parseUnwantedReferral(text)
      if (!rule.ok) throw new UserFacingError(`--unwanted-referral: ${rule.error}`)
      return rule.value
    })
    const regexes = options.unwantedReferrals.filter((rule) => rule.matchType === 'regex')
    if (regexes.length > 0) {
      await warehouse.rawCounts()
      await warehouse.writeSession(async (file) => {
        for (const rule of regexes) await checkRegex(file.connection, rule.pattern)
      })
    }
  }
  const detects = onOff('--self-referrals', selfReferrals)
  if (detects !== undefined) options.detectsSelfReferrals = detects
  return options
}

function describe(settings: ReferralSettings): string {
  const lines = [`Self-referral detection: ${settings.detectsSelfReferrals ? 'on' : 'off'}`]
  lines.push(settings.unwantedReferrals.length === 0 ? 'Unwanted referrals: none' : 'Unwanted referrals:')
  for (const rule of settings.unwantedReferrals) lines.push(`  ${describeUnwantedReferral(rule)}`)
  return `${lines.join('\n')}\n`
}

/**
 * `attribution referrals [add TYPE PATTERN | remove TYPE PATTERN | self-referrals on|off]`: shows or
 * changes what the warehouse keeps (the app reads the same), then re-models through `build`.
 */
export async function runReferrals(
  warehouse: EmbeddedWarehouse,
  args: string[],
  build: (warehouse: EmbeddedWarehouse) => Promise<void>,
): Promise<void> {
  const [action, ...rest] = args
  // Opening read-write once creates the tables in a warehouse made before them.
  await warehouse.rawCounts()
  const current = await warehouse.referralSettings()
  if (action === undefined) {
    process.stdout.write(describe(current))
    const candidates = await warehouse.referralCandidates()
    if (candidates.length > 0) {
      process.stdout.write('Suggested (referral sources in the data):\n')
      for (const candidate of candidates) {
        const why = candidate.reason === 'own-domain' ? "the property's own domain" : 'payment or sign-in'
        process.stdout.write(
          `  ${candidate.host.padEnd(36)} ${String(candidate.sessions).padStart(7)} sessions  ${why}${candidate.isUnwanted ? ' (skipped)' : ''}\n`,
        )
      }
    }
    return
  }
  let next: ReferralSettings
  if (action === 'add' || action === 'remove') {
    if (rest.length !== 2)
      throw new UserFacingError(`Usage: attribution referrals ${action} TYPE PATTERN (TYPE: ${REFERRAL_MATCH_TYPES.join(', ')}).`)
    const rule = validateUnwantedReferral({ matchType: rest[0]?.toLowerCase().replace(/-/g, '_'), pattern: rest[1] })
    if (!rule.ok) throw new UserFacingError(rule.error)
    const others = current.unwantedReferrals.filter(
      (kept) => kept.matchType !== rule.value.matchType || kept.pattern !== rule.value.pattern,
    )
    if (action === 'remove' && others.length === current.unwantedReferrals.length) {
      throw new UserFacingError(`"${describeUnwantedReferral(rule.value)}" is not in the list.`)
    }
    next = { ...current, unwantedReferrals: action === 'add' ? [...others, rule.value] : others }
  } else if (action === 'self-referrals') {
    const detects = onOff('self-referrals', rest[0])
    if (detects === undefined || rest.length !== 1) throw new UserFacingError('Usage: attribution referrals self-referrals on|off')
    next = { ...current, detectsSelfReferrals: detects }
  } else {
    throw new UserFacingError(`Unknown referrals action "${action}": use add, remove or self-referrals.`)
  }
  const saved = await warehouse.saveReferralSettings(next)
  process.stdout.write(describe(saved))
  process.stderr.write('Re-modelling the users the change touches.\n')
  await build(warehouse)
}
