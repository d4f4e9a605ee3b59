{#
    The rule-based models fct_attribution_credits holds (data_driven is solved by the app from
    agg_channel_transitions). The var only_attribution_models narrows them for unit tests; the app
    expects all six.
#}
{% macro rule_based_attribution_models() -%}
    {%- set all_models = ['first_click', 'last_click', 'last_non_direct', 'linear', 'position_based', 'time_decay'] -%}
    {%- set chosen = var('only_attribution_models', all_models) -%}
    {%- for model in chosen if model not in all_models -%}
        {{ exceptions.raise_compiler_error("var only_attribution_models may only name " ~ all_models | join(', ') ~ "; got '" ~ model ~ "'.") }}
    {%- endfor -%}
    {{ return(chosen) }}
{%- endmacro %}

{# The var time_decay_half_life_days as a number of days from 1 to 90; anything else stops the run. #}
{% macro attribution_time_decay_half_life_days() %}
    {%- set raw = var('time_decay_half_life_days', 7) -%}
    {%- set text = raw | string | trim -%}
    {%- if raw is sameas true or raw is sameas false or not text.isdigit() or (text | int) < 1 or (text | int) > max_lookback_days() -%}
        {{ exceptions.raise_compiler_error(
            "var time_decay_half_life_days must be a whole number of days from 1 to " ~ max_lookback_days()
            ~ ", got '" ~ raw ~ "'. Example: --vars '{time_decay_half_life_days: 7}'"
        ) }}
    {%- endif -%}
    {{ return(text | int) }}
{% endmacro %}

{#
    `total` whole units (an integer expression) split by `share` (0..1, summing to 1 over the
    partition) with the largest-remainder rule: every row gets floor(total * share), and the units
    left over go one each to the rows with the largest fractional parts; equal fractions (compared
    at 1e-6, so float noise never decides) go to the lowest `tiebreak` first. The result sums to
    `total` exactly over the partition.
#}
{% macro split_by_largest_remainder(total, share, partition_by, tiebreak) -%}
    {%- set partition = partition_by | join(', ') -%}
    {%- set exact = '(' ~ total ~ ') * (' ~ share ~ ')' -%}
    {%- set whole = 'floor(' ~ exact ~ ' + 1e-9)' -%}
    cast({{ whole }} as {{ dbt.type_bigint() }})
        + case
            when row_number() over (
                partition by {{ partition }}
                order by round({{ exact }} - {{ whole }}, 6) desc, {{ tiebreak }}
            ) <= ({{ total }}) - sum(cast({{ whole }} as {{ dbt.type_bigint() }})) over (partition by {{ partition }})
                then 1
            else 0
        end
{%- endmacro %}
