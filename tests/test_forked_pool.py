"""The worker processes of a build (render/pdf/forked.py): real processes, real pipes."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import wait
from pathlib import Path
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pytest

from planpress.render.pdf.forked import ForkedPool

#: Where ``_prepare`` ran (the worker's pid), and the barrier two jobs meet at: set by ``_prepare``.
_PREPARED: dict[str, Any] = {}


def _prepare(barrier: Any) -> None:
    _PREPARED.update(pid=os.getpid(), barrier=barrier)


def _start() -> None:
    _PREPARED["started"] = os.getpid()


def _where() -> tuple[int, int, int, int]:
    """This worker: its pid, its parent's, where it was prepared and started; after meeting another job."""
    _PREPARED["barrier"].wait(timeout=60)
    return os.getpid(), os.getppid(), _PREPARED["pid"], _PREPARED["started"]


def _pid() -> int:
    return os.getpid()


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _fail() -> None:
    raise ValueError("第3節", 7)


def _unpicklable() -> Any:
    return lambda: None


def test_the_workers_are_forked_from_the_first_once_it_is_prepared() -> None:
    """The build forks one worker; it prepares (the imports), then forks the others itself: each
    starts on its own, and all share what the first prepared, made once."""
    pool = ForkedPool(2, _prepare, _start, (multiprocessing.get_context("fork").Barrier(2),))
    try:
        found = [future.result(timeout=120) for future in [pool.submit(_where), pool.submit(_where)]]
    finally:
        pool.shutdown()
    (first, *_), (second, *_) = sorted(found, key=lambda item: item[1] != os.getpid())
    assert first != second
    by_pid = {pid: (parent, prepared, started) for pid, parent, prepared, started in found}
    assert by_pid[first] == (os.getpid(), first, first)  # the build's child, prepared and started there
    assert by_pid[second] == (first, first, second)  # the first's child: prepared by it, started on its own


def test_a_jobs_failure_comes_back_and_the_worker_goes_on() -> None:
    pool = ForkedPool(1, _prepare, _start, (None,))
    try:
        with pytest.raises(ValueError) as raised:
            pool.submit(_fail).result(timeout=120)
        assert raised.value.args == ("第3節", 7)
        with pytest.raises(Exception):  # noqa: B017, PT011 - pickle's own error: not a hang
            pool.submit(_unpicklable).result(timeout=120)
        assert pool.submit(_pid).result(timeout=120) > 0
    finally:
        pool.shutdown()


def test_closing_cancels_the_jobs_not_started_and_wakes_who_waits_for_them() -> None:
    """A build stopped (Ctrl-C) closes its workers while a document's thread waits for a batch not
    yet started (``concurrent.futures.wait``): the batch is cancelled and the thread wakes at once,
    not when the build gives up on it."""
    pool = ForkedPool(1, _prepare, _start, (None,))
    running, waiting = pool.submit(_sleep, 2), pool.submit(_pid)
    began = time.monotonic()
    while not running.running() and time.monotonic() - began < 120:  # taken by the worker, once it has started
        time.sleep(0.01)
    closing = threading.Thread(target=pool.shutdown)
    closing.start()
    done, _ = wait([waiting], timeout=10)
    assert waiting in done and waiting.cancelled()
    closing.join(timeout=60)
    assert running.done() and running.exception() is None


def test_a_worker_killed_fails_its_job_and_those_waiting() -> None:
    """Killed from outside (the system, when memory runs out): its job and the jobs not started
    fail as the standard pool's do, the pool takes no more, and closing it waits for nothing."""
    pool = ForkedPool(1, _prepare, _start, (None,))
    pid = pool.submit(_pid).result(timeout=120)
    running, waiting = pool.submit(_sleep, 60), pool.submit(_sleep, 60)
    time.sleep(0.5)
    os.kill(pid, signal.SIGKILL)
    for future in (running, waiting):
        with pytest.raises(BrokenProcessPool):
            future.result(timeout=30)
    with pytest.raises(BrokenProcessPool):
        pool.submit(_pid)
    began = time.monotonic()
    pool.shutdown()
    assert time.monotonic() - began < 10


def test_a_worker_killed_while_idle_fails_the_next_job() -> None:
    pool = ForkedPool(1, _prepare, _start, (None,))
    pid = pool.submit(_pid).result(timeout=120)
    os.kill(pid, signal.SIGKILL)
    assert _ended(pid)
    with pytest.raises(BrokenProcessPool):
        pool.submit(_pid).result(timeout=30)
    pool.shutdown()


def test_kill_ends_every_worker_at_once() -> None:
    pool = ForkedPool(2, _prepare, _start, (None,))
    pids = {pool.submit(_pid).result(timeout=120) for _ in range(2)}
    running = [pool.submit(_sleep, 60) for _ in range(2)]
    time.sleep(0.5)
    pool.kill()
    for future in running:
        with pytest.raises(BrokenProcessPool):
            future.result(timeout=30)
    pool.shutdown()
    assert all(_ended(pid) for pid in pids)


def _ended(pid: int) -> bool:
    """Whether ``pid`` has ended within 10 s (gone, or a zombie its new parent has not reaped)."""
    for _ in range(100):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.1)
    return False
