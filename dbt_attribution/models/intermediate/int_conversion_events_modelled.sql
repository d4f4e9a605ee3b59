{#- is_incremental() here is the project's: dbt's own, except false offline (docs/dbt-notes.md, "Where this project departs from plain dbt"). -#}
{{ config(
    materialized='incremental',
    incremental_strategy=attribution_incremental_strategy(),
    unique_key=none,
    full_refresh=false
) }}
{#-
    The conversion events the marts hold, shared by the app and the CLI: every event name ever passed
    in var conversion_events, kept from then on (never dropped, not even by --full-refresh), so
    switching among them needs no rebuild. modelled_since is the run that first asked for it: the
    incremental models add an event whose modelled_since is after the marts' last complete build for
    every user (newly_modelled_conversion_events_sql).
-#}

with

chosen as (
    {%- for event in attribution_conversion_events() %}

    select '{{ event }}' as conversion_event_name
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        conversion_event_name,
        {{ run_started_at_sql() }} as modelled_since
    from chosen
    {%- if is_incremental() %}
    where conversion_event_name not in (select conversion_event_name from {{ this }})
    {%- endif %}

)

select * from final
