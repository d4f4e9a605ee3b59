/** Synthetic GA4 export rows: batch generation and the building blocks the live streamer reuses. */
export { CHANNELS, type Channel, type SessionSource, firstTouchTrafficSource, pickSessionSource, sessionSourceOf } from './channels'
export { generateEvents, GENERATOR_SCALES, type GenerateOptions, type GeneratorScale, windowOf } from './generate'
export { planSessionStarts } from './journey'
export { createRng, deriveSeed, type Rng } from './rng'
export { generateSession, type SessionOptions } from './session'
export { createUser, type SimulatedUser } from './user'
