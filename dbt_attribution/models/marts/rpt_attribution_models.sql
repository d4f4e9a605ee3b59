-- Every attribution model the app offers, from attribution_models(): the registry the app's API,
-- CLI and views list, so a model added in dbt reaches them without a change to the app.
{%- set rows = [] %}
{%- for model in attribution_vocabulary()['models'] %}
    {%- for text in [model['id'], model['name'] or '', model['description']] if "'" in text or '\\' in text %}
        {{ exceptions.raise_compiler_error("attribution_models(): write model texts without ' or \\, got: " ~ text) }}
    {%- endfor %}
    {%- do rows.append(model) %}
{%- endfor %}

with final as (
    {%- for model in rows %}
    select
        '{{ model["id"] }}' as attribution_model,
        {{ loop.index }} as sort_order,
        {{ "'" ~ model["name"] ~ "'" if model["name"] else "cast(null as " ~ dbt.type_string() ~ ")" }} as model_name,
        '{{ model["description"] }}' as description,
        {{ 'true' if model['is_rule_based'] else 'false' }} as is_rule_based
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from final
