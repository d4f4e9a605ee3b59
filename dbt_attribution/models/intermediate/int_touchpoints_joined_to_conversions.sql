{#- is_incremental() here is the project's: dbt's own, except false offline (docs/dbt-notes.md, "Where this project departs from plain dbt"). -#}
{{ config(
    materialized='incremental',
    unique_key=attribution_unique_key('touchpoint_key'),
    incremental_strategy=attribution_incremental_strategy(),
    partition_by={'field': 'session_started_at', 'data_type': 'timestamp', 'granularity': 'day'} if target.type == 'bigquery' else none,
    cluster_by=['user_key'] if target.type == 'bigquery' else none,
    pre_hook="{{ delete_recent_rows_of_changed_users('touchpoints', extra_condition=newly_modelled_rows_condition()) }}"
) }}
{#-
    Every (conversion, session) pair within the largest lookback; the marts pick from these.
    Incremental runs recompute the pairs of int_users_changed and add those of newly modelled events.
    BigQuery: only the changed users' pairs of conversions from bounds.conversions_from_at on are recomputed.
-#}
{%- set bounds = bigquery_refresh_bounds() if is_incremental() else none %}
-- depends_on: {{ ref('int_users_changed') }}

with

conversions as (

    select
        conversion_id,
        conversion_event_name,
        user_key,
        converted_micros
        {%- if is_incremental() %},
        conversion_event_name in {{ newly_modelled_conversion_events_sql() }} as is_newly_modelled
        {%- endif %}
    from {{ ref('int_conversions_deduplicated') }}
    {%- if is_incremental() %}
    where (
        (
            user_key in (select user_key from {{ ref('int_users_changed') }})
            {%- if bounds is not none %}
            and conversion_date >= {{ bounds['conversions_from_date'] }}
            and converted_micros >= {{ bounds['conversions_from_micros'] }}
            {%- endif %}
        )
        or conversion_event_name in {{ newly_modelled_conversion_events_sql() }}
    )
    {%- endif %}

),

sessions as (

    select
        session_key,
        user_key,
        ga_session_id,
        session_started_at,
        session_started_micros,
        source,
        medium,
        campaign,
        campaign_id,
        channel
        {%- if bounds is not none %},
        -- BigQuery: a changed user's pairs are recomputed with recent sessions only; a new event's with all.
        user_key in (select user_key from {{ ref('int_users_changed') }})
            and session_started_at >= {{ bounds['touchpoint_sessions_from_at'] }} as is_recent_of_changed_user
        {%- endif %}
    from {{ ref('int_sessions_classified') }}
    {%- if is_incremental() %}
    where user_key in (select user_key from conversions)
    {%- endif %}

),

paired as (

    select
        conversions.conversion_id,
        conversions.conversion_event_name,
        conversions.user_key,
        sessions.session_key,
        sessions.ga_session_id,
        sessions.session_started_at,
        sessions.session_started_micros,
        conversions.converted_micros - sessions.session_started_micros as lag_micros,
        sessions.source,
        sessions.medium,
        sessions.campaign,
        sessions.campaign_id,
        sessions.channel
    from conversions
    inner join sessions
        on conversions.user_key = sessions.user_key
        -- Both window ends are inclusive: the converting session and one started exactly L days before count.
        and sessions.session_started_micros <= conversions.converted_micros
        and sessions.session_started_micros
            >= conversions.converted_micros - {{ max_lookback_days() * micros_per_day() }}
    {%- if bounds is not none %}
    where conversions.is_newly_modelled or sessions.is_recent_of_changed_user
    {%- endif %}

),

final as (

    select
        conversion_id || '|' || session_key as touchpoint_key,
        conversion_id,
        conversion_event_name,
        user_key,
        session_key,
        ga_session_id,
        session_started_at,
        session_started_micros,
        lag_micros,
        -- The smallest whole-day lookback at which this session is eligible.
        greatest(1, {{ ceil_div('lag_micros', micros_per_day()) }}) as lookback_days_needed,
        source,
        medium,
        campaign,
        campaign_id,
        channel
    from paired

)

select * from final
{{ order_by_for_pruning(['user_key', 'conversion_id']) }}
