{#- is_incremental() here is the project's: dbt's own, except false offline (docs/dbt-notes.md, "Where this project departs from plain dbt"). -#}
{{ config(
    materialized='incremental',
    unique_key='event_key',
    incremental_strategy='merge' if target.type == 'bigquery' else 'delete+insert',
    partition_by={'field': 'event_date', 'data_type': 'date', 'granularity': 'day'} if target.type == 'bigquery' else none,
    cluster_by=['user_key', 'event_name'] if target.type == 'bigquery' else none,
    sql_header=bigquery_staging_sql_header() if target.type == 'bigquery' else none,
    incremental_predicates=bigquery_staging_incremental_predicates() if target.type == 'bigquery' else none,
    post_hook=[] if target.type == 'bigquery' else [
        "{{ stamp_staging_event_key_scheme(copies_pending=true) }}",
        {'sql': "{{ delete_repeated_rows(this, 'event_key', ['is_intraday', 'event_timestamp_micros', 'load_seq'], where='loaded_at = ' ~ run_started_at_sql()) }}", 'transaction': false},
        {'sql': "{{ stamp_staging_event_key_scheme() }}", 'transaction': false}
    ]
) }}
{#-
    DuckDB's hooks: the load is committed stamped "copies pending"; after the commit the repeated
    copies among its rows are deleted (inside the load's transaction the deletes made its commit
    3.5 s slower at 4.3M events) and the stamp is set. A build stopped in between leaves the
    pending stamp, and the next one rebuilds staging in full (staging_event_key_scheme_outdated).
-#}

{#- Which raw rows this run reads: all of them, or a window of recent ones (macro staging_load_plan). -#}
{%- set load_plan = staging_load_plan() -%}

{#- The columns kept of each event, after its dedup_key. -#}
{%- set staged_columns = [
    'event_id', 'event_name', 'event_timestamp_micros', 'event_date_text', 'has_user_pseudo_id',
    'user_key', 'ga_session_id', 'source', 'medium', 'campaign', 'campaign_id', 'gclid', 'dclid',
    'signed_in_user_id', 'stream_id', 'platform', 'has_ignore_referrer',
    'ecommerce_transaction_id', 'param_transaction_id', 'ecommerce_purchase_revenue_in_usd',
    'event_value_in_usd', 'usd_value_param', 'is_intraday', 'load_seq'
] -%}

{%- set event_columns -%}
        event_date,
        event_timestamp,
        event_name,
        event_params,
        event_bundle_sequence_id,
        event_value_in_usd,
        user_pseudo_id,
        user_id,
        stream_id,
        platform,
        ecommerce.purchase_revenue_in_usd as ecommerce_purchase_revenue_in_usd,
        ecommerce.transaction_id as ecommerce_transaction_id,
        {{ ga4_load_seq_column() }} as load_seq
{%- endset -%}

with

day_events as (

    select
        {{ event_columns }},
        {{- ga4_traffic_source_fields(is_intraday=false) }},
        false as is_intraday
    from {{ source('ga4', 'events') }}
    where {{ ga4_events_filter(is_intraday=false, load_plan=load_plan) }}
        -- Rows no build could use (a NaN revenue, a year-3000 timestamp) are set aside; rpt_data_quality counts them.
        and {{ ga4_raw_row_is_usable() }}

),

intraday_events as (
{%- if ga4_has_intraday_tables() %}

    select
        {{ event_columns }},
        {{- ga4_traffic_source_fields(is_intraday=true) }},
        true as is_intraday
    from {{ source('ga4', 'events_intraday') }}
    where {{ ga4_events_filter(is_intraday=true, load_plan=load_plan) }}
        and {{ ga4_raw_row_is_usable() }}
{%- else %}

    -- The GA4 dataset has no events_intraday_* tables (e.g. Google's public sample).
    {{ ga4_empty_events_sql(is_intraday=true) }}
{%- endif %}

),

events_unioned as (

    select * from day_events
    union all
    select * from intraday_events

),

{%- set param_keys = ['event_id', 'ga_session_id', 'source', 'medium', 'campaign', 'campaign_id', 'gclid', 'transaction_id', 'value', 'currency'] %}
{#- The tag's ignore_referrer flag (an unwanted referral the page itself named). -#}
{%- do param_keys.append('ignore_referrer') %}

params_narrowed as (

    select
        *,
        {{ ga4_params_subset('event_params', param_keys) }} as needed_params,
        {{ ga4_params_digest('event_params') }} as params_digest
    from events_unioned

),

-- Params are read once here; every later model works on plain columns.
params_extracted as (

    select
        event_date as event_date_text,
        event_timestamp as event_timestamp_micros,
        event_name,
        event_bundle_sequence_id,
        event_value_in_usd,
        user_pseudo_id,
        user_id,
        stream_id,
        platform,
        ecommerce_purchase_revenue_in_usd,
        ecommerce_transaction_id,
        is_intraday,
        load_seq,
        {{ ga4_param_string('needed_params', 'event_id') }} as event_id,
        {{ ga4_param_int('needed_params', 'ga_session_id') }} as ga_session_id,
        {{ ga4_param_string('needed_params', 'source') }} as param_source,
        {{ ga4_param_string('needed_params', 'medium') }} as param_medium,
        {{ ga4_param_string('needed_params', 'campaign') }} as param_campaign,
        {{ ga4_param_text('needed_params', 'campaign_id') }} as param_campaign_id,
        {{ ga4_param_string('needed_params', 'gclid') }} as param_gclid,
        collected_source,
        collected_medium,
        collected_campaign,
        collected_campaign_id,
        collected_gclid,
        collected_dclid,
        google_ads_campaign_name,
        {{ ga4_param_text('needed_params', 'transaction_id') }} as param_transaction_id,
        -- A key event's own value: its `value` param counts only in USD (no currency conversion).
        case
            when upper(trim({{ ga4_param_string('needed_params', 'currency') }})) = 'USD'
                then {{ ga4_param_number('needed_params', 'value') }}
        end as usd_value_param,
        coalesce(lower(trim({{ ga4_param_string('needed_params', 'ignore_referrer') }})) = 'true', false) as has_ignore_referrer,
        params_digest
    from params_narrowed

),

-- Each event's source, medium, campaign, campaign id, gclid and dclid: the export's collected_traffic_source
-- when it names one, else the params (macro ga4_event_traffic_source).
traffic_sourced as (

    {{ ga4_event_traffic_source('params_extracted') }}

),

keyed as (

    select
        *,
        -- A streamed event_id identifies the event; otherwise identical content does.
        {{ event_dedup_key(
            'event_id', 'user_pseudo_id', 'event_timestamp_micros', 'event_name',
            'event_bundle_sequence_id', 'params_digest'
        ) }} as dedup_key,
        -- A device: user_pseudo_id within its stream (the same id in two streams is two devices).
        {{ device_key_sql('stream_id', "coalesce(user_pseudo_id, 'anon:' || cast(ga_session_id as " ~ dbt.type_string() ~ "))") }} as user_key,
        -- When this holds user_key is the user_pseudo_id after the stream prefix, which is therefore
        -- not stored twice (~0.4 s per full build of 4.3M events); the app's feed reads it back.
        user_pseudo_id is not null as has_user_pseudo_id,
        -- A signed-in id; '' is no id (macro ga4_user_id).
        {{ ga4_user_id('user_id') }} as signed_in_user_id
    from traffic_sourced

),

-- Prefer the day table's copy: it is the export's settled version of the event; then the earliest,
-- then the copy stored first, so ties resolve as an incremental load resolves them.
deduplicated as (
{%- if target.type != 'bigquery' and load_plan['after_load_seq'] is none and not is_unit_test() %}

    -- A full load on DuckDB keeps every copy here, and a post-hook (delete_repeated_rows, same order)
    -- deletes all but the preferred one: the table is then the only copy of the rows, where a
    -- de-duplication in this statement holds them all once more (100M events: 10 GB spilled, DECISIONLOG 83).
    select
        dedup_key,
        {{ staged_columns | join(', ') }}
    from keyed
{%- else %}

    {{ deduplicate_rows(
        'keyed',
        partition_by='dedup_key',
        order_by=['is_intraday', 'event_timestamp_micros', 'load_seq'],
        keys_mostly_unique=true,
        columns=staged_columns
    ) }}
{%- endif %}

),

{%- if is_incremental() %}

{%- set stored_condition = stored_events_condition() %}

stored_events as (

    select
        event_key,
        is_intraday,
        event_timestamp_micros
    from {{ this }}
    {%- if stored_condition %}
    -- A stored copy of an event in the window has its event_date (see bigquery_staging_sql_header).
    where {{ stored_condition }}
    {%- endif %}

),

-- A new event goes in; a stored one is replaced only by a copy that sorts before it (day copy,
-- then earlier; on a tie the stored copy, loaded first), as a full build would pick. A replayed
-- event therefore changes nothing.
loadable as (

    select deduplicated.*
    from deduplicated
    left join stored_events
        on deduplicated.dedup_key = stored_events.event_key
    where stored_events.event_key is null
        or (not deduplicated.is_intraday and stored_events.is_intraday)
        or (
            deduplicated.is_intraday = stored_events.is_intraday
            and deduplicated.event_timestamp_micros < stored_events.event_timestamp_micros
        )

),
{%- else %}

loadable as (

    select * from deduplicated

),
{%- endif %}

final as (

    select
        -- The dedup key itself: an integer on DuckDB (event_key_text gives the feed's text key).
        dedup_key as event_key,
        event_id,
        event_name,
        event_timestamp_micros,
        coalesce(
            {{ parse_yyyymmdd('event_date_text') }},
            cast({{ timestamp_from_micros('event_timestamp_micros') }} as date)
        ) as event_date,
        has_user_pseudo_id,
        user_key,
        signed_in_user_id as user_id,
        stream_id,
        platform,
        ga_session_id,
        source,
        medium,
        campaign,
        -- The campaign's id (utm_id): spend with a utm_id meets conversions by it (agg_cost_and_return).
        campaign_id,
        gclid,
        dclid,
        -- Sessions skip this event's source when its medium is referral (int_sessions_classified).
        has_ignore_referrer,
        {{ resolved_transaction_id('ecommerce_transaction_id', 'param_transaction_id') }} as transaction_id,
        ecommerce_purchase_revenue_in_usd as purchase_revenue_in_usd,
        event_value_in_usd,
        usd_value_param,
        is_intraday,
        load_seq,
        -- Marks the rows of this load: int_users_changed picks the users touched since the last build.
        {{ run_started_at_sql() }} as loaded_at,
        -- Every raw row up to this load number has been read: the next incremental load starts after it.
        {{ loaded_through_seq_sql(load_plan) }} as loaded_through_seq
    from loadable

)

-- Stored in load order, unsorted (unlike the models after it): sorting 4.3M events by user costs ~2 s
-- of every full build, and saves its incremental readers only ~30 ms per scan (DECISIONLOG #37).
select * from final
