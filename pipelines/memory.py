"""Handing freed memory back to the operating system between the stages of a run."""

import gc

import pyarrow as pa


def release_freed_memory() -> None:
    """Arrow's allocator keeps what pandas and the parsers freed, for reuse: after a 5 M-row ingest that is most
    of a gigabyte the process no longer needs, while dbt, the next stage, runs in a process of its own."""
    gc.collect()
    pa.default_memory_pool().release_unused()
