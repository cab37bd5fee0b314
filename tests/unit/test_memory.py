"""Memory freed by a stage goes back to the operating system before the next one."""

import json
import subprocess
import sys

# Measured in a fresh interpreter: in a long test process the allocator reuses memory earlier tests freed, so
# what a new allocation adds to the resident size (and what can be handed back) depends on the tests before it.
MEASURE = """
import json, psutil, pandas as pd
from pipelines.core.memory import release_freed_memory

def rss_kb():
    return psutil.Process().memory_info().rss // 1024

release_freed_memory()
before = rss_kb()
column = pd.Series([f"item {n:09d} of a large export" for n in range(3_000_000)], dtype="str")
upper = column.str.upper().str.replace("ITEM", "WORK ITEM", regex=False)  # Arrow buffers, hundreds of MB
first = upper.iloc[1]
del column, upper
held = rss_kb()
release_freed_memory()
print(json.dumps({"first": first, "before": before, "held": held, "after": rss_kb()}))
"""


def test_memory_freed_by_arrow_strings_is_handed_back():
    done = subprocess.run([sys.executable, "-c", MEASURE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["first"] == "WORK ITEM 000000001 OF A LARGE EXPORT"
    grown = figures["held"] - figures["before"]  # in KB; how much RSS the strings add varies with the machine
    assert grown > 50_000, figures
    assert figures["held"] - figures["after"] > grown * 0.75, figures  # most of it handed back
