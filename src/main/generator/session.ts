import type { Ga4Ecommerce, Ga4Event, Ga4EventParam, Ga4Item } from '@shared/ga4-event'
import {
  CART_PAGE,
  CATEGORIES,
  categoryPage,
  CHECKOUT_PAGE,
  CONFIRMATION_PAGE,
  HOME_PAGE,
  type Page,
  PRODUCTS,
  type Product,
  productPage,
} from './catalog'
import { conversionLift, hasSourceParams, pickSessionSource, type SessionSource } from './channels'
import type { Rng } from './rng'
import type { SimulatedUser } from './user'

/** Options of one generated session. */
export interface SessionOptions {
  /** Where the session came from; picked from the channel mix when absent. */
  source?: SessionSource
  /** Adds a stable `event_id` string param per event, for live streaming where rows must be idempotent. */
  withEventId?: boolean
  /** Leaves out duplicate rows, double-fired purchases and '(not set)' transaction ids. */
  isClean?: boolean
  /** Makes the session end in a purchase with this transaction id (the live demo's conversions). */
  purchase?: { transactionId: string }
}

/** GA4 web stream id of the simulated property (a string in the export schema). */
export const STREAM_ID = '2100450278'

/** Share of rows the pipeline delivers twice, byte for byte. */
export const DUPLICATE_EVENT_RATE = 0.005
/** Share of purchases whose transaction id the tag did not capture. */
export const NOT_SET_TRANSACTION_RATE = 0.05
/** Share of purchases whose tag fires again a second later with the same transaction id. */
export const DOUBLE_FIRED_PURCHASE_RATE = 0.03

const MICROS_PER_SECOND = 1_000_000
const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND
const PRIVACY_INFO = { analytics_storage: null, ads_storage: null, uses_transient_token: 'No' }

const str = (key: string, value: string): Ga4EventParam => ({
  key,
  value: { string_value: value, int_value: null, float_value: null, double_value: null },
})
const int = (key: string, value: number): Ga4EventParam => ({
  key,
  value: { string_value: null, int_value: value, float_value: null, double_value: null },
})
const dbl = (key: string, value: number): Ga4EventParam => ({
  key,
  value: { string_value: null, int_value: null, float_value: null, double_value: value },
})

const eventDateCache = new Map<number, string>()
/** 'YYYYMMDD' of the UTC day a microsecond timestamp falls on. */
export function eventDateOf(atMicros: number): string {
  const day = Math.floor(atMicros / MICROS_PER_DAY)
  let cached = eventDateCache.get(day)
  if (cached === undefined) {
    cached = new Date(day * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '')
    eventDateCache.set(day, cached)
  }
  return cached
}

/** One line of a cart: a product and how many. */
export interface CartLine {
  product: Product
  quantity: number
}

/** How many different products a visitor who adds to cart puts in it: mostly one. */
export function cartLineCount(rng: Rng): number {
  return rng.weighted([
    [1, 60],
    [2, 25],
    [3, 10],
    [4, 5],
  ])
}

/** A cart line of `product` with a quantity drawn as shoppers buy: mostly one. */
export function cartLineOf(product: Product, rng: Rng): CartLine {
  return {
    product,
    quantity: rng.weighted([
      [1, 80],
      [2, 14],
      [3, 6],
    ]),
  }
}

const ITEM_NOT_SET = {
  item_variant: '(not set)',
  item_category2: '(not set)',
  item_category3: '(not set)',
  item_category4: '(not set)',
  item_category5: '(not set)',
  item_refund_in_usd: null,
  item_refund: null,
  coupon: '(not set)',
  affiliation: '(not set)',
  location_id: '(not set)',
  item_list_id: '(not set)',
  item_list_name: '(not set)',
  item_list_index: '(not set)',
  promotion_id: '(not set)',
  promotion_name: '(not set)',
  creative_name: '(not set)',
  creative_slot: '(not set)',
} as const

/** A cart line as an export's item (the Parquet writer builds its carts' items with it too). */
export function toItem({ product, quantity }: CartLine, isPurchase: boolean): Ga4Item {
  const price = product.priceCents / 100
  const revenue = isPurchase ? (product.priceCents * quantity) / 100 : null
  return {
    item_id: product.itemId,
    item_name: product.name,
    item_brand: product.brand,
    item_category: product.category,
    price_in_usd: price,
    price,
    quantity,
    item_revenue_in_usd: revenue,
    item_revenue: revenue,
    ...ITEM_NOT_SET,
  }
}

const emptyEcommerce = (): Ga4Ecommerce => ({
  total_item_quantity: null,
  purchase_revenue_in_usd: null,
  purchase_revenue: null,
  refund_value_in_usd: null,
  refund_value: null,
  shipping_value_in_usd: null,
  shipping_value: null,
  tax_value_in_usd: null,
  tax_value: null,
  unique_items: null,
  transaction_id: null,
})

/** Seconds a visitor spends on a page: long-tailed, mostly under a minute. */
export function dwellSeconds(rng: Rng): number {
  return Math.min(900, Math.round(3 + 30 * -Math.log(1 - rng.next()) * (rng.chance(0.1) ? 4 : 1)))
}

/** Where a session lands: ad clicks mostly on a product page, direct visits mostly home. */
export function landingPage(rng: Rng, source: SessionSource): Page {
  const isAdClick = source.channel === 'paid_search' || source.channel === 'paid_social' || source.channel === 'display'
  const productShare = isAdClick ? 0.6 : source.channel === 'direct' ? 0.1 : 0.35
  const roll = rng.next()
  if (roll < productShare) return productPage(rng.pick(PRODUCTS))
  if (roll < productShare + 0.3) return categoryPage(rng.pick(CATEGORIES))
  return HOME_PAGE
}

/** The next page of a browsing visitor. */
export function browsePage(rng: Rng): Page {
  return rng.chance(0.55) ? productPage(rng.pick(PRODUCTS)) : rng.chance(0.7) ? categoryPage(rng.pick(CATEGORIES)) : HOME_PAGE
}

/** A new transaction id, 'T' and ten digits. */
export function transactionIdOf(rng: Rng): string {
  return `T${rng.int(1_000_000_000, 9_999_999_999)}`
}

/**
 * One GA4 session of `user` starting at `startAtMicros`, in time order; advances the user's state
 * (session number, lifetime revenue). Shared sub-objects (device, geo) must be treated as read-only.
 */
export function generateSession(rng: Rng, user: SimulatedUser, startAtMicros: number, options: SessionOptions = {}): Ga4Event[] {
  const sessionNumber = ++user.sessionCount
  const isFirstSession = sessionNumber === 1
  const source = options.source ?? (isFirstSession ? user.firstSessionSource : pickSessionSource(rng, true))
  const sessionId = Math.floor(startAtMicros / MICROS_PER_SECOND)
  const isPurchase = options.purchase !== undefined
  const isBounce = rng.chance(isFirstSession ? 0.42 : 0.3) && !isPurchase
  const events: Ga4Event[] = []
  let now = startAtMicros
  let referrer: string | null = source.channel === 'referral' || source.channel === 'organic_social' ? `https://${source.source}/` : null
  let page: Page = HOME_PAGE
  let pageViews = 0

  const emit = (
    name: string,
    params: Ga4EventParam[],
    commerce?: { ecommerce: Ga4Ecommerce; items: Ga4Item[]; valueUsd: number | null },
  ): Ga4Event => {
    params.push(
      int('ga_session_id', sessionId),
      int('ga_session_number', sessionNumber),
      str('page_location', page.location),
      str('page_title', page.title),
      str('session_engaged', isBounce ? '0' : '1'),
    )
    const event: Ga4Event = {
      event_date: eventDateOf(now),
      event_timestamp: now,
      event_name: name,
      event_params: params,
      event_previous_timestamp: null,
      event_value_in_usd: commerce?.valueUsd ?? null,
      event_bundle_sequence_id: user.bundleSequenceId,
      event_server_timestamp_offset: null,
      user_id: null,
      user_pseudo_id: user.userPseudoId,
      privacy_info: PRIVACY_INFO,
      user_properties: [],
      user_first_touch_timestamp: user.firstTouchAtMicros,
      user_ltv: { revenue: user.lifetimeRevenueCents / 100, currency: 'USD' },
      device: user.device,
      geo: user.geo,
      app_info: null,
      traffic_source: user.trafficSource,
      stream_id: STREAM_ID,
      platform: 'WEB',
      event_dimensions: null,
      ecommerce: commerce?.ecommerce ?? null,
      items: commerce?.items ?? [],
    }
    events.push(event)
    return event
  }

  const advance = (seconds: number): void => {
    now += seconds * MICROS_PER_SECOND + rng.int(0, 999_999)
  }

  /** Views `next`, engages with it for a while; returns the dwell time in seconds. */
  const viewPage = (next: Page): number => {
    page = next
    user.bundleSequenceId++
    const params: Ga4EventParam[] = []
    if (referrer !== null) params.push(str('page_referrer', referrer))
    if (pageViews === 0) {
      params.push(int('entrances', 1))
      // GA4 puts the session's acquisition on the landing hit, never on session_start.
      if (hasSourceParams(source)) {
        params.push(str('source', source.source), str('medium', source.medium), str('campaign', source.campaign))
        if (source.term !== null) params.push(str('term', source.term))
        if (source.hasGclid) params.push(str('gclid', `Cj0KCQiA${rng.int(1e9, 9e9).toString(36)}${rng.int(1e9, 9e9).toString(36)}`))
      }
    }
    pageViews++
    emit('page_view', params)
    const dwell = isBounce ? rng.int(1, 9) : dwellSeconds(rng)
    if (page.product !== null) {
      advance(1)
      emit(
        'view_item',
        [int('engagement_time_msec', rng.int(200, 2000)), str('currency', 'USD'), dbl('value', page.product.priceCents / 100)],
        {
          ecommerce: emptyEcommerce(),
          items: [toItem({ product: page.product, quantity: 1 }, false)],
          valueUsd: null,
        },
      )
    }
    if (!isBounce && rng.chance(0.5)) {
      advance(Math.floor(dwell / 2))
      emit('scroll', [int('percent_scrolled', 90), int('engagement_time_msec', rng.int(1000, dwell * 500 + 1000))])
    }
    referrer = page.location
    return dwell
  }

  const leavePage = (dwell: number): void => {
    advance(dwell)
    if (!isBounce || rng.chance(0.3)) emit('user_engagement', [int('engagement_time_msec', dwell * 1000 - rng.int(0, 999))])
  }

  // first_visit, session_start and the landing page_view share one timestamp in real exports.
  page = landingPage(rng, source)
  if (isFirstSession) emit('first_visit', [])
  emit('session_start', [])
  let dwell = viewPage(page)
  if (isBounce) {
    leavePage(dwell)
    return withMess(rng, events, user, sessionId, options)
  }

  const cart: CartLine[] = []
  const returningLift = isFirstSession ? 1 : 1.7
  const addsToCart = rng.chance(Math.min(0.9, 0.1 * user.purchaseAffinity * conversionLift(source.channel) * returningLift)) || isPurchase
  const extraPages = Math.floor(-Math.log(1 - rng.next()) * 2.8)
  for (let i = 0; i < extraPages; i++) {
    leavePage(dwell)
    dwell = viewPage(browsePage(rng))
  }
  if (!addsToCart) {
    leavePage(dwell)
    return withMess(rng, events, user, sessionId, options)
  }

  const lines = cartLineCount(rng)
  for (let i = 0; i < lines; i++) {
    if (page.product === null || cart.some((line) => line.product === page.product)) {
      leavePage(dwell)
      dwell = viewPage(productPage(rng.pick(PRODUCTS)))
    }
    const product = page.product
    if (product === null || cart.some((line) => line.product === product)) continue
    const line = cartLineOf(product, rng)
    cart.push(line)
    advance(rng.int(3, 40))
    emit(
      'add_to_cart',
      [
        int('engagement_time_msec', rng.int(500, 8000)),
        str('currency', 'USD'),
        dbl('value', (line.product.priceCents * line.quantity) / 100),
      ],
      {
        ecommerce: emptyEcommerce(),
        items: [toItem(line, false)],
        valueUsd: null,
      },
    )
  }
  const cartCents = cart.reduce((sum, line) => sum + line.product.priceCents * line.quantity, 0)
  const cartItems = (isPurchase: boolean): Ga4Item[] => cart.map((line) => toItem(line, isPurchase))

  leavePage(dwell)
  dwell = viewPage(CART_PAGE)
  if (!rng.chance(0.5) && !isPurchase) {
    leavePage(dwell)
    return withMess(rng, events, user, sessionId, options)
  }
  leavePage(dwell)
  dwell = viewPage(CHECKOUT_PAGE)
  emit('begin_checkout', [int('engagement_time_msec', rng.int(500, 5000)), str('currency', 'USD'), dbl('value', cartCents / 100)], {
    ecommerce: emptyEcommerce(),
    items: cartItems(false),
    valueUsd: null,
  })
  if (!rng.chance(0.7) && !isPurchase) {
    leavePage(dwell)
    return withMess(rng, events, user, sessionId, options)
  }

  advance(rng.int(30, 240))
  user.lifetimeRevenueCents += cartCents
  dwell = viewPage(CONFIRMATION_PAGE)
  const isNotSet = !options.isClean && rng.chance(NOT_SET_TRANSACTION_RATE) && !isPurchase
  const transactionId = options.purchase?.transactionId ?? (isNotSet ? '(not set)' : transactionIdOf(rng))
  const revenue = cartCents / 100
  // A purchase whose tag lost its transaction id also lost its value; only currency survives.
  const purchaseParams = isNotSet
    ? [str('currency', 'USD')]
    : [str('transaction_id', transactionId), dbl('value', revenue), str('currency', 'USD')]
  const purchase = emit('purchase', [int('engagement_time_msec', rng.int(500, 3000)), ...purchaseParams], {
    ecommerce: {
      ...emptyEcommerce(),
      total_item_quantity: cart.reduce((sum, line) => sum + line.quantity, 0),
      purchase_revenue_in_usd: revenue,
      purchase_revenue: revenue,
      unique_items: cart.length,
      transaction_id: transactionId,
    },
    items: cartItems(true),
    valueUsd: revenue,
  })
  if (!options.isClean && !isNotSet && rng.chance(DOUBLE_FIRED_PURCHASE_RATE)) {
    // The tag fires again on a reload a second later: same transaction, new row.
    const again = structuredClone(purchase)
    again.event_timestamp += MICROS_PER_SECOND + rng.int(0, 999_999)
    again.event_date = eventDateOf(again.event_timestamp)
    now = again.event_timestamp
    events.push(again)
  }
  leavePage(dwell)
  return withMess(rng, events, user, sessionId, options)
}

/** Adds exact duplicate rows and, if asked, the event_id param. */
function withMess(rng: Rng, events: Ga4Event[], user: SimulatedUser, sessionId: number, options: SessionOptions): Ga4Event[] {
  if (options.withEventId) {
    events.forEach((event, index) => event.event_params.push(str('event_id', `${user.userPseudoId}-${sessionId}-${index}`)))
  }
  if (options.isClean) return events
  const out: Ga4Event[] = []
  for (const event of events) {
    out.push(event)
    if (rng.chance(DUPLICATE_EVENT_RATE)) out.push(structuredClone(event))
  }
  return out
}
