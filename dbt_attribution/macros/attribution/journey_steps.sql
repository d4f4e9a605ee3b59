{#
    The steps of journeys with the lookbacks at which each exists, one row per step:
    (user_key, journey_date, conversion_event_name, cut_event_name, stream_id, min_lookback_days,
    max_lookback_days, from_state, to_state); stream_id is the journey's (one per journey).
    `sessions` has one row per session of a journey (journey_id, conversion_event_name, cut_event_name)
    with its lookback_days_needed; at lookback L the journey is its sessions needing <= L days,
    oldest first, then `end_state`. A session eligible at L makes every newer one eligible, so:
    - the step from a session to the next newer one, or from the newest to `end_state`, exists
      from the session's lookback_days_needed through 90;
    - (start) -> a session exists while it is the oldest eligible: from its lookback_days_needed
      to one day less than the next older session's (never when they are equal).
    Sessions are ordered by start, then ga_session_id, then session_key, as the credits order them.
#}
{% macro journey_steps(sessions, end_state) -%}
    {#- The journey's key and stream, the first columns of every step. -#}
    {%- set journey_columns = 'user_key, journey_date, conversion_event_name, stream_id, cut_event_name' -%}
    {%- set journey = 'partition by journey_id, conversion_event_name, cut_event_name order by session_started_micros, ga_session_id, session_key' -%}
    with ordered as (

        select
            {{ journey_columns }},
            lookback_days_needed,
            channel,
            lag(lookback_days_needed) over ({{ journey }}) as older_days_needed,
            lead(channel) over ({{ journey }}) as newer_channel
        from {{ sessions }}

    )

    select
        {{ journey_columns }},
        lookback_days_needed as min_lookback_days,
        coalesce(older_days_needed, {{ max_lookback_days() + 1 }}) - 1 as max_lookback_days,
        '(start)' as from_state,
        channel as to_state
    from ordered
    where older_days_needed is null
        or older_days_needed > lookback_days_needed

    union all

    select
        {{ journey_columns }},
        lookback_days_needed as min_lookback_days,
        {{ max_lookback_days() }} as max_lookback_days,
        channel as from_state,
        coalesce(newer_channel, {{ end_state }}) as to_state
    from ordered
{%- endmacro %}
