{#
    A whole number for each row of a set, from its unique text key, to partition and join by: DuckDB's
    windows and hash joins over a million small partitions run much faster on an integer than on a
    long text key. Deterministic (ordered by the key), so every reference to the set agrees. BigQuery
    gains nothing from it and keeps the text key.
#}
{% macro integer_key(unique_text_key) %}
    {{ return(adapter.dispatch('integer_key', 'dbt_attribution')(unique_text_key)) }}
{% endmacro %}

{% macro default__integer_key(unique_text_key) -%}
    row_number() over (order by {{ unique_text_key }})
{%- endmacro %}

{% macro bigquery__integer_key(unique_text_key) -%}
    {{ unique_text_key }}
{%- endmacro %}
