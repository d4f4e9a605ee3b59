{# The exact decimal type for money: cents are never lost to floating point. #}
{% macro type_money() %}
    {{ return(adapter.dispatch('type_money', 'dbt_attribution')()) }}
{% endmacro %}

{% macro default__type_money() -%}
    decimal(18, 2)
{%- endmacro %}

{% macro bigquery__type_money() -%}
    numeric
{%- endmacro %}

{# A float amount rounded to cents as an exact decimal; NULL counts as 0. #}
{% macro to_money(amount) -%}
    cast(round(coalesce({{ amount }}, 0), 2) as {{ type_money() }})
{%- endmacro %}
