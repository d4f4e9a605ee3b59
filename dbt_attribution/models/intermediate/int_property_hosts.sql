{#- is_incremental() here is the project's: dbt's own, except false offline (docs/dbt-notes.md, "Where this project departs from plain dbt"). -#}
{{ config(
    materialized='incremental',
    unique_key='host',
    incremental_strategy='merge' if target.type == 'bigquery' else 'delete+insert'
) }}
{#-
    The property's own hosts: every distinct normalised host of a page_location param, from the raw
    export (staging keeps no page_location, DECISIONLOG #35). An incremental run reads only the raw
    rows stored since its last load (macro property_hosts_load_plan) and rewrites this small table
    with the hosts it held plus the new ones, so its load number always moves on.
-#}
{%- set load_plan = property_hosts_load_plan() -%}

with

page_locations as (

    select {{ ga4_param_string('event_params', 'page_location') }} as page_location
    from {{ source('ga4', 'events') }}
    where {{ ga4_events_filter(is_intraday=false, load_plan=load_plan) }}
    {%- if ga4_has_intraday_tables() %}
    union all
    select {{ ga4_param_string('event_params', 'page_location') }} as page_location
    from {{ source('ga4', 'events_intraday') }}
    where {{ ga4_events_filter(is_intraday=true, load_plan=load_plan) }}
    {%- endif %}

),

-- A property has far fewer pages than events: the host's three regexes run once per distinct URL, not
-- per event (100M generated events, alone: 41 s instead of 53 s; cutting the query first cost 12 s more).
distinct_pages as (

    select distinct page_location
    from page_locations
    where page_location is not null

),

new_hosts as (

    select host
    from (
        select {{ url_host('page_location') }} as host, count(*) as pages
        from distinct_pages
        group by 1
    ) as counted
    -- Reading the count keeps this condition above the aggregate: DuckDB would push a condition on the
    -- host alone down to every event, its regexes with it (100M events: 180 s instead of 41 s).
    where case when pages > 0 then host <> '' end

),

hosts as (

    select host from new_hosts
    {%- if is_incremental() %}
    union distinct
    select host from {{ this }}
    {%- endif %}

),

final as (

    select
        host,
        -- Every raw row up to this load number has been read (DuckDB; NULL on BigQuery).
        {%- if load_plan['after_load_seq'] is not none %}
        coalesce({{ loaded_through_seq_sql(load_plan) }}, {{ load_plan['after_load_seq'] }}) as loaded_through_seq
        {%- else %}
        {{ loaded_through_seq_sql(load_plan) }} as loaded_through_seq
        {%- endif %}
    -- Stored hosts passed the same condition; none here, for the reason above.
    from hosts

)

select * from final
