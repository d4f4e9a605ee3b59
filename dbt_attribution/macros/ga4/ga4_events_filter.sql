{#
    A where-condition that keeps one kind of GA4 export table and, with a load plan
    (staging_load_plan), only the rows an incremental load reads: on DuckDB those stored after
    load number after_load_seq; on BigQuery the events from since_micros on. On BigQuery the day
    wildcard `events_*` also matches `events_intraday_*`, so the day branch drops those suffixes,
    and the window also prunes shards by suffix (a day early, as shards are in the property's time
    zone); DuckDB keeps day and intraday rows in two plain tables.
#}
{% macro ga4_events_filter(is_intraday, load_plan=none) %}
    {{ return(adapter.dispatch('ga4_events_filter', 'dbt_attribution')(is_intraday, load_plan or {})) }}
{% endmacro %}

{% macro default__ga4_events_filter(is_intraday, load_plan) -%}
    {%- if load_plan.get('after_load_seq') is none -%}
        true
    {%- else -%}
        {{ ga4_load_seq_column() }} > {{ load_plan['after_load_seq'] }}
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__ga4_events_filter(is_intraday, load_plan) -%}
    {#- A unit test's source is fixture rows, which have no _table_suffix pseudo-column. -#}
    {%- if is_intraday or is_unit_test() -%}
        true
    {%- else -%}
        _table_suffix not like 'intraday%'
    {%- endif -%}
    {%- if load_plan.get('since_micros') is not none -%}
        {%- set first_shard = modules.datetime.datetime.utcfromtimestamp(load_plan['since_micros'] / 1000000) - modules.datetime.timedelta(days=1) %}
        and _table_suffix >= '{{ first_shard.strftime("%Y%m%d") }}'
        and event_timestamp >= {{ load_plan['since_micros'] }}
    {%- endif -%}
{%- endmacro %}
