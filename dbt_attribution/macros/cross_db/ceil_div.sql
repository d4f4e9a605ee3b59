{# Integer ceiling of numerator / denominator for numerator >= 0 and denominator > 0, without floats. #}
{% macro ceil_div(numerator, denominator) %}
    {{ return(adapter.dispatch('ceil_div', 'dbt_attribution')(numerator, denominator)) }}
{% endmacro %}

{% macro default__ceil_div(numerator, denominator) -%}
    (({{ numerator }}) + ({{ denominator }}) - 1) // ({{ denominator }})
{%- endmacro %}

{% macro bigquery__ceil_div(numerator, denominator) -%}
    {#- Each operand in parentheses: sqlglot (the emulator's translation) read div(a + b - 1, c) as a + b - 1 // c. -#}
    div((({{ numerator }}) + ({{ denominator }}) - 1), ({{ denominator }}))
{%- endmacro %}
