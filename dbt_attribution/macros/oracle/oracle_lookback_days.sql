{# The lookbacks the test oracle ranks at: every one the app offers (unit tests override it with a few). #}
{% macro oracle_lookback_days() %}
    {{ return(range(1, max_lookback_days() + 1) | list) }}
{% endmacro %}

{# The oracle's lookbacks as rows (lookback_days), portable to DuckDB and BigQuery. #}
{% macro oracle_lookback_days_sql() -%}
    {%- for days in oracle_lookback_days() %}
    select {{ days }} as lookback_days{{ ' union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
