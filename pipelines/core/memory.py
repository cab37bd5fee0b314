"""Handing freed memory back to the operating system between the stages of a run."""

import gc

import pyarrow as pa

COLLECT_ABOVE_BYTES = 32 * 1024 * 1024


def release_freed_memory() -> None:
    """Arrow's allocator keeps what pandas and the parsers freed, for reuse: after a 5 M-row ingest that is most
    of a gigabyte the process no longer needs, while dbt, the next stage, runs in a process of its own.

    A full garbage collection (pandas objects hold their Arrow buffers in reference cycles) runs only when Arrow
    still holds more than `COLLECT_ABOVE_BYTES`: it costs a third of a second in a process holding Dagster, GX
    and dbt's manifest, and a month calls this once per table."""
    if pa.total_allocated_bytes() > COLLECT_ABOVE_BYTES:
        gc.collect()
    pa.default_memory_pool().release_unused()
