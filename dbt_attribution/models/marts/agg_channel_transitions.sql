{#- is_incremental() here is the project's: dbt's own, except false offline (docs/dbt-notes.md, "Where this project departs from plain dbt"). -#}
{{ config(
    materialized='table' if target.type == 'bigquery' else 'incremental',
    incremental_strategy=attribution_incremental_strategy(),
    partition_by={'field': 'journey_date', 'data_type': 'date', 'granularity': 'day'} if target.type == 'bigquery' else none,
    cluster_by=['conversion_event_name'] if target.type == 'bigquery' else none,
    pre_hook="{{ delete_rows_of_changed_users(extra_condition=newly_modelled_rows_condition() ~ ' or ' ~ newly_modelled_rows_condition('cut_event_name')) }}"
) }}
{#-
    Channel-to-channel transition counts of every journey for every lookback 1..90, for the
    data-driven model (a first-order Markov chain the app solves per request, src/shared/markov.ts).
    A converting journey is a conversion's eligible sessions at a lookback, oldest first:
    (start) -> first channel -> ... -> last channel -> (conversion). A session needing n days
    (int_touchpoints_joined_to_conversions.lookback_days_needed) is eligible from lookback n on, and
    then so is every newer one; so each step of a journey exists over one range of lookbacks
    (macro journey_steps) and is counted once for it, not once per lookback. A non-converting
    journey is a user's sessions after their last conversion of the chosen events, ending in (null);
    its lookback counts back from its newest session and it is dated by that session's UTC date.
    Which events are chosen is known only when asked, so each user has one such journey per modelled
    event e, after their last conversion of e (cut_event_name = e), and one of all their sessions
    (cut_event_name NULL, for a user with no chosen conversion). For a choice of events the app takes
    each user's journey after the latest of their last conversions of those events
    (agg_user_last_conversions), so events that were not chosen never cut a journey.
    Conversions with no eligible session have no journey (the app credits them to Unassigned).
    Rows are per user, so the embedded warehouse's incremental runs rebuild only the users with new
    events (its refresh loop runs every few seconds while events stream) and add a newly modelled
    event's journeys; BigQuery rebuilds the table. The app answers a lookback L and a choice of
    events with `where L between min_lookback_days and max_lookback_days` and, for converting steps,
    `conversion_event_name in (...)`, for non-converting ones the user's cut, summed by (from, to).
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
    where {{ changed_rows_condition() }}
    {%- endif %}

),

converting_sessions as (

    select
        touchpoints.user_key,
        conversions.conversion_date as journey_date,
        conversions.conversion_event_name,
        cast(null as {{ dbt.type_string() }}) as cut_event_name,
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
    where {{ changed_rows_condition('touchpoints.user_key', 'touchpoints.conversion_event_name') }}
    {%- endif %}

),

-- Where each non-converting journey starts: after the user's last conversion of one event, or at
-- their first session (cut_event_name NULL, the journey of a user with no chosen conversion).
cuts as (

    select
        user_key,
        conversion_event_name as cut_event_name,
        last_converted_micros as cut_micros
    from {{ ref('agg_user_last_conversions') }}
    {%- if is_incremental() %}
    where {{ changed_rows_condition() }}
    {%- endif %}

    union all

    select
        user_key,
        cast(null as {{ dbt.type_string() }}) as cut_event_name,
        cast(null as {{ dbt.type_bigint() }}) as cut_micros
    {%- if is_incremental() %}
    from {{ ref('int_users_changed') }}
    {%- else %}
    from (select distinct user_key from {{ ref('int_sessions_classified') }}) as users
    {%- endif %}

),

trailing_sessions as (

    select
        sessions.user_key,
        cuts.cut_event_name,
        sessions.session_key,
        sessions.ga_session_id,
        sessions.session_started_at,
        sessions.session_started_micros,
        sessions.channel,
        -- A non-converting journey's stream is its newest session's (ordered as journeys are).
        first_value(sessions.stream_id) over (
            partition by sessions.user_key, cuts.cut_event_name
            order by sessions.session_started_micros desc, sessions.ga_session_id desc, sessions.session_key desc
        ) as journey_stream_id,
        max(sessions.session_started_micros) over (partition by sessions.user_key, cuts.cut_event_name) as anchor_micros,
        max(sessions.session_started_at) over (partition by sessions.user_key, cuts.cut_event_name) as anchor_at
    from {{ ref('int_sessions_classified') }} as sessions
    inner join cuts
        on sessions.user_key = cuts.user_key
    where (cuts.cut_micros is null or sessions.session_started_micros > cuts.cut_micros)
    {%- if is_incremental() %}
        and sessions.user_key in (select user_key from cuts)
    {%- endif %}

),

nonconverting_sessions as (

    select
        user_key,
        cast(anchor_at as date) as journey_date,
        cast(null as {{ dbt.type_string() }}) as conversion_event_name,
        cut_event_name,
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
        cut_event_name,
        stream_id,
        min_lookback_days,
        max_lookback_days,
        from_state,
        to_state,
        count(*) as transitions
    from transitions
    group by
        user_key, journey_date, conversion_event_name, cut_event_name, stream_id,
        min_lookback_days, max_lookback_days, from_state, to_state

)

select * from final
{{ order_by_for_pruning(['user_key']) }}
