{%- set conversion_events = attribution_conversion_events() -%}
{#- Built after agg_channel_transitions (the depends_on below), not beside it: at 100M events the two are the
    build's largest queries at its end, and together they went 2 GiB past DuckDB's memory limit (docs/benchmarks.md). -#}
-- depends_on: {{ ref('agg_channel_transitions') }}

with

raw_day_events as (

    {{ ga4_day_events_count_sql() }}

),

raw_intraday_events as (
{%- if ga4_has_intraday_tables() %}

    select count(*) as raw_events
    from {{ source('ga4', 'events_intraday') }}
    where {{ ga4_events_filter(is_intraday=true) }}
{%- else %}

    -- The GA4 dataset has no events_intraday_* tables (a wildcard matching none fails).
    select cast(0 as {{ dbt.type_bigint() }}) as raw_events
{%- endif %}

),

-- Raw rows staging set aside (macro ga4_row_is_usable): counted here, never built on.
set_aside_events as (

    {{ ga4_set_aside_events_count_sql() }}

),

unique_events as (

    select
        count(*) as unique_events,
        cast(sum(case when user_key is null then 1 else 0 end) as {{ dbt.type_bigint() }}) as events_without_user_key,
        cast(sum(
            case
                when event_name = 'purchase' and transaction_id is null then 1
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as purchases_without_transaction_id
    from {{ ref('stg_ga4__events') }}

),

-- Devices joined to a signed-in person by user-id stitching (none when it is off).
stitched_devices as (

    select
        {%- if attribution_user_id_stitching() %}
        count(*) as stitched_devices,
        count(distinct person_key) as stitched_users
        {%- else %}
        cast(0 as {{ dbt.type_bigint() }}) as stitched_devices,
        cast(0 as {{ dbt.type_bigint() }}) as stitched_users
        {%- endif %}
    from {{ ref('int_devices_stitched') }}

),

-- Conversions of the chosen events: one last-click row each at the longest lookback, which
-- is credited to no session only when none started in the 90 days before (Unassigned at every lookback).
attributed_conversions as (

    select
        count(*) as conversions,
        cast(sum(case when credited_session_key is null then 1 else 0 end) as {{ dbt.type_bigint() }})
            as conversions_without_eligible_session
    from {{ ref('fct_attribution_credits') }}
    where attribution_model = 'last_click'
        and conversion_event_name in ({{ conversion_events_sql(conversion_events) }})
        and {{ max_lookback_days() }} between min_lookback_days and max_lookback_days

),

final as (

    select
        '{{ conversion_events | join(",") }}' as conversion_events,
        raw_day_events.raw_events + raw_intraday_events.raw_events as raw_events,
        raw_day_events.raw_events + raw_intraday_events.raw_events - coalesce(set_aside_events.set_aside_events, 0)
            - unique_events.unique_events as duplicate_events_removed,
        set_aside_events.set_aside_events as events_set_aside,
        unique_events.unique_events,
        coalesce(unique_events.events_without_user_key, 0) as events_without_user_key,
        attributed_conversions.conversions,
        coalesce(attributed_conversions.conversions_without_eligible_session, 0)
            as conversions_without_eligible_session,
        coalesce(unique_events.purchases_without_transaction_id, 0) as purchases_without_transaction_id,
        {{ 'true' if attribution_user_id_stitching() else 'false' }} as is_user_id_stitching_on,
        stitched_devices.stitched_devices,
        stitched_devices.stitched_users
    from raw_day_events
    cross join raw_intraday_events
    cross join set_aside_events
    cross join unique_events
    cross join attributed_conversions
    cross join stitched_devices

)

select * from final
