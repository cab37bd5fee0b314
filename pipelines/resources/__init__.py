"""Settings, the warehouse and delivery transports; the Dagster resources built from them are in `run_resources`.

Kept free of Dagster imports, so a parse worker can load its settings without importing the orchestrator.
"""
