{#
    What the app takes from dbt besides the marts: every model with whether it is rule-based, the
    lookback bounds and the time-decay half-life. scripts/generate-vocabulary.ts writes it to
    src/shared/generated/vocabulary.ts; a test fails when the two drift.
#}
{% macro attribution_vocabulary() -%}
    {%- set models = [] -%}
    {%- for model in attribution_models() -%}
        {%- do models.append({
            'id': model['id'],
            'name': model.get('name') or none,
            'description': model['description'],
            'is_rule_based': model.get('weight') is not none,
        }) -%}
    {%- endfor -%}
    {{ return({
        'models': models,
        'lookback_days': {'min': min_lookback_days(), 'max': max_lookback_days(), 'default': default_lookback_days()},
        'time_decay_half_life_days': attribution_time_decay_half_life_days(),
    }) }}
{%- endmacro %}

{# One line of JSON for `dbt run-operation print_attribution_vocabulary` (scripts/generate-vocabulary.ts). #}
{% macro print_attribution_vocabulary() -%}
    {{ print(tojson(attribution_vocabulary())) }}
{%- endmacro %}
