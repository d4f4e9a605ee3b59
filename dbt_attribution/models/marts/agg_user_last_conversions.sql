{#- is_incremental() here is the project's: dbt's own, except false offline (docs/dbt-notes.md, "Where this project departs from plain dbt"). -#}
{{ config(
    materialized='table' if target.type == 'bigquery' else 'incremental',
    incremental_strategy=attribution_incremental_strategy(),
    cluster_by=['user_key'] if target.type == 'bigquery' else none,
    pre_hook="{{ delete_rows_of_changed_users(extra_condition=newly_modelled_rows_condition()) }}"
) }}
{#-
    Each user's last conversion of each modelled event. For a choice of events the data-driven
    model's non-converting journey of a user starts after the latest of these among the chosen
    events (agg_channel_transitions holds one such journey per user and event, cut_event_name).
-#}
-- depends_on: {{ ref('int_users_changed') }}

with

conversions as (

    select
        user_key,
        conversion_event_name,
        converted_micros
    from {{ ref('int_conversions_deduplicated') }}
    {%- if is_incremental() %}
    where {{ changed_rows_condition() }}
    {%- endif %}

),

final as (

    select
        user_key,
        conversion_event_name,
        max(converted_micros) as last_converted_micros
    from conversions
    group by user_key, conversion_event_name

)

select * from final
{{ order_by_for_pruning(['user_key']) }}
