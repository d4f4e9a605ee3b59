{{ config(
    materialized='incremental',
    unique_key=attribution_unique_key(['conversion_id', 'attribution_model', 'min_lookback_days']),
    incremental_strategy=attribution_incremental_strategy(),
    partition_by={'field': 'conversion_date', 'data_type': 'date', 'granularity': 'day'} if target.type == 'bigquery' else none,
    cluster_by=['attribution_model', 'conversion_event_name', 'channel', 'user_key'] if target.type == 'bigquery' else none,
    pre_hook="{{ delete_recent_rows_of_changed_users('conversion_facts') }}"
) }}
{#-
    Credits for every lookback 1..90 at once, as inclusive day ranges per conversion and model.
    A session that needs `n` days (lag <= n days) is eligible from lookback n on. First click at L
    is the earliest eligible session, so a session holds first click from its own n up to the
    smallest n of any session ordered before it, minus one. Last click at L is the latest session
    when it is eligible (it has the smallest lag), from its n to 90. Below the smallest n of a
    conversion nothing is eligible and the range is credited to "(not set)".
    Incremental runs recompute the conversions of int_users_changed (see delete_rows_of_changed_users).
-#}
{%- set max_days = max_lookback_days() -%}
{#- BigQuery: only the credits of conversions from bounds.conversions_from_at on are recomputed. -#}
{%- set bounds = bigquery_refresh_bounds() if is_incremental() else none -%}
-- depends_on: {{ ref('int_users_changed') }}

with

conversions as (

    select
        conversion_id,
        conversion_event_name,
        converted_at,
        conversion_date,
        user_key,
        revenue_usd
    from {{ ref('int_conversions_deduplicated') }}
    {%- if is_incremental() %}
    where user_key in (select user_key from {{ ref('int_users_changed') }})
    {%- endif %}
    {%- if bounds is not none %}
        and {{ recent_rows_condition('conversion_facts', bounds) }}
    {%- endif %}

),

touchpoints as (

    select
        conversion_id,
        session_key,
        ga_session_id,
        session_started_at,
        session_started_micros,
        lookback_days_needed,
        source,
        medium,
        campaign,
        channel
    from {{ ref('int_touchpoints_joined_to_conversions') }}
    {%- if is_incremental() %}
    where user_key in (select user_key from {{ ref('int_users_changed') }})
    {%- endif %}
    {%- if bounds is not none %}
        and {{ recent_rows_condition('touchpoints', bounds) }}
    {%- endif %}

),

attribution_models as (

    select 'first_click' as attribution_model
    union all
    select 'last_click' as attribution_model

),

touchpoints_ordered as (

    select
        *,
        -- Same order as fct_attributed_conversions: start, then ga_session_id, then session_key.
        min(lookback_days_needed) over (
            partition by conversion_id
            order by session_started_micros, ga_session_id, session_key
            rows between unbounded preceding and 1 preceding
        ) as earlier_sessions_min_days_needed,
        row_number() over (
            partition by conversion_id
            order by session_started_micros desc, ga_session_id desc, session_key desc
        ) as recency_rank
    from touchpoints

),

first_click_ranges as (

    select
        conversion_id,
        'first_click' as attribution_model,
        lookback_days_needed as min_lookback_days,
        coalesce(earlier_sessions_min_days_needed, {{ max_days + 1 }}) - 1 as max_lookback_days,
        session_key,
        ga_session_id,
        session_started_at,
        source,
        medium,
        campaign,
        channel
    from touchpoints_ordered
    where lookback_days_needed < coalesce(earlier_sessions_min_days_needed, {{ max_days + 1 }})

),

last_click_ranges as (

    select
        conversion_id,
        'last_click' as attribution_model,
        lookback_days_needed as min_lookback_days,
        {{ max_days }} as max_lookback_days,
        session_key,
        ga_session_id,
        session_started_at,
        source,
        medium,
        campaign,
        channel
    from touchpoints_ordered
    where recency_rank = 1

),

conversion_min_days_needed as (

    select
        conversion_id,
        min(lookback_days_needed) as min_days_needed
    from touchpoints
    group by conversion_id

),

unattributed_ranges as (

    select
        conversions.conversion_id,
        attribution_models.attribution_model,
        1 as min_lookback_days,
        coalesce(conversion_min_days_needed.min_days_needed, {{ max_days + 1 }}) - 1 as max_lookback_days,
        cast(null as {{ dbt.type_string() }}) as session_key,
        cast(null as {{ dbt.type_bigint() }}) as ga_session_id,
        cast(null as {{ dbt.type_timestamp() }}) as session_started_at,
        '(not set)' as source,
        '(not set)' as medium,
        '(not set)' as campaign,
        'Unassigned' as channel
    from conversions
    cross join attribution_models
    left join conversion_min_days_needed
        on conversions.conversion_id = conversion_min_days_needed.conversion_id
    where coalesce(conversion_min_days_needed.min_days_needed, {{ max_days + 1 }}) > 1

),

ranges as (

    select * from first_click_ranges
    union all
    select * from last_click_ranges
    union all
    select * from unattributed_ranges

),

final as (

    select
        ranges.conversion_id,
        conversions.conversion_event_name,
        ranges.attribution_model,
        ranges.min_lookback_days,
        ranges.max_lookback_days,
        conversions.converted_at,
        conversions.conversion_date,
        conversions.user_key,
        conversions.revenue_usd,
        ranges.session_key as credited_session_key,
        ranges.ga_session_id as credited_ga_session_id,
        ranges.session_started_at as credited_session_started_at,
        ranges.source,
        ranges.medium,
        ranges.campaign,
        ranges.channel
    from ranges
    inner join conversions
        on ranges.conversion_id = conversions.conversion_id

)

select * from final
{{ order_by_for_pruning(['user_key', 'conversion_id']) }}
