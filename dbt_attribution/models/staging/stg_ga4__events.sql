{{ config(
    materialized='incremental',
    unique_key='event_key',
    incremental_strategy='merge' if target.type == 'bigquery' else 'delete+insert',
    cluster_by=['user_key'] if target.type == 'bigquery' else none
) }}

{#- Which raw rows this run reads: all of them, or a window of recent ones (macro staging_load_plan). -#}
{%- set load_plan = staging_load_plan() -%}

{%- set event_columns -%}
        event_date,
        event_timestamp,
        event_name,
        event_params,
        event_bundle_sequence_id,
        event_value_in_usd,
        user_pseudo_id,
        ecommerce.purchase_revenue_in_usd as ecommerce_purchase_revenue_in_usd,
        ecommerce.transaction_id as ecommerce_transaction_id
{%- endset -%}

with

day_events as (

    select
        {{ event_columns }},
        false as is_intraday
    from {{ source('ga4', 'events') }}
    where {{ ga4_events_filter(is_intraday=false, since_micros=load_plan.since_micros) }}
    {%- if not load_plan.read_day_table %}
        -- No export file was imported since the last load: the day table is unchanged.
        and false
    {%- endif %}

),

intraday_events as (

    select
        {{ event_columns }},
        true as is_intraday
    from {{ source('ga4', 'events_intraday') }}
    where {{ ga4_events_filter(is_intraday=true, since_micros=load_plan.since_micros) }}

),

events_unioned as (

    select * from day_events
    union all
    select * from intraday_events

),

{%- set param_keys = ['event_id', 'ga_session_id', 'source', 'medium', 'campaign', 'gclid', 'page_location', 'transaction_id'] %}

params_narrowed as (

    select
        *,
        {{ ga4_params_subset('event_params', param_keys) }} as needed_params,
        {{ ga4_params_digest('event_params') }} as params_digest
    from events_unioned

),

-- Params are read once here; every later model works on plain columns.
params_extracted as (

    select
        event_date as event_date_text,
        event_timestamp as event_timestamp_micros,
        event_name,
        event_bundle_sequence_id,
        event_value_in_usd,
        user_pseudo_id,
        ecommerce_purchase_revenue_in_usd,
        ecommerce_transaction_id,
        is_intraday,
        {{ ga4_param_string('needed_params', 'event_id') }} as event_id,
        {{ ga4_param_int('needed_params', 'ga_session_id') }} as ga_session_id,
        {{ ga4_param_string('needed_params', 'source') }} as source,
        {{ ga4_param_string('needed_params', 'medium') }} as medium,
        {{ ga4_param_string('needed_params', 'campaign') }} as campaign,
        {{ ga4_param_string('needed_params', 'gclid') }} as gclid,
        {{ ga4_param_string('needed_params', 'page_location') }} as page_location,
        {{ ga4_param_string('needed_params', 'transaction_id') }} as param_transaction_id,
        params_digest
    from params_narrowed

),

keyed as (

    select
        *,
        -- A streamed event_id identifies the event; otherwise identical content does.
        coalesce(
            event_id,
            {{ dbt.hash(
                "coalesce(user_pseudo_id, '') || '|' || coalesce(cast(event_timestamp_micros as " ~ dbt.type_string() ~ "), '')"
                ~ " || '|' || coalesce(event_name, '') || '|' || coalesce(cast(event_bundle_sequence_id as " ~ dbt.type_string() ~ "), '')"
                ~ " || '|' || coalesce(params_digest, '')"
            ) }}
        ) as event_key,
        coalesce(user_pseudo_id, 'anon:' || cast(ga_session_id as {{ dbt.type_string() }})) as user_key
    from params_extracted

),

-- Prefer the day table's copy: it is the export's settled version of the event.
deduplicated as (

    {{ deduplicate_rows(
        'keyed',
        partition_by='event_key',
        order_by=['is_intraday', 'event_timestamp_micros'],
        columns=[
            'event_id', 'event_name', 'event_timestamp_micros', 'event_date_text', 'user_pseudo_id',
            'user_key', 'ga_session_id', 'source', 'medium', 'campaign', 'gclid', 'page_location',
            'ecommerce_transaction_id', 'param_transaction_id', 'ecommerce_purchase_revenue_in_usd',
            'event_value_in_usd', 'is_intraday'
        ]
    ) }}

),
{%- if is_incremental() %}

stored_events as (

    select
        event_key,
        is_intraday,
        event_timestamp_micros
    from {{ this }}

),

-- A new event goes in; a stored one is replaced only by a copy that sorts before it (day copy,
-- then earlier), as a full build would pick. A replayed event therefore changes nothing.
loadable as (

    select deduplicated.*
    from deduplicated
    left join stored_events
        on deduplicated.event_key = stored_events.event_key
    where stored_events.event_key is null
        or (not deduplicated.is_intraday and stored_events.is_intraday)
        or (
            deduplicated.is_intraday = stored_events.is_intraday
            and deduplicated.event_timestamp_micros < stored_events.event_timestamp_micros
        )

),
{%- else %}

loadable as (

    select * from deduplicated

),
{%- endif %}

final as (

    select
        event_key,
        event_id,
        event_name,
        {{ timestamp_from_micros('event_timestamp_micros') }} as event_at,
        event_timestamp_micros,
        coalesce(
            {{ parse_yyyymmdd('event_date_text') }},
            cast({{ timestamp_from_micros('event_timestamp_micros') }} as date)
        ) as event_date,
        user_pseudo_id,
        user_key,
        ga_session_id,
        case
            when user_key is not null and ga_session_id is not null
                then user_key || ':' || cast(ga_session_id as {{ dbt.type_string() }})
        end as session_key,
        source,
        medium,
        campaign,
        gclid,
        page_location,
        coalesce(nullif(trim(ecommerce_transaction_id), ''), nullif(trim(param_transaction_id), '')) as transaction_id,
        ecommerce_purchase_revenue_in_usd as purchase_revenue_in_usd,
        event_value_in_usd,
        is_intraday,
        -- Marks the rows of this load: int_users_changed picks the users touched since the last build.
        {{ run_started_at_sql() }} as loaded_at
    from loadable

)

select * from final
{{ order_by_for_pruning(['user_key', 'event_timestamp_micros']) }}
