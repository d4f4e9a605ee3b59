{# Fails for each combination of the given columns that appears on more than one row. #}
{% test unique_combination_of_columns(model, combination_of_columns) %}

{%- set columns = combination_of_columns | join(', ') %}

select
    {{ columns }},
    count(*) as row_count
from {{ model }}
group by {{ columns }}
having count(*) > 1

{% endtest %}
