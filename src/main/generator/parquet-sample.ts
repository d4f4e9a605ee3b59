/**
 * Writes generated sample events straight to GA4-schema Parquet files, for batch sample data.
 * Instead of a `Ga4Event` object and a 2 KB JSON line per row, a twin of `generateSession` emits
 * narrow numeric rows (timestamps, an event "shape", dictionary codes) that go to DuckDB as data
 * chunks; one COPY per file then builds the nested export columns (one UNION ALL branch per shape,
 * so no per-row CASE) and writes Parquet in DuckDB's threads while JavaScript generates the next
 * file. `parquet-sample.test.ts` checks every row against `generateEvents`, so the twin cannot drift.
 */
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBType,
  DOUBLE,
  VARCHAR,
} from '@duckdb/node-api'
import type { Ga4Device, Ga4Geo, Ga4Item, Ga4TrafficSource } from '@shared/ga4-event'
import { UserFacingError, messageOf } from '../errors'
import { sqlString } from '../warehouse/sql-literal'
import { CLASSIC_GA4_COLUMNS, GA4_COLUMNS } from '../warehouse/ga4-schema'
import { CART_PAGE, CHECKOUT_PAGE, CONFIRMATION_PAGE, HOME_PAGE, type Page, PRODUCTS, type Product, productPage } from './catalog'
import { conversionLift, hasSourceParams, pickSessionSource, type SessionSource } from './channels'
import { type GenerateOptions, windowOf } from './generate'
import { planSessionStarts, timeOfDayMicros } from './journey'
import { createRng, deriveSeed, type Rng } from './rng'
import {
  browsePage,
  type CartLine,
  cartLineCount,
  cartLineOf,
  DOUBLE_FIRED_PURCHASE_RATE,
  DUPLICATE_EVENT_RATE,
  dwellSeconds,
  landingPage,
  NOT_SET_TRANSACTION_RATE,
  STREAM_ID,
  toItem,
  transactionIdOf,
} from './session'
import { createUser, type SimulatedUser } from './user'

/** What to write; the rows are those `generateEvents` yields for the same options. */
export type SampleParquetOptions = Omit<GenerateOptions, 'onProgress'> & {
  /** Users per Parquet file: bounds memory, and lets DuckDB write file k while file k+1 is generated. */
  usersPerFile?: number
}

/** The files written and how many events each holds. */
export interface SampleParquetResult {
  files: { path: string; events: number }[]
  events: number
}

/** Called every ~2% of a file's users and at the end of each file; `events` counts rows generated so far. */
export type SampleParquetProgress = (doneUsers: number, totalUsers: number, events: number) => void

/** 10k users (~160k events) per file: two or more files even at the default scale, so writing overlaps generating. */
export const DEFAULT_USERS_PER_FILE = 10_000

const MICROS_PER_SECOND = 1_000_000
const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND
/** Parquet files DuckDB writes at once, each on its own connection. */
const WRITES_IN_FLIGHT = 2
/**
 * One DuckDB thread: a COPY then runs on its connection's own thread, so two files in flight use two
 * threads beside JavaScript's. A COPY spread over more threads did the same work with ~30% more CPU,
 * on two cores that are busy anyway.
 */
const DUCKDB_THREADS = '1'
/** Parquet writer options; smaller row groups than DuckDB's default bound the writer's memory. */
const PARQUET_OPTIONS = 'format parquet, row_group_size 20000'
/** Rows per appended chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048

/** Event names by kind code (the low 4 bits of a shape). */
const EVENT_NAMES = [
  'first_visit',
  'session_start',
  'page_view',
  'view_item',
  'scroll',
  'user_engagement',
  'add_to_cart',
  'begin_checkout',
  'purchase',
] as const
const KIND = Object.fromEntries(EVENT_NAMES.map((name, code) => [name, code])) as Record<(typeof EVENT_NAMES)[number], number>

/**
 * The narrow row of one event, all DOUBLE so JavaScript numbers go in unconverted and no row is NULL
 * (sentinels instead, which keeps DuckDB's validity masks untouched). Codes index the run's dictionaries.
 */
const EVENT_COLUMNS = [
  'user_index', // index of the user within the file
  'at', // event_timestamp, epoch microseconds
  'shape', // event kind (index into EVENT_NAMES) + 16 * SHAPE flags: which params the event has
  'bundle', // event_bundle_sequence_id
  'session_id',
  'session_number',
  'page', // page code: page_location, page_title
  'is_engaged', // 0 or 1
  'ltv_cents', // user_ltv.revenue in cents
  'referrer', // string code of page_referrer, -1 for none
  'landing', // -2 not a landing page_view, -1 landing without source params, else source code
  'gclid_a', // the two numbers of a gclid, -1 for none
  'gclid_b',
  'engagement_msec', // -1 for none
  'value_usd', // value param, event_value_in_usd of purchases
  'transaction', // -1 none, 0 '(not set)', else the digits of 'T…'
  'cart', // cart code (items of the event), -1 for none
  'index', // position in the session, for the event_id param
] as const
const COL = Object.fromEntries(EVENT_COLUMNS.map((name, index) => [name, index])) as Record<(typeof EVENT_COLUMNS)[number], number>
const WIDTH = EVENT_COLUMNS.length

/** Flags of a shape: the optional params of an event, in the order GA4 lists them. */
const SHAPE = { referrer: 1, landing: 2, source: 4, term: 8, gclid: 16, notSetTransaction: 32 } as const
const SHAPE_COUNT = 16 * 64
const SESSION_PARAM_KEYS = ['ga_session_id', 'ga_session_number', 'page_location', 'page_title', 'session_engaged']

/** The param keys of an event of this shape, in generateSession's order. */
function paramKeysOf(shape: number, withEventId: boolean): string[] {
  const kind = shape % 16
  const has = (flag: number) => Math.floor(shape / 16) & flag
  const keys: string[] = []
  if (kind === KIND.page_view) {
    if (has(SHAPE.referrer)) keys.push('page_referrer')
    if (has(SHAPE.landing)) keys.push('entrances')
    if (has(SHAPE.source)) keys.push('source', 'medium', 'campaign')
    if (has(SHAPE.term)) keys.push('term')
    if (has(SHAPE.gclid)) keys.push('gclid')
  } else if (kind === KIND.view_item || kind === KIND.add_to_cart || kind === KIND.begin_checkout) {
    keys.push('engagement_time_msec', 'currency', 'value')
  } else if (kind === KIND.scroll) {
    keys.push('percent_scrolled', 'engagement_time_msec')
  } else if (kind === KIND.user_engagement) {
    keys.push('engagement_time_msec')
  } else if (kind === KIND.purchase) {
    // A purchase whose tag lost its transaction id also lost its value.
    keys.push(
      ...(has(SHAPE.notSetTransaction)
        ? ['engagement_time_msec', 'currency']
        : ['engagement_time_msec', 'transaction_id', 'value', 'currency']),
    )
  }
  return [...keys, ...SESSION_PARAM_KEYS, ...(withEventId ? ['event_id'] : [])]
}

/** A cart's dictionary key packs up to 4 lines of 12 bits (product code * 4 + quantity) and the purchase flag into one number. */
const MAX_CART_LINES = 4
const PRODUCT_CODE = new Map<Product, number>(PRODUCTS.map((product, index) => [product, index]))

/**
 * A small lookup table of one file: values that repeat go to DuckDB once, as codes. One per file,
 * not per run: a run meets thousands of carts and devices, a file's COPY should join only its own.
 */
class Dictionary<T> {
  readonly values: T[] = []
  private readonly codes = new Map<string | number, number>()

  codeOf(key: string | number, value: () => T): number {
    let code = this.codes.get(key)
    if (code === undefined) {
      code = this.values.length
      this.values.push(value())
      this.codes.set(key, code)
    }
    return code
  }
}

interface FileDictionaries {
  pages: Dictionary<{ location: string; title: string }>
  strings: Dictionary<{ text: string }>
  carts: Dictionary<{ lines: number; quantity: number; items: Ga4Item[] }>
  sources: Dictionary<{ source: string; medium: string; campaign: string; term: string | null }>
  devices: Dictionary<Ga4Device>
  geos: Dictionary<Ga4Geo>
  trafficSources: Dictionary<Ga4TrafficSource>
  /** Rows per shape: the SQL has a branch for each shape the file has. */
  shapeCounts: Float64Array
}

function newDictionaries(): FileDictionaries {
  return {
    pages: new Dictionary(),
    strings: new Dictionary(),
    carts: new Dictionary(),
    sources: new Dictionary(),
    devices: new Dictionary(),
    geos: new Dictionary(),
    trafficSources: new Dictionary(),
    shapeCounts: new Float64Array(SHAPE_COUNT),
  }
}

/** One session's narrow rows, stride WIDTH; reused across sessions. `data` is replaced when it grows. */
class SessionRows {
  data = new Float64Array(64 * WIDTH)
  length = 0

  add(): number {
    if ((this.length + 1) * WIDTH > this.data.length) {
      const grown = new Float64Array(this.data.length * 2)
      grown.set(this.data)
      this.data = grown
    }
    return this.length++ * WIDTH
  }
}

/** Appends rows to a DuckDB table through data chunks, column by column. */
class ChunkAppender {
  private chunk: DuckDBDataChunk
  private vectors: ReturnType<DuckDBDataChunk['getColumnVector']>[]
  private row = 0

  constructor(
    private readonly appender: DuckDBAppender,
    private readonly types: readonly DuckDBType[],
  ) {
    ;[this.chunk, this.vectors] = this.newChunk()
  }

  private newChunk(): [DuckDBDataChunk, ReturnType<DuckDBDataChunk['getColumnVector']>[]] {
    const chunk = DuckDBDataChunk.create(this.types, CHUNK_ROWS)
    return [chunk, this.types.map((_, column) => chunk.getColumnVector(column))]
  }

  /** Appends `data[offset .. offset + types.length)` as one row of numbers. */
  addNumbers(data: Float64Array, offset: number): void {
    const { vectors, row } = this
    for (let column = 0; column < vectors.length; column++) vectors[column]!.setItem(row, data[offset + column]!)
    if (++this.row === CHUNK_ROWS) this.flush()
  }

  /** Appends one row of mixed values. */
  addRow(values: readonly (number | string)[]): void {
    for (let column = 0; column < values.length; column++) this.vectors[column]!.setItem(this.row, values[column]!)
    if (++this.row === CHUNK_ROWS) this.flush()
  }

  /** Hands buffered rows to the appender and DuckDB's table. */
  flush(): void {
    if (this.row === 0) return
    for (const vector of this.vectors) vector.flush()
    if (this.row < CHUNK_ROWS) {
      // Resizing drops the chunk's vector views, so it comes after their flush, and the next rows need a new chunk.
      this.chunk.rowCount = this.row
      this.appender.appendDataChunk(this.chunk)
      ;[this.chunk, this.vectors] = this.newChunk()
    } else {
      // The appender copies the rows, and every row sets every column (never NULL): a full chunk is refilled in place.
      this.appender.appendDataChunk(this.chunk)
    }
    this.row = 0
  }

  close(): void {
    this.flush()
    this.appender.closeSync()
  }
}

/**
 * Twin of `generateSession` (withEventId only, never clean, never a forced purchase): the same
 * random draws in the same order, so a user's rows equal what `generateEvents` yields. A class
 * where generateSession has closures: tsx names every closure as it is made, six per session,
 * which cost over a second of the JavaScript thread at the ga4 scale.
 */
class SessionSimulation {
  private readonly sessionNumber: number
  private readonly isFirstSession: boolean
  private readonly source: SessionSource
  private readonly sessionId: number
  private readonly isBounce: boolean
  private now: number
  private referrer: string | null
  private page: Page = HOME_PAGE
  private pageCode = -1
  private pageOf: Page | null = null
  private pageViews = 0

  constructor(
    private readonly rng: Rng,
    private readonly user: SimulatedUser,
    private readonly userIndex: number,
    startAtMicros: number,
    private readonly rows: SessionRows,
    private readonly dictionaries: FileDictionaries,
  ) {
    rows.length = 0
    this.sessionNumber = ++user.sessionCount
    this.isFirstSession = this.sessionNumber === 1
    const source = this.isFirstSession ? user.firstSessionSource : pickSessionSource(rng, true)
    this.source = source
    this.sessionId = Math.floor(startAtMicros / MICROS_PER_SECOND)
    this.isBounce = rng.chance(this.isFirstSession ? 0.42 : 0.3)
    this.now = startAtMicros
    this.referrer = source.channel === 'referral' || source.channel === 'organic_social' ? `https://${source.source}/` : null
  }

  /** Writes the session's rows to `rows`. */
  run(): void {
    const { rng, user, rows, source, isBounce } = this
    this.page = landingPage(rng, source)
    if (this.isFirstSession) this.emit(KIND.first_visit)
    this.emit(KIND.session_start)
    let dwell = this.viewPage(this.page)
    if (isBounce) {
      this.leavePage(dwell)
      return this.finish()
    }

    const cart: CartLine[] = []
    const returningLift = this.isFirstSession ? 1 : 1.7
    const addsToCart = rng.chance(Math.min(0.9, 0.1 * user.purchaseAffinity * conversionLift(source.channel) * returningLift))
    const extraPages = Math.floor(-Math.log(1 - rng.next()) * 2.8)
    for (let i = 0; i < extraPages; i++) {
      this.leavePage(dwell)
      dwell = this.viewPage(browsePage(rng))
    }
    if (!addsToCart) {
      this.leavePage(dwell)
      return this.finish()
    }

    const lineCount = cartLineCount(rng)
    for (let i = 0; i < lineCount; i++) {
      if (this.page.product === null || cart.some((line) => line.product === this.page.product)) {
        this.leavePage(dwell)
        dwell = this.viewPage(productPage(rng.pick(PRODUCTS)))
      }
      const product = this.page.product
      if (product === null || cart.some((line) => line.product === product)) continue
      const line = cartLineOf(product, rng)
      cart.push(line)
      this.advance(rng.int(3, 40))
      const msec = rng.int(500, 8000)
      const added = this.emit(KIND.add_to_cart)
      rows.data[added + COL.engagement_msec] = msec
      rows.data[added + COL.value_usd] = (line.product.priceCents * line.quantity) / 100
      this.setCart(added, [line], false)
    }
    const cartCents = cart.reduce((sum, line) => sum + line.product.priceCents * line.quantity, 0)

    this.leavePage(dwell)
    dwell = this.viewPage(CART_PAGE)
    if (!rng.chance(0.5)) {
      this.leavePage(dwell)
      return this.finish()
    }
    this.leavePage(dwell)
    dwell = this.viewPage(CHECKOUT_PAGE)
    const checkoutMsec = rng.int(500, 5000)
    const checkout = this.emit(KIND.begin_checkout)
    rows.data[checkout + COL.engagement_msec] = checkoutMsec
    rows.data[checkout + COL.value_usd] = cartCents / 100
    this.setCart(checkout, cart, false)
    if (!rng.chance(0.7)) {
      this.leavePage(dwell)
      return this.finish()
    }

    this.advance(rng.int(30, 240))
    user.lifetimeRevenueCents += cartCents
    dwell = this.viewPage(CONFIRMATION_PAGE)
    const isNotSet = rng.chance(NOT_SET_TRANSACTION_RATE)
    const transaction = isNotSet ? 0 : Number(transactionIdOf(rng).slice(1))
    const purchaseMsec = rng.int(500, 3000)
    const purchase = this.emit(KIND.purchase + (isNotSet ? 16 * SHAPE.notSetTransaction : 0))
    rows.data[purchase + COL.engagement_msec] = purchaseMsec
    rows.data[purchase + COL.value_usd] = cartCents / 100
    rows.data[purchase + COL.transaction] = transaction
    this.setCart(purchase, cart, true)
    if (!isNotSet && rng.chance(DOUBLE_FIRED_PURCHASE_RATE)) {
      const again = rows.add()
      rows.data.copyWithin(again, purchase, purchase + WIDTH)
      this.now = rows.data[purchase + COL.at]! + MICROS_PER_SECOND + rng.int(0, 999_999)
      rows.data[again + COL.at] = this.now
    }
    this.leavePage(dwell)
    return this.finish()
  }

  private emit(kind: number): number {
    const { page, rows, user } = this
    if (this.pageOf !== page) {
      const { location, title } = page
      this.pageCode = this.dictionaries.pages.codeOf(location, () => ({ location, title }))
      this.pageOf = page
    }
    const at = rows.add()
    const d = rows.data
    d[at + COL.user_index] = this.userIndex
    d[at + COL.at] = this.now
    d[at + COL.shape] = kind
    d[at + COL.bundle] = user.bundleSequenceId
    d[at + COL.session_id] = this.sessionId
    d[at + COL.session_number] = this.sessionNumber
    d[at + COL.page] = this.pageCode
    d[at + COL.is_engaged] = this.isBounce ? 0 : 1
    d[at + COL.ltv_cents] = user.lifetimeRevenueCents
    d[at + COL.referrer] = -1
    d[at + COL.landing] = -2
    d[at + COL.gclid_a] = -1
    d[at + COL.gclid_b] = -1
    d[at + COL.engagement_msec] = -1
    d[at + COL.value_usd] = 0
    d[at + COL.transaction] = -1
    d[at + COL.cart] = -1
    return at
  }

  private setCart(at: number, lines: readonly CartLine[], isPurchase: boolean): void {
    if (lines.length > MAX_CART_LINES) throw new Error(`A cart of ${lines.length} lines does not fit a cart key`)
    let key = 0
    for (const line of lines) key = key * 4096 + lineCode(line)
    this.rows.data[at + COL.cart] = this.dictionaries.carts.codeOf(key * 2 + (isPurchase ? 1 : 0), () => ({
      lines: lines.length,
      quantity: lines.reduce((sum, line) => sum + line.quantity, 0),
      items: lines.map((line) => toItem(line, isPurchase)),
    }))
  }

  private advance(seconds: number): void {
    this.now += seconds * MICROS_PER_SECOND + this.rng.int(0, 999_999)
  }

  private viewPage(next: Page): number {
    const { rng, rows, source, isBounce, referrer, dictionaries } = this
    this.page = next
    this.user.bundleSequenceId++
    const referrerCode = referrer === null ? -1 : dictionaries.strings.codeOf(referrer, () => ({ text: referrer }))
    let landing = -2
    let gclidA = -1
    let gclidB = -1
    let flags = referrer === null ? 0 : SHAPE.referrer
    if (this.pageViews === 0) {
      landing = -1
      flags |= SHAPE.landing
      if (hasSourceParams(source)) {
        const { source: name, medium, campaign, term } = source
        landing = dictionaries.sources.codeOf(`${name}\u0000${medium}\u0000${campaign}\u0000${term ?? '\u0001'}`, () => ({
          source: name,
          medium,
          campaign,
          term,
        }))
        flags |= SHAPE.source | (term === null ? 0 : SHAPE.term)
        if (source.hasGclid) {
          gclidA = rng.int(1e9, 9e9)
          gclidB = rng.int(1e9, 9e9)
          flags |= SHAPE.gclid
        }
      }
    }
    this.pageViews++
    const at = this.emit(KIND.page_view + 16 * flags)
    rows.data[at + COL.referrer] = referrerCode
    rows.data[at + COL.landing] = landing
    rows.data[at + COL.gclid_a] = gclidA
    rows.data[at + COL.gclid_b] = gclidB
    const dwell = isBounce ? rng.int(1, 9) : dwellSeconds(rng)
    if (next.product !== null) {
      this.advance(1)
      const msec = rng.int(200, 2000)
      const viewed = this.emit(KIND.view_item)
      rows.data[viewed + COL.engagement_msec] = msec
      rows.data[viewed + COL.value_usd] = next.product.priceCents / 100
      this.setCart(viewed, [{ product: next.product, quantity: 1 }], false)
    }
    if (!isBounce && rng.chance(0.5)) {
      this.advance(Math.floor(dwell / 2))
      const msec = rng.int(1000, dwell * 500 + 1000)
      const scrolled = this.emit(KIND.scroll)
      rows.data[scrolled + COL.engagement_msec] = msec
    }
    this.referrer = next.location
    return dwell
  }

  private leavePage(dwell: number): void {
    this.advance(dwell)
    if (!this.isBounce || this.rng.chance(0.3)) {
      const msec = dwell * 1000 - this.rng.int(0, 999)
      const engaged = this.emit(KIND.user_engagement)
      this.rows.data[engaged + COL.engagement_msec] = msec
    }
  }

  private finish(): void {
    // Twin of withMess: exact duplicates drawn after the session, event_id positions before them.
    for (let i = 0; i < this.rows.length; i++) this.rows.data[i * WIDTH + COL.index] = i
  }
}

function lineCode(line: CartLine): number {
  const code = PRODUCT_CODE.get(line.product)
  if (code === undefined || code >= 1024 || line.quantity < 0 || line.quantity > 3) {
    throw new Error(`Item line ${line.product.itemId} x ${line.quantity} does not fit a cart key`)
  }
  return code * 4 + line.quantity
}

/** Narrow rows of `options.users` users (one file), appended as `generateEvents` would yield them. */
async function appendUsers(
  options: SampleParquetOptions & { firstUser: number },
  dictionaries: FileDictionaries,
  events: ChunkAppender,
  users: ChunkAppender,
  onUsers: (doneUsers: number, events: number) => void,
): Promise<number> {
  const { startMicros, endBeforeMicros } = windowOf(options)
  const notAfter = options.notAfterMicros ?? Number.POSITIVE_INFINITY
  const progressEvery = Math.max(1, Math.floor(options.users / 50))
  const rows = new SessionRows()
  let count = 0
  for (let offset = 0; offset < options.users; offset++) {
    const rng = createRng(deriveSeed(options.seed, options.firstUser + offset))
    const firstSeenAt = startMicros + rng.int(0, options.days - 1) * MICROS_PER_DAY + timeOfDayMicros(rng)
    const user = createUser(rng, firstSeenAt)
    users.addRow([
      offset,
      user.userPseudoId,
      user.firstTouchAtMicros,
      dictionaries.devices.codeOf(JSON.stringify(user.device), () => user.device),
      dictionaries.geos.codeOf(JSON.stringify(user.geo), () => user.geo),
      dictionaries.trafficSources.codeOf(JSON.stringify(user.trafficSource), () => user.trafficSource),
    ])
    for (const sessionStart of planSessionStarts(rng, firstSeenAt, endBeforeMicros)) {
      new SessionSimulation(rng, user, offset, sessionStart, rows, dictionaries).run()
      for (let i = 0; i < rows.length; i++) {
        const at = i * WIDTH
        const isDuplicated = rng.chance(DUPLICATE_EVENT_RATE)
        const eventAt = rows.data[at + COL.at]!
        if (eventAt >= endBeforeMicros || eventAt > notAfter) continue
        const copies = isDuplicated ? 2 : 1
        for (let copy = 0; copy < copies; copy++) events.addNumbers(rows.data, at)
        dictionaries.shapeCounts[rows.data[at + COL.shape]!]! += copies
        count += copies
      }
    }
    if ((offset + 1) % progressEvery === 0 || offset + 1 === options.users) {
      onUsers(offset + 1, count)
      // Lets the previous file's COPY settle and the host's event loop breathe.
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  return count
}

/** Macros that build params from narrow values; created once per run. */
function macroStatements(): string[] {
  return [
    `create macro ga4_str(k, v) as {'key': k, 'value': {'string_value': v::varchar, 'int_value': null::bigint, 'float_value': null::double, 'double_value': null::double}}`,
    `create macro ga4_int(k, v) as {'key': k, 'value': {'string_value': null::varchar, 'int_value': v::bigint, 'float_value': null::double, 'double_value': null::double}}`,
    `create macro ga4_dbl(k, v) as {'key': k, 'value': {'string_value': null::varchar, 'int_value': null::bigint, 'float_value': null::double, 'double_value': v::double}}`,
    // Base 36 of a positive integer below 36^7, as JavaScript's toString(36) writes it.
    `create macro ga4_base36(x) as ltrim(array_to_string(list_transform(range(6, -1, -1),
      i -> substr('0123456789abcdefghijklmnopqrstuvwxyz', ((x::bigint // pow(36, i)::bigint) % 36)::integer + 1, 1)), ''), '0')`,
  ]
}

/** SQL of each event param by key, over one file's tables (aliases in exportSelect). */
const PARAM_SQL: Record<string, string> = {
  page_referrer: `ga4_str('page_referrer', referrer.text)`,
  entrances: `ga4_int('entrances', 1)`,
  source: `ga4_str('source', source.source)`,
  medium: `ga4_str('medium', source.medium)`,
  campaign: `ga4_str('campaign', source.campaign)`,
  term: `ga4_str('term', source.term)`,
  gclid: `ga4_str('gclid', 'Cj0KCQiA' || ga4_base36(e.gclid_a) || ga4_base36(e.gclid_b))`,
  engagement_time_msec: `ga4_int('engagement_time_msec', e.engagement_msec)`,
  currency: `ga4_str('currency', 'USD')`,
  value: `ga4_dbl('value', e.value_usd)`,
  percent_scrolled: `ga4_int('percent_scrolled', 90)`,
  transaction_id: `ga4_str('transaction_id', 'T' || e.transaction::bigint)`,
  ga_session_id: `ga4_int('ga_session_id', e.session_id)`,
  ga_session_number: `ga4_int('ga_session_number', e.session_number)`,
  page_location: `ga4_str('page_location', page.location)`,
  page_title: `ga4_str('page_title', page.title)`,
  session_engaged: `ga4_str('session_engaged', if(e.is_engaged = 1, '1', '0'))`,
  event_id: `ga4_str('event_id', u.user_pseudo_id || '-' || e.session_id::bigint || '-' || e.index::bigint)`,
}

/** SQL of each export column for events of one shape (aliases in shapeSelect); absent columns are NULL. */
function columnExpressions(shape: number, withEventId: boolean): Map<string, string> {
  const kind = shape % 16
  const params = paramKeysOf(shape, withEventId).map((key) => {
    const sql = PARAM_SQL[key]
    if (sql === undefined) throw new Error(`No SQL for event param ${key}`)
    return sql
  })
  const ecommerce = (fields: { quantity: string; revenue: string; lines: string; transactionId: string }) =>
    `{'total_item_quantity': ${fields.quantity}, 'purchase_revenue_in_usd': ${fields.revenue}, 'purchase_revenue': ${fields.revenue},
    'refund_value_in_usd': null::double, 'refund_value': null::double, 'shipping_value_in_usd': null::double, 'shipping_value': null::double,
    'tax_value_in_usd': null::double, 'tax_value': null::double, 'unique_items': ${fields.lines}, 'transaction_id': ${fields.transactionId}}`
  const isPurchase = kind === KIND.purchase
  const hasItems = isPurchase || kind === KIND.view_item || kind === KIND.add_to_cart || kind === KIND.begin_checkout
  const transactionId = Math.floor(shape / 16) & SHAPE.notSetTransaction ? `'(not set)'` : `'T' || e.transaction::bigint`
  const columns = new Map([
    ['event_date', `strftime(make_timestamp(e.at::bigint), '%Y%m%d')`],
    ['event_timestamp', 'e.at'],
    ['event_name', sqlString(EVENT_NAMES[kind] ?? 'unknown')],
    ['event_params', `[${params.join(', ')}]`],
    ['event_bundle_sequence_id', 'e.bundle'],
    ['user_pseudo_id', 'u.user_pseudo_id'],
    ['privacy_info', `{'analytics_storage': null::varchar, 'ads_storage': null::varchar, 'uses_transient_token': 'No'}`],
    ['user_properties', '[]'],
    ['user_first_touch_timestamp', 'u.first_touch_at'],
    ['user_ltv', `{'revenue': e.ltv_cents / 100, 'currency': 'USD'}`],
    ['device', 'u.device'],
    ['geo', 'u.geo'],
    ['traffic_source', 'u.traffic_source'],
    ['stream_id', sqlString(STREAM_ID)],
    ['platform', `'WEB'`],
    ['items', hasItems ? 'cart.items' : '[]'],
  ])
  if (isPurchase) {
    columns.set('event_value_in_usd', 'e.value_usd')
    columns.set('ecommerce', ecommerce({ quantity: 'cart.quantity', revenue: 'e.value_usd', lines: 'cart.lines::bigint', transactionId }))
  } else if (hasItems) {
    columns.set(
      'ecommerce',
      ecommerce({ quantity: 'null::bigint', revenue: 'null::double', lines: 'null::bigint', transactionId: 'null::varchar' }),
    )
  }
  return columns
}

/**
 * The rows of one shape: every column but the varying ones is a plain expression, no CASE per row.
 * The classic export's columns only: the generator fills none of the newer optional ones, which the
 * warehouse reads as NULL when a file lacks them (as the public sample's do); writing their ~40 always-NULL
 * Parquet leaves was a quarter of each file's COPY.
 */
function shapeSelect(file: number, shape: number, withEventId: boolean): string {
  const expressions = columnExpressions(shape, withEventId)
  const unwritten = [...expressions.keys()].filter((name) => !CLASSIC_GA4_COLUMNS.some(([classic]) => classic === name))
  if (unwritten.length > 0) throw new Error(`Generated column ${unwritten.join(', ')} is not a classic export column`)
  const columns = CLASSIC_GA4_COLUMNS.map(([name, type]) => `cast(${expressions.get(name) ?? 'null'} as ${type}) as "${name}"`)
  const flags = Math.floor(shape / 16)
  // Small dictionary tables are joined by code: cheaper than carrying their lists along every row.
  return `select ${columns.join(',\n  ')}
    from narrow_events_${file} e
    join users_${file} u on u.user_index = e.user_index
    join pages_${file} page on page.id = e.page
    ${flags & SHAPE.referrer ? `join strings_${file} referrer on referrer.id = e.referrer` : ''}
    ${flags & SHAPE.source ? `join sources_${file} source on source.id = e.landing` : ''}
    ${expressions.get('items') === 'cart.items' ? `join carts_${file} cart on cart.id = e.cart` : ''}
    where e.shape = ${shape}`
}

/** The SELECT of one file's rows, exactly CLASSIC_GA4_COLUMNS in order and type: one branch per event shape seen. */
function exportSelect(file: number, withEventId: boolean, shapeCounts: Float64Array): string {
  const shapes = [...shapeCounts.keys()].filter((shape) => shapeCounts[shape]! > 0)
  // With no events at all, one branch that matches nothing still gives the file its columns.
  if (shapes.length === 0) shapes.push(KIND.session_start)
  return shapes.map((shape) => shapeSelect(file, shape, withEventId)).join('\nunion all\n')
}

/** Tables of one file, dropped once its Parquet file is written. */
const FILE_TABLES = ['narrow_events', 'narrow_users', 'users', 'pages', 'strings', 'sources', 'carts', 'devices', 'geos', 'traffic_sources']

const GA4_TYPE = new Map(GA4_COLUMNS)

/** Stores a file's dictionaries as its tables, parsed as read_json parses export rows. */
async function storeDictionaries(connection: DuckDBConnection, file: number, dictionaries: FileDictionaries): Promise<void> {
  const store = async (table: string, values: readonly object[], structure: Record<string, unknown>) => {
    // from_json reads a missing key as NULL, as read_json does, where a JSON cast would fail.
    const json = JSON.stringify(values.map((value, id) => ({ id, ...value })))
    await connection.run(
      `create table ${table}_${file} as select unnest(entry) from (select unnest(from_json($json, $structure)) as entry)`,
      {
        json,
        structure: JSON.stringify([{ id: 'INTEGER', ...structure }]),
      },
    )
  }
  await store('pages', dictionaries.pages.values, { location: 'VARCHAR', title: 'VARCHAR' })
  await store('strings', dictionaries.strings.values, { text: 'VARCHAR' })
  await store('sources', dictionaries.sources.values, { source: 'VARCHAR', medium: 'VARCHAR', campaign: 'VARCHAR', term: 'VARCHAR' })
  await store('carts', dictionaries.carts.values, { lines: 'INTEGER', quantity: 'BIGINT', items: jsonStructureOf('items') })
  await store(
    'devices',
    dictionaries.devices.values.map((device) => ({ device })),
    { device: jsonStructureOf('device') },
  )
  await store(
    'geos',
    dictionaries.geos.values.map((geo) => ({ geo })),
    { geo: jsonStructureOf('geo') },
  )
  await store(
    'traffic_sources',
    dictionaries.trafficSources.values.map((source) => ({ traffic_source: source })),
    {
      traffic_source: jsonStructureOf('traffic_source'),
    },
  )
}

/** Joins one file's users to their device, place and first source, so the COPY joins one table per user. */
async function storeUsers(connection: DuckDBConnection, file: number): Promise<void> {
  await connection.run(`create table users_${file} as
    select r.user_index, r.user_pseudo_id, r.first_touch_at::bigint as first_touch_at, d.device, g.geo, t.traffic_source
    from narrow_users_${file} r
    join devices_${file} d on d.id = r.device
    join geos_${file} g on g.id = r.geo
    join traffic_sources_${file} t on t.id = r.traffic_source`)
}

/** A GA4 column's type as the JSON structure from_json takes. */
function jsonStructureOf(column: string): unknown {
  const type = GA4_TYPE.get(column)
  if (type === undefined) throw new Error(`No GA4 column ${column}`)
  const tokens = type.match(/"[^"]*"|\w+|\[\]|[(),]/g) ?? []
  let at = 0
  const parse = (): unknown => {
    const name = tokens[at++]
    let structure: unknown = name
    if (name?.toUpperCase() === 'STRUCT') {
      const fields: Record<string, unknown> = {}
      at++ // (
      while (tokens[at - 1] !== ')') {
        const field = tokens[at++]!.replace(/"/g, '')
        fields[field] = parse()
        at++ // , or )
      }
      structure = fields
    }
    while (tokens[at] === '[]') {
      structure = [structure]
      at++
    }
    return structure
  }
  return parse()
}

/** Removes a file this run may have written; anything else at that path stays. */
function removeFile(path: string): void {
  try {
    rmSync(path, { force: true })
  } catch {
    // Not a file (a folder in the way): nothing of ours to remove.
  }
}

/**
 * Writes the events `generateEvents(options)` yields as Parquet files in `dir` (created if missing),
 * `usersPerFile` users per file, each with exactly the classic GA4 export columns. Existing files of the same
 * names are replaced; on any error the files written so far are removed.
 */
export async function writeSampleParquet(
  dir: string,
  options: SampleParquetOptions,
  onProgress?: SampleParquetProgress,
): Promise<SampleParquetResult> {
  windowOf(options)
  if (!Number.isInteger(options.users) || options.users < 0) throw new Error(`users must be a whole number, got ${options.users}`)
  const usersPerFile = options.usersPerFile ?? DEFAULT_USERS_PER_FILE
  if (!Number.isInteger(usersPerFile) || usersPerFile < 1) throw new Error(`usersPerFile must be a positive integer, got ${usersPerFile}`)
  const fileCount = Math.ceil(options.users / usersPerFile)
  const paths = Array.from({ length: fileCount }, (_, file) => join(dir, `sample-events-${String(file).padStart(4, '0')}.parquet`))
  const files: SampleParquetResult['files'] = []
  let events = 0
  let instance: DuckDBInstance | undefined
  const writes: Promise<void>[] = []
  try {
    mkdirSync(dir, { recursive: true })
    instance = await DuckDBInstance.create(':memory:', { preserve_insertion_order: 'false', threads: DUCKDB_THREADS })
    const appending = await instance.connect()
    const writers = await Promise.all(Array.from({ length: WRITES_IN_FLIGHT }, async () => instance!.connect()))
    for (const statement of macroStatements()) await appending.run(statement)
    for (let file = 0; file < fileCount; file++) {
      const firstUser = file * usersPerFile
      const users = Math.min(usersPerFile, options.users - firstUser)
      const dictionaries = newDictionaries()
      await appending.run(`create table narrow_events_${file} (${EVENT_COLUMNS.map((name) => `"${name}" double`).join(', ')})`)
      await appending.run(
        `create table narrow_users_${file} (user_index double, user_pseudo_id varchar, first_touch_at double, device double, geo double, traffic_source double)`,
      )
      const eventAppender = new ChunkAppender(
        await appending.createAppender(`narrow_events_${file}`),
        EVENT_COLUMNS.map(() => DOUBLE),
      )
      const userAppender = new ChunkAppender(await appending.createAppender(`narrow_users_${file}`), [
        DOUBLE,
        VARCHAR,
        DOUBLE,
        DOUBLE,
        DOUBLE,
        DOUBLE,
      ])
      const fileEvents = await appendUsers(
        { ...options, firstUser: (options.firstUser ?? 0) + firstUser, users },
        dictionaries,
        eventAppender,
        userAppender,
        (done, count) => onProgress?.(firstUser + done, options.users, events + count),
      )
      eventAppender.close()
      userAppender.close()
      events += fileEvents
      const select = exportSelect(file, options.withEventId === true, dictionaries.shapeCounts)
      // Writing two files at once, beside JavaScript generating the next, keeps both cores busy.
      if (writes.length >= WRITES_IN_FLIGHT) await writes[writes.length - WRITES_IN_FLIGHT]
      const writer = writers[file % WRITES_IN_FLIGHT]!
      const path = paths[file]!
      const write = (async () => {
        // The file's lookup tables are made on the writer too, so JavaScript goes on to the next file meanwhile.
        await storeDictionaries(writer, file, dictionaries)
        await storeUsers(writer, file)
        await writer.run(`copy (${select}) to ${sqlString(path)} (${PARQUET_OPTIONS})`)
        files.push({ path, events: fileEvents })
        for (const table of FILE_TABLES) await writer.run(`drop table ${table}_${file}`)
      })()
      write.catch(() => undefined)
      writes.push(write)
    }
    await Promise.all(writes)
    appending.closeSync()
    for (const writer of writers) writer.closeSync()
  } catch (error) {
    await Promise.allSettled(writes)
    for (const path of paths) removeFile(path)
    throw new UserFacingError(`Cannot write sample Parquet files to ${dir}: ${messageOf(error).split('\n')[0]}`)
  } finally {
    instance?.closeSync()
  }
  files.sort((a, b) => a.path.localeCompare(b.path))
  return { files, events }
}
