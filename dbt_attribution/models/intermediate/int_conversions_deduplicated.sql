{#- is_incremental() here is the project's: dbt's own, except false offline (docs/dbt-notes.md, "Where this project departs from plain dbt"). -#}
{{ config(
    materialized='incremental',
    unique_key=attribution_unique_key('conversion_id'),
    incremental_strategy=attribution_incremental_strategy(),
    partition_by={'field': 'conversion_date', 'data_type': 'date', 'granularity': 'day'} if target.type == 'bigquery' else none,
    cluster_by=['user_key'] if target.type == 'bigquery' else none,
    pre_hook="{{ delete_recent_rows_of_changed_users('conversions', extra_condition=newly_modelled_rows_condition()) }}"
) }}
{#-
    Every modelled conversion event (int_conversion_events_modelled), so fct_attribution_credits can
    serve any choice among them. Incremental runs recompute the conversions of int_users_changed,
    de-duplicating each of their transaction ids over every user's purchases, as a full build does,
    and add a newly modelled event's conversions of every user.
-#}
{#- conversion_id is the event's key as text: the app's feed matches it to staged events. -#}
{%- set event_columns -%}
        {{ event_key_text('event_id', 'event_key') }} as event_key,
        event_name,
        event_timestamp_micros,
        event_date,
        user_key as device_key,
        stream_id,
        ga_session_id,
        transaction_id,
        purchase_revenue_in_usd,
        event_value_in_usd,
        usd_value_param
{%- endset %}
-- depends_on: {{ ref('int_users_changed') }}, {{ ref('int_devices_stitched') }}
{%- set modelled_events = '(select conversion_event_name from ' ~ ref('int_conversion_events_modelled') ~ ')' %}
{#-
    BigQuery: only conversions from bounds.recompute_from_date on are recomputed; earlier ones
    precede every new event, so no new purchase can take their transaction. An earlier stored
    winner of a transaction beats every recent purchase of it.
-#}
{%- set bounds = bigquery_refresh_bounds() if is_incremental() else none %}

with
{%- if is_incremental() %}

changed_users as (

    select user_key from {{ ref('int_users_changed') }}

),

-- The devices of those users (persons): the events to read.
changed_devices as (

    {{ changed_devices_sql() }}

),

new_events as (

    select conversion_event_name from {{ newly_modelled_conversion_events_sql() }} as newly_modelled

),

changed_user_events as (

    select
        {{ event_columns }}
    from {{ ref('stg_ga4__events') }}
    where event_name in {{ modelled_events }}
        and user_key is not null
        and (
            (
                user_key in (select device_key from changed_devices)
                {%- if bounds is not none %}
                and event_date >= {{ bounds['recompute_from_date'] }}
                {%- endif %}
            )
            -- A newly modelled event: every device's.
            or event_name in (select conversion_event_name from new_events)
        )

),

changed_transactions as (

    select distinct transaction_id
    from changed_user_events
    where event_name = 'purchase'
        and transaction_id is not null

),

-- Other users' purchases of those transactions compete for the earliest; read them too.
shared_transaction_events as (

    select
        {{ event_columns }}
    from {{ ref('stg_ga4__events') }}
    where event_name = 'purchase'
        and transaction_id in (select transaction_id from changed_transactions)
        and user_key is not null
        and user_key not in (select device_key from changed_devices)
        {%- if bounds is not none %}
        and event_date >= {{ bounds['recompute_from_date'] }}
        {%- endif %}

),
{%- if bounds is not none %}

-- Transactions already won before the recomputed partitions: their recent purchases lose.
earlier_won_transactions as (

    select distinct transaction_id
    from {{ this }}
    where conversion_date < {{ bounds['recompute_from_date'] }}
        and conversion_event_name = 'purchase'
        and transaction_id in (select transaction_id from changed_transactions)

),
{%- endif %}

events as (

    select * from changed_user_events
    union all
    select * from shared_transaction_events

),
{%- else %}

events as (

    select
        {{ event_columns }}
    from {{ ref('stg_ga4__events') }}
    where event_name in {{ modelled_events }}
        -- Events without any user key cannot be attributed; rpt_data_quality counts them.
        and user_key is not null

),
{%- endif %}

keyed as (

    select
        events.*,
        {{ person_of_device_sql('events.device_key', 'stitched.person_key') }} as user_key,
        -- Purchases sharing a transaction id are one purchase; those without one (staging resolved
        -- '(not set)' and empty ids to NULL) stay separate.
        case
            when event_name = 'purchase' and transaction_id is not null
                then 'purchase|' || transaction_id
            else event_key
        end as conversion_dedupe_key
    from events
    {%- if attribution_user_id_stitching() %}
    left join {{ ref('int_devices_stitched') }} as stitched
        on events.device_key = stitched.device_key
    {%- endif %}

),

deduplicated as (

    {{ deduplicate_rows(
        'keyed',
        partition_by='conversion_dedupe_key',
        order_by=['event_timestamp_micros', 'event_key'],
        columns=[
            'event_key', 'event_name', 'event_timestamp_micros', 'event_date', 'user_key',
            'device_key', 'stream_id', 'ga_session_id', 'transaction_id', 'purchase_revenue_in_usd', 'event_value_in_usd',
            'usd_value_param'
        ]
    ) }}

),

final as (

    select
        event_key as conversion_id,
        event_name as conversion_event_name,
        {{ timestamp_from_micros('event_timestamp_micros') }} as converted_at,
        event_timestamp_micros as converted_micros,
        event_date as conversion_date,
        user_key,
        -- A session is a device's: its key is the device's, as in int_sessions_classified.
        {{ session_key_sql('device_key', 'ga_session_id') }} as session_key,
        -- The stream the conversion happened in: reports filtered to a stream count its conversions.
        stream_id,
        ga_session_id,
        transaction_id,
        -- Purchases: their revenue; other key events: event_value_in_usd, else a USD `value` param; else 0.
        {{ to_money(
            "case when event_name = 'purchase' then purchase_revenue_in_usd else coalesce(event_value_in_usd, usd_value_param) end"
        ) }} as revenue_usd
    from deduplicated
    {%- if is_incremental() %}
    -- Another user's winner is that user's row: unchanged, or that user is in int_users_changed too.
    where (user_key in (select user_key from changed_users) or event_name in (select conversion_event_name from new_events))
    {%- if bounds is not none %}
        and not (
            event_name = 'purchase'
            and transaction_id in (select transaction_id from earlier_won_transactions)
        )
    {%- endif %}
    {%- endif %}

)

select * from final
{{ order_by_for_pruning(['user_key', 'converted_micros']) }}
