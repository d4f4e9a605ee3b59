import type { Ga4Device, Ga4Geo, Ga4TrafficSource } from '@shared/ga4-event'
import { firstTouchTrafficSource, pickSessionSource, type SessionSource } from './channels'
import type { Rng } from './rng'

/** A simulated visitor and the state their next session continues from. */
export interface SimulatedUser {
  /** GA4's client id: random number, a dot, and the first-visit epoch seconds. */
  userPseudoId: string
  firstTouchAtMicros: number
  /** Shared by all the user's events; treat as read-only. */
  device: Ga4Device
  /** Shared by all the user's events; treat as read-only. */
  geo: Ga4Geo
  /** Where the first session came from; later sessions pick their own. */
  firstSessionSource: SessionSource
  /** The export's `traffic_source`: first-touch, never updated. */
  trafficSource: Ga4TrafficSource
  /** Baseline buying propensity; some visitors are shoppers, most are browsers. */
  purchaseAffinity: number
  /** Sessions generated so far; the next session's ga_session_number is this + 1. */
  sessionCount: number
  lifetimeRevenueCents: number
  /** Last value used for event_bundle_sequence_id; increments per page hit. */
  bundleSequenceId: number
}

type DeviceProfile = Omit<Ga4Device, 'language' | 'web_info'> & { browser: string; browserVersions: readonly string[] }

const profile = (
  category: string,
  brand: string,
  model: string,
  os: string,
  osVersions: readonly string[],
  browser: string,
  browserVersions: readonly string[],
): { make: (rng: Rng) => DeviceProfile } => ({
  make: (rng) => ({
    category,
    mobile_brand_name: brand,
    mobile_model_name: model,
    mobile_marketing_name: '(not set)',
    mobile_os_hardware_model: null,
    operating_system: os,
    operating_system_version: rng.pick(osVersions),
    vendor_id: null,
    advertising_id: null,
    is_limited_ad_tracking: 'No',
    time_zone_offset_seconds: null,
    browser,
    browserVersions,
  }),
})

const CHROME = ['119.0', '120.0', '121.0', '122.0']
const SAFARI = ['16.6', '17.1', '17.2']
const DEVICE_MIX = [
  [profile('desktop', 'Google', 'Chrome', 'Windows', ['Windows 10', 'Windows 11'], 'Chrome', CHROME), 26],
  [profile('desktop', 'Microsoft', 'Edge', 'Windows', ['Windows 10', 'Windows 11'], 'Edge', ['120.0', '121.0']), 6],
  [profile('desktop', 'Google', 'Chrome', 'Macintosh', ['macOS 13.6', 'macOS 14.2'], 'Chrome', CHROME), 11],
  [profile('desktop', 'Apple', 'Safari', 'Macintosh', ['macOS 13.6', 'macOS 14.2'], 'Safari', SAFARI), 7],
  [profile('desktop', 'Google', 'Chrome', 'Chrome OS', ['Chrome OS 120'], 'Chrome', CHROME), 2],
  [profile('desktop', 'Mozilla', 'Firefox', 'Linux', ['Linux'], 'Firefox', ['120.0', '121.0']), 2],
  [profile('mobile', 'Apple', 'iPhone', 'iOS', ['iOS 16.7', 'iOS 17.1', 'iOS 17.2'], 'Safari', SAFARI), 20],
  [profile('mobile', 'Apple', 'iPhone', 'iOS', ['iOS 17.1', 'iOS 17.2'], 'Chrome', CHROME), 4],
  [profile('mobile', 'Samsung', 'SM-S911B', 'Android', ['Android 13', 'Android 14'], 'Chrome', CHROME), 10],
  [profile('mobile', 'Google', 'Pixel 7', 'Android', ['Android 14'], 'Chrome', CHROME), 5],
  [profile('mobile', 'Samsung', 'SM-A536B', 'Android', ['Android 13'], 'Samsung Internet', ['23.0']), 3],
  [profile('tablet', 'Apple', 'iPad', 'iOS', ['iPadOS 17.1', 'iPadOS 17.2'], 'Safari', SAFARI), 4],
] as const

interface Country {
  country: string
  continent: string
  subContinent: string
  language: string
  places: ReadonlyArray<readonly [region: string, city: string, metro: string]>
}

const US_PLACES = [
  ['California', 'San Francisco', 'San Francisco-Oakland-San Jose CA'],
  ['California', 'Los Angeles', 'Los Angeles CA'],
  ['New York', 'New York', 'New York NY'],
  ['Texas', 'Austin', 'Austin TX'],
  ['Illinois', 'Chicago', 'Chicago IL'],
  ['Washington', 'Seattle', 'Seattle-Tacoma WA'],
  ['Massachusetts', 'Boston', 'Boston MA-Manchester NH'],
  ['Georgia', 'Atlanta', 'Atlanta GA'],
  ['(not set)', '(not set)', '(not set)'],
] as const

const COUNTRY_MIX: ReadonlyArray<readonly [Country, number]> = [
  [{ country: 'United States', continent: 'Americas', subContinent: 'Northern America', language: 'en-us', places: US_PLACES }, 44],
  [
    {
      country: 'Canada',
      continent: 'Americas',
      subContinent: 'Northern America',
      language: 'en-ca',
      places: [
        ['Ontario', 'Toronto', '(not set)'],
        ['British Columbia', 'Vancouver', '(not set)'],
      ],
    },
    6,
  ],
  [
    {
      country: 'United Kingdom',
      continent: 'Europe',
      subContinent: 'Northern Europe',
      language: 'en-gb',
      places: [
        ['England', 'London', '(not set)'],
        ['England', 'Manchester', '(not set)'],
        ['Scotland', 'Edinburgh', '(not set)'],
      ],
    },
    8,
  ],
  [
    {
      country: 'India',
      continent: 'Asia',
      subContinent: 'Southern Asia',
      language: 'en-in',
      places: [
        ['Karnataka', 'Bengaluru', '(not set)'],
        ['Maharashtra', 'Mumbai', '(not set)'],
      ],
    },
    8,
  ],
  [
    {
      country: 'Germany',
      continent: 'Europe',
      subContinent: 'Western Europe',
      language: 'de-de',
      places: [
        ['Berlin', 'Berlin', '(not set)'],
        ['Bavaria', 'Munich', '(not set)'],
      ],
    },
    4,
  ],
  [
    {
      country: 'France',
      continent: 'Europe',
      subContinent: 'Western Europe',
      language: 'fr-fr',
      places: [['Ile-de-France', 'Paris', '(not set)']],
    },
    3,
  ],
  [
    {
      country: 'Spain',
      continent: 'Europe',
      subContinent: 'Southern Europe',
      language: 'es-es',
      places: [['Community of Madrid', 'Madrid', '(not set)']],
    },
    2,
  ],
  [
    {
      country: 'Netherlands',
      continent: 'Europe',
      subContinent: 'Western Europe',
      language: 'nl-nl',
      places: [['North Holland', 'Amsterdam', '(not set)']],
    },
    2,
  ],
  [{ country: 'Japan', continent: 'Asia', subContinent: 'Eastern Asia', language: 'ja-jp', places: [['Tokyo', 'Tokyo', '(not set)']] }, 3],
  [
    {
      country: 'Australia',
      continent: 'Oceania',
      subContinent: 'Australasia',
      language: 'en-au',
      places: [['New South Wales', 'Sydney', '(not set)']],
    },
    3,
  ],
  [
    {
      country: 'Brazil',
      continent: 'Americas',
      subContinent: 'South America',
      language: 'pt-br',
      places: [['State of Sao Paulo', 'Sao Paulo', '(not set)']],
    },
    2,
  ],
  [
    {
      country: 'Mexico',
      continent: 'Americas',
      subContinent: 'Central America',
      language: 'es-mx',
      places: [['Mexico City', 'Mexico City', '(not set)']],
    },
    2,
  ],
]

/** A new visitor first seen at `firstSeenAtMicros`; their first session should start then. */
export function createUser(rng: Rng, firstSeenAtMicros: number): SimulatedUser {
  const { browserVersions, browser, ...deviceFields } = rng.weighted(DEVICE_MIX).make(rng)
  const country = rng.weighted(COUNTRY_MIX)
  const [region, city, metro] = rng.pick(country.places)
  const browserVersion = rng.pick(browserVersions)
  const firstSessionSource = pickSessionSource(rng, false)
  return {
    userPseudoId: `${rng.int(100_000_000, 2_147_483_647)}.${Math.floor(firstSeenAtMicros / 1e6)}`,
    firstTouchAtMicros: firstSeenAtMicros,
    device: { ...deviceFields, language: country.language, web_info: { browser, browser_version: browserVersion } },
    geo: {
      continent: country.continent,
      sub_continent: country.subContinent,
      country: country.country,
      region,
      city,
      metro: country.country === 'United States' ? metro : '(not set)',
    },
    firstSessionSource,
    trafficSource: firstTouchTrafficSource(firstSessionSource),
    // Skewed: a few visitors do most of the buying.
    purchaseAffinity: rng.weighted([
      [0.4, 55],
      [1, 30],
      [2.2, 12],
      [4, 3],
    ]),
    sessionCount: 0,
    lifetimeRevenueCents: 0,
    bundleSequenceId: rng.int(1_000_000, 2_000_000_000),
  }
}
