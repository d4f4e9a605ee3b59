import { describe, expectTypeOf, it } from 'vitest'
import type { ApiChannel, ApiResponse } from '@shared/api'
import type { SettingsHandlers } from './settings-handlers'
import type { DemoHandlers } from './demo-handlers'
import type { ApiHandlers, CoreApiHandlers } from './handlers'

// Type-level checks, run by `npm run typecheck`: the handler map is a mapped type over the contract.

describe('the handler map (type level)', () => {
  it('needs a handler for every channel of the contract', () => {
    expectTypeOf<keyof ApiHandlers>().toEqualTypeOf<ApiChannel>()
    expectTypeOf<Omit<ApiHandlers, 'events:recent'>>().not.toExtend<ApiHandlers>()
    expectTypeOf<Omit<ApiHandlers, 'settings:save'>>().not.toExtend<ApiHandlers>()
  })

  it('is exactly the core handlers plus the settings and demo handlers', () => {
    expectTypeOf<keyof CoreApiHandlers | keyof SettingsHandlers | keyof DemoHandlers>().toEqualTypeOf<ApiChannel>()
    expectTypeOf<CoreApiHandlers & SettingsHandlers & DemoHandlers>().toExtend<ApiHandlers>()
  })

  it('takes unknown input and answers the channel’s own Result', () => {
    expectTypeOf<ApiHandlers['attribution:compare']>().parameters.toEqualTypeOf<[unknown]>()
    expectTypeOf<ApiHandlers['attribution:compare']>().returns.toEqualTypeOf<Promise<ApiResponse<'attribution:compare'>>>()
    const asHandlerMap = (partial: Omit<ApiHandlers, 'refresh:cancel'>): ApiHandlers =>
      // @ts-expect-error a map without 'refresh:cancel' is not a handler map
      partial
    expectTypeOf(asHandlerMap).returns.toEqualTypeOf<ApiHandlers>()
  })
})
