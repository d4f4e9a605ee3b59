{#- is_incremental() here is the project's: dbt's own, except false offline (docs/dbt-notes.md, "Where this project departs from plain dbt"). -#}
{{ config(
    materialized='incremental',
    unique_key='device_key',
    incremental_strategy='merge' if target.type == 'bigquery' else 'delete+insert',
    cluster_by=['person_key'] if target.type == 'bigquery' else none
) }}
{#-
    One row per device (staging's user_key) that ever carried a user_id: the person it belongs to,
    'uid:' || the latest user_id seen on it (by event time; ties: the lowest id), for all its events,
    before and after sign-in. Built whatever var user_id_stitching says, so switching it needs no
    rebuild of this table; the models after it apply the setting (macro person_of_device_sql).
    A device's person changes only with its own events: an incremental run recomputes the devices
    with user_id events loaded since the marts were last built (all their events, old ones included).
-#}
{%- set marts_built_at = marts_built_at_sql() if is_incremental() else none %}

with

signed_in_events as (

    select
        user_key as device_key,
        user_id,
        event_timestamp_micros
    from {{ ref('stg_ga4__events') }}
    where user_id is not null
        and user_key is not null
    {%- if marts_built_at is not none %}
        and user_key in (
            select user_key
            from {{ ref('stg_ga4__events') }}
            where user_id is not null
                and loaded_at > {{ marts_built_at }}
        )
    {%- endif %}

),

latest_user_ids as (

    {{ deduplicate_rows(
        'signed_in_events',
        partition_by='device_key',
        order_by=['-event_timestamp_micros', 'user_id'],
        columns=['user_id', 'event_timestamp_micros']
    ) }}

),

final as (

    select
        device_key,
        user_id,
        {{ person_key_sql('user_id') }} as person_key,
        event_timestamp_micros as signed_in_micros
    from latest_user_ids

)

select * from final
