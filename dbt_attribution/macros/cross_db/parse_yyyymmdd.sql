{# A date from GA4's event_date text (YYYYMMDD, property time zone), NULL when malformed. #}
{% macro parse_yyyymmdd(text) %}
    {{ return(adapter.dispatch('parse_yyyymmdd', 'dbt_attribution')(text)) }}
{% endmacro %}

{% macro default__parse_yyyymmdd(text) -%}
    cast(try_strptime({{ text }}, '%Y%m%d') as date)
{%- endmacro %}

{% macro bigquery__parse_yyyymmdd(text) -%}
    safe.parse_date('%Y%m%d', {{ text }})
{%- endmacro %}
