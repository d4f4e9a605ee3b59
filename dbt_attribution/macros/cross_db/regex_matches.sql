{# True when the pattern matches anywhere in the text (anchor it with ^ and $ for a full match). #}
{% macro regex_matches(text, pattern) %}
    {{ return(adapter.dispatch('regex_matches', 'dbt_attribution')(text, pattern)) }}
{% endmacro %}

{% macro default__regex_matches(text, pattern) -%}
    regexp_matches({{ text }}, '{{ pattern }}')
{%- endmacro %}

{% macro bigquery__regex_matches(text, pattern) -%}
    regexp_contains({{ text }}, r'{{ pattern }}')
{%- endmacro %}
