import type { Result } from '../../shared/attribution'
import type { DemoChannels } from '../../shared/demo-api'
import { validateEmptyRequest } from './validate-requests'
import { UserFacingError, messageOf } from '../errors'
import type { DemoMode } from '../demo/demo-mode'

/** One handler per demo channel: untrusted input in, a Result out. */
export type DemoHandlers = { [C in keyof DemoChannels]: (input: unknown) => Promise<Awaited<ReturnType<DemoChannels[C]>>> }

/** The demo channels over the app's demo mode; `isAvailable` is false on BigQuery (its demo dataset needs no switch). */
export function createDemoHandlers(demo: DemoMode, isAvailable: () => boolean): DemoHandlers {
  const run = async <T>(input: unknown, work: () => Promise<T> | T, isAlwaysAnswered = false): Promise<Result<T>> => {
    const valid = validateEmptyRequest(input)
    if (!valid.ok) return valid
    try {
      if (!isAlwaysAnswered && !isAvailable()) throw new UserFacingError('The demo copy is for the embedded warehouse; on BigQuery demo events go to the demo dataset.')
      return { ok: true, value: await work() }
    } catch (error) {
      return { ok: false, error: error instanceof UserFacingError ? error.message : `The demo copy could not be made: ${messageOf(error)}` }
    }
  }
  return {
    'demo:status': (input) => run(input, () => demo.status(), true),
    'demo:enter': (input) => run(input, () => demo.enter()),
    'demo:leave': (input) => run(input, () => demo.leave()),
    'demo:remove': (input) => run(input, () => demo.remove()),
  }
}
