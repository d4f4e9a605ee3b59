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
    (start) -> first channel -> ... -> last channel -> (conversion). A session needing n days
    (int_touchpoints_joined_to_conversions.lookback_days_needed) is eligible from lookback n on, and
    then so is every newer one; so each step of a journey exists over one range of lookbacks
    (macro journey_steps) and is counted once for it, not once per lookback. A non-converting
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

conversions as (

    select
        conversion_id,
        conversion_event_name,
        conversion_date,
        stream_id
    from {{ ref('int_conversions_deduplicated') }}
    {%- if is_incremental() %}
    where user_key in (select user_key from {{ ref('int_users_changed') }})
    {%- endif %}

),

converting_sessions as (

    select
        touchpoints.user_key,
        conversions.conversion_date as journey_date,
        conversions.conversion_event_name,
        conversions.stream_id,
        touchpoints.conversion_id as journey_id,
        touchpoints.lookback_days_needed,
        touchpoints.session_started_micros,
        touchpoints.ga_session_id,
        touchpoints.session_key,
        touchpoints.channel
    from {{ ref('int_touchpoints_joined_to_conversions') }} as touchpoints
    inner join conversions
        on touchpoints.conversion_id = conversions.conversion_id
    {%- if is_incremental() %}
    where touchpoints.user_key in (select user_key from {{ ref('int_users_changed') }})
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
        -- A non-converting journey's stream is its newest session's (ordered as journeys are).
        first_value(sessions.stream_id) over (
            partition by sessions.user_key
            order by sessions.session_started_micros desc, sessions.ga_session_id desc, sessions.session_key desc
        ) as journey_stream_id,
        max(sessions.session_started_micros) over (partition by sessions.user_key) as anchor_micros,
        max(sessions.session_started_at) over (partition by sessions.user_key) as anchor_at
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

nonconverting_sessions as (

    select
        user_key,
        cast(anchor_at as date) as journey_date,
        cast(null as {{ dbt.type_string() }}) as conversion_event_name,
        journey_stream_id as stream_id,
        user_key as journey_id,
        greatest(1, {{ ceil_div('anchor_micros - session_started_micros', micros_per_day()) }}) as lookback_days_needed,
        session_started_micros,
        ga_session_id,
        session_key,
        channel
    from trailing_sessions
    where session_started_micros >= anchor_micros - {{ max_days * micros_per_day() }}

),

transitions as (

    select * from (
        {{ journey_steps('converting_sessions', "'(conversion)'") }}
    ) as converting_steps

    union all

    select * from (
        {{ journey_steps('nonconverting_sessions', "'(null)'") }}
    ) as nonconverting_steps

),

final as (

    select
        user_key,
        journey_date,
        conversion_event_name,
        stream_id,
        min_lookback_days,
        max_lookback_days,
        from_state,
        to_state,
        count(*) as transitions
    from transitions
    group by user_key, journey_date, conversion_event_name, stream_id, min_lookback_days, max_lookback_days, from_state, to_state

)

select * from final
{{ order_by_for_pruning(['user_key']) }}
