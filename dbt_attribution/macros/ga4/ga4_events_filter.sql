{#
    A where-condition that keeps one kind of GA4 export table and, when since_micros is given, only
    events from that event_timestamp on (an incremental load's window). On BigQuery the day wildcard
    `events_*` also matches `events_intraday_*`, so the day branch drops those suffixes, and the
    window also prunes shards by suffix (a day early, as shards are in the property's time zone);
    DuckDB keeps day and intraday rows in two plain tables.
#}
{% macro ga4_events_filter(is_intraday, since_micros=none) %}
    {{ return(adapter.dispatch('ga4_events_filter', 'dbt_attribution')(is_intraday, since_micros)) }}
{% endmacro %}

{% macro default__ga4_events_filter(is_intraday, since_micros=none) -%}
    {%- if since_micros is none -%}
        true
    {%- else -%}
        event_timestamp >= {{ since_micros }}
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__ga4_events_filter(is_intraday, since_micros=none) -%}
    {%- if is_intraday -%}
        true
    {%- else -%}
        _table_suffix not like 'intraday%'
    {%- endif -%}
    {%- if since_micros is not none -%}
        {%- set first_shard = modules.datetime.datetime.utcfromtimestamp(since_micros / 1000000) - modules.datetime.timedelta(days=1) %}
        and _table_suffix >= '{{ first_shard.strftime("%Y%m%d") }}'
        and event_timestamp >= {{ since_micros }}
    {%- endif -%}
{%- endmacro %}
