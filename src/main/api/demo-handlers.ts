import type { Result } from '@shared/attribution'
import type { DemoChannels } from '@shared/demo-api'
import { validateEmptyRequest } from './validate-requests'
import { UserFacingError, messageOf } from '../errors'
import type { DemoStatus } from '@shared/api'

/** What the demo channels drive: the embedded sandbox (DemoMode) or the BigQuery demo datasets (BigQueryDemoMode). */
export interface DemoController {
  status(): DemoStatus
  enter(): Promise<DemoStatus>
  leave(): DemoStatus
  remove(): Promise<DemoStatus>
}

/** One handler per demo channel: untrusted input in, a Result out. */
export type DemoHandlers = { [C in keyof DemoChannels]: (input: unknown) => Promise<Awaited<ReturnType<DemoChannels[C]>>> }

/** The demo channels over the demo of the warehouse shown (embedded sandbox or BigQuery demo datasets). */
export function createDemoHandlers(current: () => DemoController): DemoHandlers {
  const run = async <T>(input: unknown, work: (demo: DemoController) => Promise<T> | T): Promise<Result<T>> => {
    const valid = validateEmptyRequest(input)
    if (!valid.ok) return valid
    try {
      return { ok: true, value: await work(current()) }
    } catch (error) {
      return { ok: false, error: error instanceof UserFacingError ? error.message : `The demo copy could not be made: ${messageOf(error)}` }
    }
  }
  return {
    'demo:status': (input) => run(input, (demo) => demo.status()),
    'demo:enter': (input) => run(input, (demo) => demo.enter()),
    'demo:leave': (input) => run(input, (demo) => demo.leave()),
    'demo:remove': (input) => run(input, (demo) => demo.remove()),
  }
}
