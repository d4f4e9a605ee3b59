-- When and how the marts were last built, so the app can say how fresh its numbers are.
with final as (
    select
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as built_at,
        {{ var('lookback_days') }} as lookback_days,
        '{{ invocation_id }}' as invocation_id
)

select * from final
