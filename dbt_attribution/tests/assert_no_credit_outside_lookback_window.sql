-- No credited session belongs to another user, starts after the conversion, or starts before its window.

with

sessions as (

    select
        session_key,
        user_key,
        session_started_micros
    from {{ ref('int_sessions_classified') }}

),

conversions as (

    select
        conversion_id,
        converted_micros
    from {{ ref('int_conversions_deduplicated') }}

),

credits as (

    -- A range's session must be eligible at its smallest lookback.
    select
        conversion_id,
        attribution_model,
        user_key,
        credited_session_key,
        min_lookback_days as window_days
    from {{ ref('fct_attribution_credits') }}
    where credited_session_key is not null

)

select
    credits.*,
    sessions.session_started_micros,
    conversions.converted_micros
from credits
inner join conversions
    on credits.conversion_id = conversions.conversion_id
left join sessions
    on credits.credited_session_key = sessions.session_key
where sessions.session_key is null
    or sessions.user_key <> credits.user_key
    or sessions.session_started_micros > conversions.converted_micros
    or conversions.converted_micros - sessions.session_started_micros > credits.window_days * {{ micros_per_day() }}
