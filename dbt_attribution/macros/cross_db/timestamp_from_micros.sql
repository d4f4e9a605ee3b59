{# A UTC timestamp from microseconds since the epoch, as GA4 stores event_timestamp. #}
{% macro timestamp_from_micros(micros) %}
    {{ return(adapter.dispatch('timestamp_from_micros', 'dbt_attribution')(micros)) }}
{% endmacro %}

{% macro default__timestamp_from_micros(micros) -%}
    make_timestamp({{ micros }})
{%- endmacro %}

{% macro bigquery__timestamp_from_micros(micros) -%}
    timestamp_micros({{ micros }})
{%- endmacro %}
