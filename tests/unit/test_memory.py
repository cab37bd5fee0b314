"""Memory freed by a stage goes back to the operating system before the next one."""

import pandas as pd

from pipelines.core.memory import release_freed_memory
from pipelines.synthetic.bench import _rss_kb


def test_memory_freed_by_arrow_strings_is_handed_back():
    import os

    release_freed_memory()
    before = _rss_kb(os.getpid())
    column = pd.Series([f"item {n:09d} of a large export" for n in range(3_000_000)], dtype="str")
    upper = column.str.upper().str.replace("ITEM", "WORK ITEM", regex=False)  # Arrow buffers, hundreds of MB
    assert upper.iloc[1] == "WORK ITEM 000000001 OF A LARGE EXPORT"
    del column, upper
    held = _rss_kb(os.getpid())
    release_freed_memory()
    after = _rss_kb(os.getpid())
    assert held - after > 100_000, (before, held, after)  # in KB: more than 100 MB handed back
