with source as (
    select * from {{ source('forecast', 'monte_carlo_distribution') }}
)

select
    month,
    project_id,
    finish_date,
    trials
from source
