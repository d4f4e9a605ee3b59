-- When and how the marts were last built, so the app can say how fresh its numbers are.
-- Built after every mart, so built_at is also the watermark of int_users_changed's next run:
-- depends_on: {{ ref('fct_attribution_credits') }}, {{ ref('rpt_data_quality') }}, {{ ref('agg_channel_transitions') }}, {{ ref('agg_user_last_conversions') }}
with final as (
    select
        {{ run_started_at_sql() }} as built_at,
        '{{ invocation_id }}' as invocation_id,
        -- Whether users were stitched by user_id: int_users_changed recomputes them when this changes.
        {{ 'true' if attribution_user_id_stitching() else 'false' }} as is_user_id_stitching_on
)

select * from final
