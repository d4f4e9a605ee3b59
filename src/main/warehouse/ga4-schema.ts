/**
 * The GA4 BigQuery export schema as DuckDB column types: the one definition that the
 * warehouse tables, the JSON reader and the import cast all use.
 * Optional newer export columns are listed last; real 2020-21 exports lack them.
 */

const PARAM_VALUE = 'STRUCT(string_value VARCHAR, int_value BIGINT, float_value DOUBLE, double_value DOUBLE)'

const ITEM = `STRUCT(
  item_id VARCHAR, item_name VARCHAR, item_brand VARCHAR, item_variant VARCHAR,
  item_category VARCHAR, item_category2 VARCHAR, item_category3 VARCHAR, item_category4 VARCHAR, item_category5 VARCHAR,
  price_in_usd DOUBLE, price DOUBLE, quantity BIGINT, item_revenue_in_usd DOUBLE, item_revenue DOUBLE,
  item_refund_in_usd DOUBLE, item_refund DOUBLE, coupon VARCHAR, affiliation VARCHAR, location_id VARCHAR,
  item_list_id VARCHAR, item_list_name VARCHAR, item_list_index VARCHAR, promotion_id VARCHAR,
  promotion_name VARCHAR, creative_name VARCHAR, creative_slot VARCHAR,
  item_params STRUCT("key" VARCHAR, "value" ${PARAM_VALUE})[])`

const MANUAL_SOURCE = `STRUCT(campaign_id VARCHAR, campaign_name VARCHAR, "source" VARCHAR, medium VARCHAR,
  term VARCHAR, content VARCHAR, source_platform VARCHAR, creative_format VARCHAR, marketing_tactic VARCHAR)`

/** The columns of exports before 2023 (the public GA4 sample's), name to DuckDB type, in the export's order. */
export const CLASSIC_GA4_COLUMNS: ReadonlyArray<readonly [name: string, type: string]> = [
  ['event_date', 'VARCHAR'],
  ['event_timestamp', 'BIGINT'],
  ['event_name', 'VARCHAR'],
  ['event_params', `STRUCT("key" VARCHAR, "value" ${PARAM_VALUE})[]`],
  ['event_previous_timestamp', 'BIGINT'],
  ['event_value_in_usd', 'DOUBLE'],
  ['event_bundle_sequence_id', 'BIGINT'],
  ['event_server_timestamp_offset', 'BIGINT'],
  ['user_id', 'VARCHAR'],
  ['user_pseudo_id', 'VARCHAR'],
  ['privacy_info', 'STRUCT(analytics_storage VARCHAR, ads_storage VARCHAR, uses_transient_token VARCHAR)'],
  [
    'user_properties',
    'STRUCT("key" VARCHAR, "value" STRUCT(string_value VARCHAR, int_value BIGINT, float_value DOUBLE, double_value DOUBLE, set_timestamp_micros BIGINT))[]',
  ],
  ['user_first_touch_timestamp', 'BIGINT'],
  ['user_ltv', 'STRUCT(revenue DOUBLE, currency VARCHAR)'],
  [
    'device',
    `STRUCT(category VARCHAR, mobile_brand_name VARCHAR, mobile_model_name VARCHAR, mobile_marketing_name VARCHAR,
  mobile_os_hardware_model VARCHAR, operating_system VARCHAR, operating_system_version VARCHAR, vendor_id VARCHAR,
  advertising_id VARCHAR, "language" VARCHAR, is_limited_ad_tracking VARCHAR, time_zone_offset_seconds BIGINT,
  browser VARCHAR, browser_version VARCHAR, web_info STRUCT(browser VARCHAR, browser_version VARCHAR, hostname VARCHAR))`,
  ],
  ['geo', 'STRUCT(city VARCHAR, country VARCHAR, continent VARCHAR, region VARCHAR, sub_continent VARCHAR, metro VARCHAR)'],
  ['app_info', 'STRUCT(id VARCHAR, "version" VARCHAR, install_store VARCHAR, firebase_app_id VARCHAR, install_source VARCHAR)'],
  ['traffic_source', 'STRUCT("name" VARCHAR, medium VARCHAR, "source" VARCHAR)'],
  ['stream_id', 'VARCHAR'],
  ['platform', 'VARCHAR'],
  ['event_dimensions', 'STRUCT(hostname VARCHAR)'],
  [
    'ecommerce',
    `STRUCT(total_item_quantity BIGINT, purchase_revenue_in_usd DOUBLE, purchase_revenue DOUBLE,
  refund_value_in_usd DOUBLE, refund_value DOUBLE, shipping_value_in_usd DOUBLE, shipping_value DOUBLE,
  tax_value_in_usd DOUBLE, tax_value DOUBLE, unique_items BIGINT, transaction_id VARCHAR)`,
  ],
  ['items', `${ITEM}[]`],
]

/** Column name to DuckDB type, in the export's column order. */
export const GA4_COLUMNS: ReadonlyArray<readonly [name: string, type: string]> = [
  ...CLASSIC_GA4_COLUMNS,
  // Newer export columns (2023+): allowed, never required.
  [
    'collected_traffic_source',
    `STRUCT(manual_campaign_id VARCHAR, manual_campaign_name VARCHAR, manual_source VARCHAR, manual_medium VARCHAR,
  manual_term VARCHAR, manual_content VARCHAR, manual_source_platform VARCHAR, manual_creative_format VARCHAR,
  manual_marketing_tactic VARCHAR, gclid VARCHAR, dclid VARCHAR, srsltid VARCHAR)`,
  ],
  ['is_active_user', 'BOOLEAN'],
  ['batch_event_index', 'BIGINT'],
  ['batch_ordering_id', 'BIGINT'],
  ['batch_page_id', 'BIGINT'],
  [
    'session_traffic_source_last_click',
    `STRUCT(manual_campaign ${MANUAL_SOURCE},
  google_ads_campaign STRUCT(customer_id VARCHAR, account_name VARCHAR, campaign_id VARCHAR, campaign_name VARCHAR,
    ad_group_id VARCHAR, ad_group_name VARCHAR),
  cross_channel_campaign ${MANUAL_SOURCE.replace('STRUCT(', 'STRUCT(default_channel_group VARCHAR, primary_channel_group VARCHAR, ')})`,
  ],
]

/** Names of the columns every GA4 export has; a file without them is not a GA4 export. */
export const REQUIRED_GA4_COLUMNS = ['event_date', 'event_timestamp', 'event_name', 'event_params', 'user_pseudo_id'] as const

/** The column list of a CREATE TABLE statement. */
export function ga4ColumnsDdl(): string {
  return GA4_COLUMNS.map(([name, type]) => `"${name}" ${type}`).join(',\n  ')
}

/** The `columns` argument of DuckDB's read_json: a struct literal of name to type. */
export function ga4JsonColumns(): string {
  return `{${GA4_COLUMNS.map(([name, type]) => `'${name}': '${type.replace(/\s+/g, ' ').replace(/'/g, "''")}'`).join(', ')}}`
}
