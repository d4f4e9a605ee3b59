{#- is_incremental() here is the project's: dbt's own, except false offline (docs/dbt-notes.md, "Where this project departs from plain dbt"). -#}
{{ config(
    materialized='incremental',
    unique_key=attribution_unique_key('session_key'),
    incremental_strategy=attribution_incremental_strategy(),
    partition_by={'field': 'session_started_at', 'data_type': 'timestamp', 'granularity': 'day'} if target.type == 'bigquery' else none,
    cluster_by=['user_key'] if target.type == 'bigquery' else none,
    pre_hook="{{ delete_recent_rows_of_changed_users('sessions') }}"
) }}
{#-
    Incremental runs recompute the sessions of int_users_changed only; a session belongs to one user.
    A session belongs to one device too: its session_key is the device's (staging's user_key), its
    user_key the device's person (user-id stitching, int_devices_stitched).
    On BigQuery only those started from bounds.sessions_from_at on (macro bigquery_refresh_bounds).
-#}
{%- set bounds = bigquery_refresh_bounds() if is_incremental() else none %}
-- depends_on: {{ ref('int_users_changed') }}, {{ ref('int_devices_stitched') }}

with

staged_events as (

    select
        user_key,
        ga_session_id,
        event_key,
        event_timestamp_micros,
        source,
        medium,
        campaign,
        campaign_id,
        gclid,
        dclid,
        stream_id,
        has_ignore_referrer
    from {{ ref('stg_ga4__events') }}
    where user_key is not null
        and ga_session_id is not null
        {%- if is_incremental() %}
        and user_key in ({{ changed_devices_sql() }})
        {%- endif %}
        {%- if bounds is not none %}
        -- Every event of a session started from sessions_from_at on (UTC) has a later event_date.
        and event_date >= {{ bounds['session_events_from_date'] }}
        {%- endif %}

),

unwanted_sources as (

    select source
    from {{ ref('int_referral_sources') }}
    where is_unwanted

),

-- An untagged referral (no gclid or dclid) whose source is unwanted or that the tag said to ignore
-- names no source: the session takes its earliest remaining one, else (direct).
events as (

    select
        staged_events.user_key,
        staged_events.ga_session_id,
        staged_events.event_key,
        staged_events.event_timestamp_micros,
        case when is_unwanted_referral then null else staged_events.source end as source,
        staged_events.medium,
        staged_events.campaign,
        staged_events.campaign_id,
        staged_events.gclid,
        staged_events.dclid,
        staged_events.stream_id
    from (
        select
            staged_events.*,
            coalesce(
                lower(staged_events.medium) = 'referral'
                and staged_events.gclid is null
                and staged_events.dclid is null
                and (staged_events.has_ignore_referrer or unwanted_sources.source is not null),
                false
            ) as is_unwanted_referral
        from staged_events
        left join unwanted_sources
            on staged_events.source = unwanted_sources.source
    ) as staged_events

),

source_categories as (

    select
        lower(source) as source,
        source_category
    from {{ ref('source_categories') }}

),

-- One row per session (of a device): its start, and the traffic source of its earliest event that names one.
device_sessions as (

    {{ sessions_with_first_source('events') }}

),

sessions_sourced as (

    select
        device_sessions.session_key,
        device_sessions.user_key as device_key,
        device_sessions.ga_session_id,
        device_sessions.session_started_micros,
        device_sessions.has_traffic_source,
        device_sessions.source,
        device_sessions.medium,
        device_sessions.campaign,
        device_sessions.campaign_id,
        device_sessions.gclid,
        device_sessions.dclid,
        device_sessions.stream_id,
        {{ person_of_device_sql('device_sessions.user_key', 'stitched.person_key') }} as user_key
    from device_sessions
    {%- if attribution_user_id_stitching() %}
    left join {{ ref('int_devices_stitched') }} as stitched
        on device_sessions.user_key = stitched.device_key
    {%- endif %}

),

final as (

    select
        sessions_sourced.session_key,
        sessions_sourced.user_key,
        sessions_sourced.device_key,
        sessions_sourced.stream_id,
        sessions_sourced.ga_session_id,
        {{ timestamp_from_micros('sessions_sourced.session_started_micros') }} as session_started_at,
        sessions_sourced.session_started_micros,
        sessions_sourced.has_traffic_source,
        sessions_sourced.source,
        sessions_sourced.medium,
        sessions_sourced.campaign,
        sessions_sourced.campaign_id,
        sessions_sourced.gclid,
        sessions_sourced.dclid,
        source_categories.source_category,
        {{ default_channel_group(
            'sessions_sourced.source',
            'sessions_sourced.medium',
            'sessions_sourced.campaign',
            'source_categories.source_category',
            gclid='sessions_sourced.gclid',
            dclid='sessions_sourced.dclid'
        ) }} as channel
    from sessions_sourced
    left join source_categories
        on lower(sessions_sourced.source) = source_categories.source
    {%- if bounds is not none %}
    -- Earlier sessions were read only in part; their stored rows stand.
    where sessions_sourced.session_started_micros >= {{ bounds['sessions_from_micros'] }}
    {%- endif %}

)

select * from final
{{ order_by_for_pruning(['user_key', 'session_started_micros']) }}
