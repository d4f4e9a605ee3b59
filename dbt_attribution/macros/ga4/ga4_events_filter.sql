{#
    A where-condition that keeps one kind of GA4 export table. On BigQuery the day wildcard
    `events_*` also matches `events_intraday_*`, so the day branch drops those suffixes;
    DuckDB keeps day and intraday rows in two plain tables and needs no filter.
#}
{% macro ga4_events_filter(is_intraday) %}
    {{ return(adapter.dispatch('ga4_events_filter', 'dbt_attribution')(is_intraday)) }}
{% endmacro %}

{% macro default__ga4_events_filter(is_intraday) -%}
    true
{%- endmacro %}

{% macro bigquery__ga4_events_filter(is_intraday) -%}
    {%- if is_intraday -%}
        true
    {%- else -%}
        _table_suffix not like 'intraday%'
    {%- endif -%}
{%- endmacro %}
