{#-
    The users whose downstream rows an incremental run recomputes: those with staging rows loaded
    since the marts were last built, plus every user holding a purchase whose transaction id one of
    those rows carries, since a new earliest purchase of a transaction takes the conversion from them.
    Without a previous build every user is listed (the models then rebuild in full anyway).
    Users here are persons (the user_key of the models after staging): for each such device, the
    device itself and 'uid:' || every user_id it ever carried, so whichever person it belonged to
    before this run (a late sign-in moves an old device to a person) and belongs to now are both
    recomputed. When var user_id_stitching differs from the last build's, every signed-in device
    and its persons are listed.
-#}
{%- set marts_built_at = marts_built_at_sql() -%}
{#- BigQuery: rows loaded since the build lie in partitions written since; a takeover only moves later purchases. -#}
{%- set bounds = bigquery_refresh_bounds() -%}

with

loaded_events as (

    select
        user_key,
        event_name,
        transaction_id
    from {{ ref('stg_ga4__events') }}
    where user_key is not null
    {%- if marts_built_at is not none %}
        and loaded_at > {{ marts_built_at }}
    {%- endif %}
    {%- if bounds is not none %}
        and event_date >= {{ bounds['new_rows_from_date'] }}
    {%- endif %}

),

loaded_transactions as (

    select distinct transaction_id
    from loaded_events
    where event_name = 'purchase'
        and transaction_id is not null

),

transaction_holders as (

    select user_key
    from {{ ref('stg_ga4__events') }}
    where event_name = 'purchase'
        and user_key is not null
        and transaction_id in (select transaction_id from loaded_transactions)
    {%- if bounds is not none %}
        -- A holder's conversion changes only when a loaded purchase is earlier, so the holder's is recent.
        and event_date >= {{ bounds['recompute_from_date'] }}
    {%- endif %}

),

changed_devices as (

    select user_key from loaded_events
    union all
    select user_key from transaction_holders

),

-- Every person a changed device can have belonged to: itself, or any user_id it carried.
signed_in_persons as (

    select distinct
        user_key,
        {{ person_key_sql('user_id') }} as person_key
    from {{ ref('stg_ga4__events') }}
    where user_id is not null
    {%- if not user_id_stitching_changed_since_build() %}
        and user_key in (select user_key from changed_devices)
    {%- endif %}

),

changed_users as (

    select user_key from changed_devices
    union all
    select user_key from signed_in_persons
    union all
    select person_key from signed_in_persons

),

final as (

    select distinct user_key
    from changed_users

)

select * from final
