"""Stopping steerpack with a signal stops its children first: nothing writes on, nothing is left running (issue 14).

Real processes throughout. The process table is read here with `ps`, independently of pipelines.run.signals.
"""

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.helpers import alive, start_logged, wait_for


def _in_a_driver(tmp_path, body: str, timeout: float = 60) -> dict:
    """Run `body` in a fresh Python process (its own children only: pytest's other children are never touched)
    and return the JSON it writes to `result`."""
    script = "import json, os, signal, subprocess, sys, time\nfrom pipelines.run.signals import terminate_descendants\n"
    script += textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=Path.cwd(), timeout=timeout, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads((tmp_path / "result").read_text())


def test_terminate_descendants_kills_grandchildren_that_ignore_sigterm(tmp_path):
    """A child that ends on SIGTERM, and under it a grandchild ignoring SIGTERM (SIG_IGN) and one whose handler does
    nothing: both grandchildren, handed to init once their parent died, are still found and SIGKILLed."""

    def grandchild(name: str, handler: str) -> str:
        return textwrap.dedent(f"""
            import os, signal, time
            signal.signal(signal.SIGTERM, {handler})
            open({str(tmp_path / name)!r}, "w").write(str(os.getpid()))
            time.sleep(120)
        """)

    child = textwrap.dedent(f"""
        import subprocess, sys, time
        subprocess.Popen([sys.executable, "-c", {grandchild("ignoring", "signal.SIG_IGN")!r}])
        subprocess.Popen([sys.executable, "-c", {grandchild("deaf", "lambda *args: None")!r}])
        time.sleep(120)
    """)
    result = _in_a_driver(
        tmp_path,
        f"""
        process = subprocess.Popen([sys.executable, "-c", {child!r}])
        deadline = time.monotonic() + 30
        while not all(os.path.exists(os.path.join({str(tmp_path)!r}, n)) and
                      open(os.path.join({str(tmp_path)!r}, n)).read() for n in ("ignoring", "deaf")):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        pids = [int(open(os.path.join({str(tmp_path)!r}, n)).read()) for n in ("ignoring", "deaf")]
        started = time.monotonic()
        report = terminate_descendants(timeout=1.0)
        took = time.monotonic() - started
        json.dump({{"child": process.pid, "grandchildren": pids, "terminated": report.terminated,
                   "killed": report.killed, "left": report.left, "took": took,
                   "child_status": process.wait(timeout=5)}}, open(os.path.join({str(tmp_path)!r}, "result"), "w"))
    """,
    )
    ignoring, deaf = result["grandchildren"]
    assert set(result["terminated"]) == {result["child"], ignoring, deaf}
    assert set(result["killed"]) == {ignoring, deaf}  # the SIGKILL fallback; the child itself ended on SIGTERM
    assert result["left"] == []
    assert alive([result["child"], ignoring, deaf]) == []
    assert 1.0 <= result["took"] < 3.0  # the deaf one was given the whole timeout
    assert result["child_status"] == -signal.SIGTERM


def test_a_process_that_ignores_sigterm_is_killed_without_waiting_out_the_timeout(tmp_path):
    code = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "open('ready', 'w').close(); time.sleep(120)"
    )
    result = _in_a_driver(
        tmp_path,
        f"""
        os.chdir({str(tmp_path)!r})
        process = subprocess.Popen([sys.executable, "-c", {code!r}])
        while not os.path.exists("ready"):
            time.sleep(0.05)
        started = time.monotonic()
        report = terminate_descendants(timeout=10.0)
        json.dump({{"took": time.monotonic() - started, "killed": report.killed, "pid": process.pid,
                   "status": process.wait(timeout=5)}}, open("result", "w"))
    """,
    )
    assert result["took"] < 2.0
    assert result["killed"] == [result["pid"]]
    assert result["status"] == -signal.SIGKILL


def test_a_stop_signal_inside_the_block_stops_the_children_then_calls_on_stop_then_exits(tmp_path):
    script = textwrap.dedent(f"""
        import signal, subprocess, sys, time
        from pipelines.run.signals import stop_children_on_signal

        before = signal.getsignal(signal.SIGINT)
        with stop_children_on_signal(on_stop=print):
            pass
        assert signal.getsignal(signal.SIGINT) is before  # put back when the block ends

        child = subprocess.Popen([sys.executable, "-c",
                                  "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"])

        def on_stop(signum):
            state = subprocess.run(["ps", "-o", "stat=", "-p", str(child.pid)], capture_output=True, text=True)
            open({str(tmp_path / "stopped")!r}, "w").write(f"{{signum}} {{state.stdout.strip()[:1] or 'gone'}}")

        with stop_children_on_signal(on_stop=on_stop, timeout=5):
            open({str(tmp_path / "ready")!r}, "w").close()
            time.sleep(60)
        print("not reached")
    """)
    process, out, _ = start_logged([sys.executable, "-c", script], tmp_path / "logs", cwd=Path.cwd())
    try:
        wait_for(lambda: (tmp_path / "ready").exists(), 30, "the script")
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert code == 128 + signal.SIGINT
    assert time.monotonic() - started < 3.0
    # on_stop ran once the child (ignoring SIGTERM, so SIGKILLed) was gone: a zombie left for its parent, or reaped
    assert (tmp_path / "stopped").read_text() in (f"{signal.SIGINT.value} Z", f"{signal.SIGINT.value} gone")
    assert "not reached" not in out.read_text(encoding="utf-8")
