{# The text value of one event param; an integer-typed value is returned as text. #}
{% macro ga4_param_string(params, key) %}
    {{ return(adapter.dispatch('ga4_param_string', 'dbt_attribution')(params, key)) }}
{% endmacro %}

{% macro default__ga4_param_string(params, key) -%}
    list_transform(
        list_filter({{ params }}, lambda p: p.key = '{{ key }}'),
        lambda p: coalesce(p.value.string_value, cast(p.value.int_value as varchar))
    )[1]
{%- endmacro %}

{% macro bigquery__ga4_param_string(params, key) -%}
    (select coalesce(p.value.string_value, cast(p.value.int_value as string)) from unnest({{ params }}) as p where p.key = '{{ key }}' limit 1)
{%- endmacro %}

{# The text of one event param whatever column holds it: string, else int, else double (whole numbers without ".0"), else float. #}
{% macro ga4_param_text(params, key) %}
    {{ return(adapter.dispatch('ga4_param_text', 'dbt_attribution')(params, key)) }}
{% endmacro %}

{% macro default__ga4_param_text(params, key) -%}
    list_transform(
        list_filter({{ params }}, lambda p: p.key = '{{ key }}'),
        lambda p: coalesce(
            p.value.string_value,
            cast(p.value.int_value as varchar),
            {{ whole_number_as_text('p.value.double_value') }},
            {{ whole_number_as_text('p.value.float_value') }}
        )
    )[1]
{%- endmacro %}

{% macro bigquery__ga4_param_text(params, key) -%}
    (
        select coalesce(
            p.value.string_value,
            cast(p.value.int_value as string),
            {{ whole_number_as_text('p.value.double_value') }},
            {{ whole_number_as_text('p.value.float_value') }}
        )
        from unnest({{ params }}) as p
        where p.key = '{{ key }}'
        limit 1
    )
{%- endmacro %}

{# A float as text, whole numbers (ids stored as doubles) without a fraction, so 1234.0 reads "1234" on both warehouses. #}
{% macro whole_number_as_text(value) -%}
    case
        when {{ value }} = trunc({{ value }}) and abs({{ value }}) < 1e15
            then cast(cast({{ value }} as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
        else cast({{ value }} as {{ dbt.type_string() }})
    end
{%- endmacro %}

{#
    A purchase's transaction id, the rule real exports need (docs/assumptions.md): ecommerce.transaction_id
    unless it is NULL, '' or '(not set)'; else the transaction_id param, with the same exclusions.
#}
{% macro resolved_transaction_id(ecommerce_transaction_id, param_transaction_id) -%}
    coalesce(
        case when trim({{ ecommerce_transaction_id }}) not in ('', '(not set)') then trim({{ ecommerce_transaction_id }}) end,
        case when trim({{ param_transaction_id }}) not in ('', '(not set)') then trim({{ param_transaction_id }}) end
    )
{%- endmacro %}

{# The numeric value of one event param: double, else float, else int, else a string that casts (GA4's `value` param comes in all four). #}
{% macro ga4_param_number(params, key) %}
    {{ return(adapter.dispatch('ga4_param_number', 'dbt_attribution')(params, key)) }}
{% endmacro %}

{% macro default__ga4_param_number(params, key) -%}
    list_transform(
        list_filter({{ params }}, lambda p: p.key = '{{ key }}'),
        lambda p: coalesce(p.value.double_value, p.value.float_value, p.value.int_value, try_cast(p.value.string_value as double))
    )[1]
{%- endmacro %}

{% macro bigquery__ga4_param_number(params, key) -%}
    (select coalesce(p.value.double_value, p.value.float_value, p.value.int_value, safe_cast(p.value.string_value as float64)) from unnest({{ params }}) as p where p.key = '{{ key }}' limit 1)
{%- endmacro %}

{# The integer value of one event param; some exports put integers in string_value, so that is cast safely. #}
{% macro ga4_param_int(params, key) %}
    {{ return(adapter.dispatch('ga4_param_int', 'dbt_attribution')(params, key)) }}
{% endmacro %}

{% macro default__ga4_param_int(params, key) -%}
    list_transform(
        list_filter({{ params }}, lambda p: p.key = '{{ key }}'),
        lambda p: coalesce(p.value.int_value, try_cast(p.value.string_value as bigint))
    )[1]
{%- endmacro %}

{% macro bigquery__ga4_param_int(params, key) -%}
    (select coalesce(p.value.int_value, safe_cast(p.value.string_value as int64)) from unnest({{ params }}) as p where p.key = '{{ key }}' limit 1)
{%- endmacro %}

{# The whole param list reduced to a short text that changes whenever any param does, for fingerprinting identical events. #}
{% macro ga4_params_digest(params) %}
    {{ return(adapter.dispatch('ga4_params_digest', 'dbt_attribution')(params)) }}
{% endmacro %}

{# DuckDB's 64-bit hash of the nested list (serializing it to JSON costs ~15 s per 4M events), kept an integer for event_dedup_key. #}
{% macro default__ga4_params_digest(params) -%}
    hash({{ params }})
{%- endmacro %}

{% macro bigquery__ga4_params_digest(params) -%}
    to_json_string({{ params }})
{%- endmacro %}

{# Only the params with these keys, so each later lookup scans a short list (DuckDB); BigQuery needs no help. #}
{% macro ga4_params_subset(params, keys) %}
    {{ return(adapter.dispatch('ga4_params_subset', 'dbt_attribution')(params, keys)) }}
{% endmacro %}

{% macro default__ga4_params_subset(params, keys) -%}
    list_filter({{ params }}, lambda p: p.key in ({% for key in keys %}'{{ key }}'{{ ', ' if not loop.last }}{% endfor %}))
{%- endmacro %}

{% macro bigquery__ga4_params_subset(params, keys) -%}
    {{ params }}
{%- endmacro %}

{#
    A session's key: user_key || ':' || ga_session_id, NULL when either is missing. Staging keeps the
    two columns only; the models derive the key where they need it (sessions, conversions).
#}
{% macro session_key_sql(user_key, ga_session_id) -%}
    case
        when {{ user_key }} is not null and {{ ga_session_id }} is not null
            then {{ user_key }} || ':' || cast({{ ga_session_id }} as {{ dbt.type_string() }})
    end
{%- endmacro %}
