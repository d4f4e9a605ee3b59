{#
    Every attribution model, in the order the app lists them: the one source of model ids, names and
    descriptions (the app reads them from rpt_attribution_models; src/shared/generated/vocabulary.ts
    is generated from here). A model with a `weight` is rule-based: its weight is a SQL expression
    for a session's weight over the columns of fct_attribution_credit_splits' `positioned` CTE:
    touch_position (1 = oldest eligible session), touches, recency_rank (1 = newest),
    newest_non_direct_rank, lag_micros, channel, source, medium, campaign. Weights are normalised per
    conversion and lookback range and split into whole units there. Whole-number weights where the
    model allows, so shares never depend on the order of a sum: position based is 40/20/40 as
    2(n-2) : 1 each : 2(n-2) for n >= 3 sessions. A model without a weight (data_driven) is solved
    by the app. `name` is optional (the app labels a model without one from its id). Adding a model
    is one entry here (docs/adding-a-model.md).
#}
{% macro attribution_models() -%}
    {%- set half_life_days = attribution_time_decay_half_life_days() -%}
    {%- set half_life_hours = half_life_days * 24 -%}
    {{ return([
        {'id': 'first_click', 'name': 'First click', 'weight': 'case when touch_position = 1 then 1.0 else 0.0 end',
            'description': 'All credit to the earliest session in the lookback window.'},
        {'id': 'last_click', 'name': 'Last click', 'weight': 'case when recency_rank = 1 then 1.0 else 0.0 end',
            'description': 'All credit to the latest session before the conversion (Direct included).'},
        {'id': 'last_non_direct', 'name': 'Last non-direct',
            'weight': 'case when recency_rank = coalesce(newest_non_direct_rank, 1) then 1.0 else 0.0 end',
            'description': 'All credit to the latest session that is not Direct; a journey of Direct sessions only credits Direct.'},
        {'id': 'linear', 'name': 'Linear', 'weight': '1.0',
            'description': 'Credit shared equally by every session in the window.'},
        {'id': 'position_based', 'name': 'Position based',
            'weight': 'case when touches <= 2 then 1.0 when touch_position = 1 or touch_position = touches then 2.0 * (touches - 2) else 1.0 end',
            'description': '40% to the first session, 40% to the last, 20% shared by the sessions between (one session: 100%, two: 50/50).'},
        {'id': 'time_decay', 'name': 'Time decay', 'weight': 'power(2.0, -(lag_micros / 3600000000.0) / ' ~ half_life_hours ~ ')',
            'description': 'Credit halves for every ' ~ half_life_days ~ (' day' if half_life_days == 1 else ' days')
                ~ ' a session is older than the conversion (2^(-hours/' ~ half_life_hours ~ ')), normalised per conversion.'},
        {'id': 'data_driven', 'name': 'Data-driven',
            'description': 'Markov chain over channel paths (converting and not): each channel gets conversions × its removal effect ÷ the sum of removal effects.'},
    ]) }}
{%- endmacro %}

{# Each rule-based model (one with a weight in attribution_models()) and its weight expression. #}
{% macro attribution_model_weights() -%}
    {%- set weights = {} -%}
    {%- for model in attribution_models() if model.get('weight') -%}
        {%- do weights.update({model['id']: model['weight']}) -%}
    {%- endfor -%}
    {{ return(weights) }}
{%- endmacro %}

{#
    Models whose split into whole units needs no window, keyed by how they split (others: the
    largest-remainder rule over their weights). 'single': exactly one session per conversion and
    range has a weight above 0 and takes every unit. 'equal': every eligible session has the same
    weight, so each takes floor(total / touches) and the newest `total mod touches` one more unit,
    which is what the largest-remainder rule gives equal shares (split_equally). 'position': position
    based's 40/20/40 (split_position_based). All give the rows the general rule would, without its
    three windows over every session of every model.
#}
{% macro attribution_model_splits() -%}
    {{ return({
        'first_click': 'single',
        'last_click': 'single',
        'last_non_direct': 'single',
        'linear': 'equal',
        'position_based': 'position',
    }) }}
{%- endmacro %}

{#
    The rule-based models fct_attribution_credits holds (data_driven is solved by the app from
    agg_channel_transitions). The var only_attribution_models narrows them for unit tests; the app
    expects them all.
#}
{% macro rule_based_attribution_models() -%}
    {%- set all_models = attribution_model_weights().keys() | list -%}
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
    `total` whole units (an integer expression) split equally over `parts` rows ranked 1..parts by
    `rank`: floor(total / parts) each, and one more to the `total mod parts` lowest ranks. Equal to
    split_by_largest_remainder with equal shares and `rank` as its tiebreak; the division is exact
    for |total| < 2^53 (a float quotient of integers is correctly rounded).
#}
{% macro split_equally(total, parts, rank) -%}
    {%- set whole = 'cast(floor((' ~ total ~ ') / (' ~ parts ~ ')) as ' ~ dbt.type_bigint() ~ ')' -%}
    {{ whole }}
        + case when {{ rank }} <= ({{ total }}) - {{ whole }} * ({{ parts }}) then 1 else 0 end
{%- endmacro %}

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

{#
    Position based's split of `total` whole units, as split_by_largest_remainder gives it with the
    weights of attribution_model_weights() and `rank` (recency, 1 = newest) as its tiebreak, without
    a window. Up to 2 sessions share equally. From 3 on, the two ends share 2(n-2) / 5(n-2) each and
    every middle session 1 / 5(n-2): the same float shares and floors the general rule computes. The
    units left over go one each in the rule's order (larger fraction first, then lower rank): the
    ends and the middles each have one fraction, so a session's place in that order is known from
    the two fractions and its rank alone. It assumes position based's weights as
    attribution_model_weights() gives them: change both together (the unit test
    shared_credit_models_by_hand and a comparison against the general rule catch a mismatch).
#}
{% macro split_position_based(total, touches, rank) -%}
    {%- set middles = '(' ~ touches ~ ' - 2)' -%}
    {%- set end_exact = '(' ~ total ~ ') * (cast(2 * ' ~ middles ~ ' as double) / cast(5 * ' ~ middles ~ ' as double))' -%}
    {%- set middle_exact = '(' ~ total ~ ') * (cast(1 as double) / cast(5 * ' ~ middles ~ ' as double))' -%}
    {%- set end_whole = 'floor(' ~ end_exact ~ ' + 1e-9)' -%}
    {%- set middle_whole = 'floor(' ~ middle_exact ~ ' + 1e-9)' -%}
    {%- set end_fraction = 'round(' ~ end_exact ~ ' - ' ~ end_whole ~ ', 6)' -%}
    {%- set middle_fraction = 'round(' ~ middle_exact ~ ' - ' ~ middle_whole ~ ', 6)' -%}
    {%- set is_end = '(' ~ rank ~ ' = 1 or ' ~ rank ~ ' = ' ~ touches ~ ')' -%}
    case
        when {{ touches }} <= 2 then {{ split_equally(total, touches, rank) }}
        else
            cast(case when {{ is_end }} then {{ end_whole }} else {{ middle_whole }} end as {{ dbt.type_bigint() }})
            + case
                when (
                    case
                        -- The ends first (newest, then oldest), then the middles newest first.
                        when {{ end_fraction }} > {{ middle_fraction }}
                            then case when {{ rank }} = 1 then 1 when {{ rank }} = {{ touches }} then 2 else {{ rank }} + 1 end
                        -- The middles first, then the ends.
                        when {{ end_fraction }} < {{ middle_fraction }}
                            then case when {{ rank }} = 1 then {{ touches }} - 1 when {{ rank }} = {{ touches }} then {{ touches }} else {{ rank }} - 1 end
                        else {{ rank }}
                    end
                ) <= ({{ total }})
                    - 2 * cast({{ end_whole }} as {{ dbt.type_bigint() }})
                    - {{ middles }} * cast({{ middle_whole }} as {{ dbt.type_bigint() }})
                    then 1
                else 0
            end
    end
{%- endmacro %}
