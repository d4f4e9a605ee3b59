{#- Every allowed conversion event, so fct_attribution_credits can serve any event choice. -#}
with

events as (

    select
        event_key,
        event_name,
        event_at,
        event_timestamp_micros,
        event_date,
        user_key,
        session_key,
        ga_session_id,
        transaction_id,
        purchase_revenue_in_usd,
        event_value_in_usd
    from {{ ref('stg_ga4__events') }}
    where event_name in ({{ conversion_events_sql(allowed_conversion_events()) }})
        -- Events without any user key cannot be attributed; rpt_data_quality counts them.
        and user_key is not null

),

keyed as (

    select
        *,
        -- Purchases sharing a real transaction id are one purchase; "(not set)" ones stay separate.
        case
            when event_name = 'purchase'
                and transaction_id is not null
                and transaction_id <> '(not set)'
                then 'purchase|' || transaction_id
            else event_key
        end as conversion_dedupe_key
    from events

),

deduplicated as (

    {{ deduplicate_rows(
        'keyed',
        partition_by='conversion_dedupe_key',
        order_by=['event_timestamp_micros', 'event_key'],
        columns=[
            'event_key', 'event_name', 'event_at', 'event_timestamp_micros', 'event_date', 'user_key',
            'session_key', 'ga_session_id', 'transaction_id', 'purchase_revenue_in_usd', 'event_value_in_usd'
        ]
    ) }}

),

final as (

    select
        event_key as conversion_id,
        event_name as conversion_event_name,
        event_at as converted_at,
        event_timestamp_micros as converted_micros,
        event_date as conversion_date,
        user_key,
        session_key,
        ga_session_id,
        transaction_id,
        {{ to_money(
            "case when event_name = 'purchase' then purchase_revenue_in_usd else event_value_in_usd end"
        ) }} as revenue_usd
    from deduplicated

)

select * from final
