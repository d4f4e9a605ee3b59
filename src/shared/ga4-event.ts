/**
 * One row of the GA4 BigQuery export as `bq extract --destination_format=NEWLINE_DELIMITED_JSON`
 * writes it: numbers as JSON numbers, absent values as null. Column types: main/warehouse/ga4-schema.ts.
 */

/** The value union of an event or item param; exactly one member is non-null in real rows. */
export interface Ga4ParamValue {
  string_value: string | null
  int_value: number | null
  float_value: number | null
  double_value: number | null
}

/** One entry of `event_params` or `items[].item_params`. */
export interface Ga4EventParam {
  key: string
  value: Ga4ParamValue
}

/** One entry of `user_properties`; the export adds when the property was set. */
export interface Ga4UserProperty {
  key: string
  value: Ga4ParamValue & { set_timestamp_micros: number | null }
}

/** One product of an ecommerce event. */
export interface Ga4Item {
  item_id: string | null
  item_name: string | null
  item_brand: string | null
  item_variant: string | null
  item_category: string | null
  item_category2: string | null
  item_category3: string | null
  item_category4: string | null
  item_category5: string | null
  price_in_usd: number | null
  price: number | null
  quantity: number | null
  item_revenue_in_usd: number | null
  item_revenue: number | null
  item_refund_in_usd: number | null
  item_refund: number | null
  coupon: string | null
  affiliation: string | null
  location_id: string | null
  item_list_id: string | null
  item_list_name: string | null
  item_list_index: string | null
  promotion_id: string | null
  promotion_name: string | null
  creative_name: string | null
  creative_slot: string | null
  item_params?: Ga4EventParam[]
}

/** Order totals; filled on `purchase`, all-null or absent on other events. */
export interface Ga4Ecommerce {
  total_item_quantity: number | null
  purchase_revenue_in_usd: number | null
  purchase_revenue: number | null
  refund_value_in_usd: number | null
  refund_value: number | null
  shipping_value_in_usd: number | null
  shipping_value: number | null
  tax_value_in_usd: number | null
  tax_value: number | null
  unique_items: number | null
  transaction_id: string | null
}

/** Device and browser of the user, as GA4 derives them from the user agent. */
export interface Ga4Device {
  category: string | null
  mobile_brand_name: string | null
  mobile_model_name: string | null
  mobile_marketing_name: string | null
  mobile_os_hardware_model: string | null
  operating_system: string | null
  operating_system_version: string | null
  vendor_id: string | null
  advertising_id: string | null
  language: string | null
  is_limited_ad_tracking: string | null
  time_zone_offset_seconds: number | null
  browser?: string | null
  browser_version?: string | null
  web_info: { browser: string | null; browser_version: string | null; hostname?: string | null } | null
}

/** Location from the IP address. */
export interface Ga4Geo {
  continent: string | null
  sub_continent: string | null
  country: string | null
  region: string | null
  city: string | null
  metro: string | null
}

/** The user's first-touch acquisition (not the session's source; that lives in event params). */
export interface Ga4TrafficSource {
  name: string | null
  medium: string | null
  source: string | null
}

/** Consent state; 2020-21 web exports fill only `uses_transient_token`. */
export interface Ga4PrivacyInfo {
  analytics_storage: string | null
  ads_storage: string | null
  uses_transient_token: string | null
}

/** Revenue the user has generated so far. */
export interface Ga4UserLtv {
  revenue: number | null
  currency: string | null
}

/** App fields; always null on web streams. */
export interface Ga4AppInfo {
  id: string | null
  version: string | null
  install_store: string | null
  firebase_app_id: string | null
  install_source: string | null
}

/** One GA4 export row: the 23 columns of the 2020-21 export (newer optional columns are left out). */
export interface Ga4Event {
  /** 'YYYYMMDD' */
  event_date: string
  /** Microseconds since the epoch, UTC. */
  event_timestamp: number
  event_name: string
  event_params: Ga4EventParam[]
  event_previous_timestamp: number | null
  event_value_in_usd: number | null
  event_bundle_sequence_id: number | null
  event_server_timestamp_offset: number | null
  user_id: string | null
  user_pseudo_id: string
  privacy_info: Ga4PrivacyInfo | null
  user_properties: Ga4UserProperty[]
  /** Microseconds since the epoch, UTC. */
  user_first_touch_timestamp: number | null
  user_ltv: Ga4UserLtv | null
  device: Ga4Device | null
  geo: Ga4Geo | null
  app_info: Ga4AppInfo | null
  traffic_source: Ga4TrafficSource | null
  /** A string in the export schema; the public sample writes it as a number, which DuckDB casts. */
  stream_id: string | null
  platform: string | null
  event_dimensions: { hostname: string | null } | null
  ecommerce: Ga4Ecommerce | null
  items: Ga4Item[]
}
