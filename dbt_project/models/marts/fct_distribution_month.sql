{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- Who receives the pack in each month, and which projects they may see.
with recipients as (
    select * from {{ ref('int_distribution_as_of_month') }}
)

select
    month,
    recipient_email,
    recipient_name,
    recipient_role,
    recipient_scope,
    snapshot_month as register_snapshot_month
from recipients
