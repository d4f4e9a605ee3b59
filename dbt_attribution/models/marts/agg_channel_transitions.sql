{{ config(
    materialized='table' if target.type == 'bigquery' else 'incremental',
    incremental_strategy=attribution_incremental_strategy(),
    partition_by={'field': 'journey_date', 'data_type': 'date', 'granularity': 'day'} if target.type == 'bigquery' else none,
    cluster_by=['conversion_event_name'] if target.type == 'bigquery' else none,
    pre_hook="{{ delete_rows_of_changed_users() }}"
) }}
{#-
    Channel-to-channel transition counts of every journey for every lookback 1..90, for the
    data-driven model (a first-order Markov chain the app solves per request, src/shared/markov.ts).
    A converting journey is a conversion's eligible sessions at a lookback, oldest first:
    (start) -> first channel -> ... -> last channel -> (conversion); the lookback ranges are
    fct_attribution_credits' (its linear rows hold every eligible session once). A non-converting
    journey is a user's sessions after their last conversion of any allowed event, ending in (null);
    its lookback counts back from its newest session and it is dated by that session's UTC date.
    Conversions with no eligible session have no journey (the app credits them to Unassigned).
    Rows are per user, so the embedded warehouse's incremental runs rebuild only the users with new
    events (its refresh loop runs every few seconds while events stream); BigQuery rebuilds the
    table. The app answers a lookback L and a choice of events with
    `where L between min_lookback_days and max_lookback_days
        and (conversion_event_name is null or conversion_event_name in (...))` summed by (from, to).
-#}
{%- set max_days = max_lookback_days() %}
-- depends_on: {{ ref('int_users_changed') }}

with

converting_steps as (

    select
        user_key,
        conversion_date as journey_date,
        conversion_event_name,
        conversion_id as journey_id,
        min_lookback_days,
        max_lookback_days,
        touch_position,
        touches,
        channel
    from {{ ref('fct_attribution_credits') }}
    where attribution_model = 'linear'
        and touches > 0
        {%- if is_incremental() %}
        and user_key in (select user_key from {{ ref('int_users_changed') }})
        {%- endif %}

),

last_conversions as (

    select
        user_key,
        max(converted_micros) as last_converted_micros
    from {{ ref('int_conversions_deduplicated') }}
    {%- if is_incremental() %}
    where user_key in (select user_key from {{ ref('int_users_changed') }})
    {%- endif %}
    group by user_key

),

trailing_sessions as (

    select
        sessions.user_key,
        sessions.session_key,
        sessions.ga_session_id,
        sessions.session_started_at,
        sessions.session_started_micros,
        sessions.channel,
        max(sessions.session_started_micros) over (partition by sessions.user_key) as anchor_micros
    from {{ ref('int_sessions_classified') }} as sessions
    left join last_conversions
        on sessions.user_key = last_conversions.user_key
    where (
        last_conversions.user_key is null
        or sessions.session_started_micros > last_conversions.last_converted_micros
    )
    {%- if is_incremental() %}
        and sessions.user_key in (select user_key from {{ ref('int_users_changed') }})
    {%- endif %}

),

trailing_touchpoints as (

    select
        *,
        greatest(1, {{ ceil_div('anchor_micros - session_started_micros', micros_per_day()) }}) as lookback_days_needed,
        max(session_started_at) over (partition by user_key) as anchor_at
    from trailing_sessions
    where session_started_micros >= anchor_micros - {{ max_days * micros_per_day() }}

),

trailing_range_starts as (

    select distinct
        user_key,
        lookback_days_needed as min_lookback_days
    from trailing_touchpoints

),

trailing_ranges as (

    select
        user_key,
        min_lookback_days,
        coalesce(
            lead(min_lookback_days) over (partition by user_key order by min_lookback_days),
            {{ max_days + 1 }}
        ) - 1 as max_lookback_days
    from trailing_range_starts

),

nonconverting_steps as (

    select
        trailing_touchpoints.user_key,
        cast(trailing_touchpoints.anchor_at as date) as journey_date,
        cast(null as {{ dbt.type_string() }}) as conversion_event_name,
        trailing_touchpoints.user_key as journey_id,
        trailing_ranges.min_lookback_days,
        trailing_ranges.max_lookback_days,
        row_number() over (
            partition by trailing_ranges.user_key, trailing_ranges.min_lookback_days
            order by trailing_touchpoints.session_started_micros, trailing_touchpoints.ga_session_id, trailing_touchpoints.session_key
        ) as touch_position,
        count(*) over (
            partition by trailing_ranges.user_key, trailing_ranges.min_lookback_days
        ) as touches,
        trailing_touchpoints.channel
    from trailing_ranges
    inner join trailing_touchpoints
        on trailing_ranges.user_key = trailing_touchpoints.user_key
        and trailing_touchpoints.lookback_days_needed <= trailing_ranges.min_lookback_days

),

steps as (

    select *, '(conversion)' as end_state from converting_steps
    union all
    select *, '(null)' as end_state from nonconverting_steps

),

transitions as (

    select
        user_key,
        journey_date,
        conversion_event_name,
        min_lookback_days,
        max_lookback_days,
        coalesce(
            lag(channel) over (
                partition by journey_id, conversion_event_name, min_lookback_days
                order by touch_position
            ),
            '(start)'
        ) as from_state,
        channel as to_state
    from steps

    union all

    select
        user_key,
        journey_date,
        conversion_event_name,
        min_lookback_days,
        max_lookback_days,
        channel as from_state,
        end_state as to_state
    from steps
    where touch_position = touches

),

final as (

    select
        user_key,
        journey_date,
        conversion_event_name,
        min_lookback_days,
        max_lookback_days,
        from_state,
        to_state,
        count(*) as transitions
    from transitions
    group by user_key, journey_date, conversion_event_name, min_lookback_days, max_lookback_days, from_state, to_state

)

select * from final
{{ order_by_for_pruning(['user_key']) }}
