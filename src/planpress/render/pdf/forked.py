"""Worker processes forked from one that has already imported what they all need (``ForkedPool``).

``concurrent.futures.ProcessPoolExecutor`` forks every worker from the build's own process, so
each imports WeasyPrint itself: ~0.3 s of a core per worker, which on a 2-core machine is
a tenth of a build after an edit. Here the build forks one worker; it runs ``prepare`` (the
imports) and then forks the others from itself, so the import is made once, on the core the
build's reading of its content leaves idle (pdf.early_workers). Each worker then runs ``start``
(what is its own: its fonts, loaded once for all its batches). ``prepare`` must start no thread:
a fork copies only the thread that makes it (WeasyPrint's import starts none).

Jobs go one at a time to whichever worker is free, through a pipe per worker. A worker that
ends while it has a job (killed by the system when memory runs out, or by ``kill``) fails that
job and every job not yet started with ``BrokenProcessPool``, as the standard pool does, and the
pool takes no more jobs.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any

#: Why a job failed whose worker ended (``BrokenProcessPool``), and why the pool takes no more.
_ENDED = "a worker process ended while it had a job"
#: A job as it waits for a worker: its future, the function (pickled by name) and its arguments.
_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]


class ForkedPool:
    """``count`` worker processes: the first forked now, the others by it once ``prepare`` ran."""

    def __init__(self, count: int, prepare: Callable[..., None], start: Callable[[], None],
                 args: tuple[Any, ...] = ()) -> None:
        context = multiprocessing.get_context("fork")
        pipes = [context.Pipe() for _ in range(max(1, count))]
        ours, theirs = [pipe[0] for pipe in pipes], [pipe[1] for pipe in pipes]
        self.first = context.Process(target=_first, args=(os.getpid(), ours, theirs, prepare, start, args),
                                     name="planpress-pdf-worker", daemon=True)
        self.first.start()
        for end in theirs:  # each worker's end is its own: the build sees it close when the worker ends
            end.close()
        self.pids: list[int] = []
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.broken = self.closed = False
        self.feeders = [threading.Thread(target=self._feed, args=(end,), name="planpress-pdf-feed", daemon=True)
                        for end in ours]
        for feeder in self.feeders:
            feeder.start()

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run ``function(*args)`` in the first free worker; its result or exception comes back pickled."""
        future: Future[Any] = Future()
        with self.lock:
            if self.broken:
                raise BrokenProcessPool(_ENDED)
            if self.closed:
                raise RuntimeError("the workers are closed")
            self.jobs.put((future, function, args))
        return future

    def kill(self) -> None:
        """End every worker at once; their jobs fail (``BrokenProcessPool``)."""
        with self.lock:
            pids = list(self.pids)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.first.kill()  # and with it any worker not yet started (they die with it: _die_with)

    def shutdown(self) -> None:
        """Cancel the jobs not started, wait for those under way, then for the workers to end."""
        with self.lock:
            self.closed = True
            for future, _, _ in self._take_waiting():
                future.cancel()
                future.set_running_or_notify_cancel()  # wakes concurrent.futures.wait: cancel() alone does not
            for _ in self.feeders:
                self.jobs.put(None)
        for feeder in self.feeders:
            feeder.join()
        self.first.join()

    def _feed(self, end: Connection) -> None:
        """One worker's thread in the build: hands it jobs and takes back their results."""
        try:
            pid = end.recv()  # sent once the worker has started
        except (EOFError, OSError):
            end.close()
            self._break()
            return
        with self.lock:
            self.pids.append(pid)
        try:
            self._hand_jobs(end)
        finally:
            with self.lock:  # ended or ending: ``kill`` must not signal a pid the system may reuse
                self.pids.remove(pid)
            end.close()

    def _hand_jobs(self, end: Connection) -> None:
        while (job := self.jobs.get()) is not None:
            future, function, args = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                end.send((function, args))
            except (OSError, ValueError):  # the worker ended
                future.set_exception(BrokenProcessPool(_ENDED))
                self._break()
                return
            except Exception as error:  # noqa: BLE001 - arguments that do not pickle: this job's failure
                future.set_exception(error)
                continue
            try:
                done, value = end.recv()
            except (EOFError, OSError):
                future.set_exception(BrokenProcessPool(_ENDED))
                self._break()
                return
            except Exception as error:  # noqa: BLE001 - a result that does not unpickle
                future.set_exception(error)
                continue
            if done:
                future.set_result(value)
            else:
                future.set_exception(value)
        try:
            end.send(None)  # the worker ends
        except OSError:
            pass

    def _break(self) -> None:
        with self.lock:
            self.broken = True
            for future, _, _ in self._take_waiting():
                if future.set_running_or_notify_cancel():
                    future.set_exception(BrokenProcessPool(_ENDED))

    def _take_waiting(self) -> list[_Job]:
        """The jobs no worker has taken yet (the lock held); the feeders' ends of queue stay."""
        taken, ends = [], 0
        while True:
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                ends += 1
            else:
                taken.append(job)
        for _ in range(ends):
            self.jobs.put(None)
        return taken


def _first(build: int, ours: list[Connection], theirs: list[Connection], prepare: Callable[..., None],
           start: Callable[[], None], args: tuple[Any, ...]) -> None:
    """The first worker: prepares, forks the others, serves its own pipe, waits for them to end."""
    _die_with(build)
    for end in ours:  # the build's ends: a worker reads the end of its pipe once the build closes it
        end.close()
    prepare(*args)
    forked = []
    for end in theirs[1:]:
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # never returns: the rest of this function is the first worker's
            code = 1
            try:
                _die_with(parent)
                for other in theirs:
                    if other is not end:
                        other.close()
                _serve(end, start)
                code = 0
            finally:
                os._exit(code)
        forked.append(pid)
        end.close()
    _serve(theirs[0], start)
    for pid in forked:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def _serve(end: Connection, start: Callable[[], None]) -> None:
    """A worker's loop: each job's result, or the exception it raised, back to the build."""
    try:
        start()
        end.send(os.getpid())
        while (job := end.recv()) is not None:
            function, args = job
            try:
                reply = (True, function(*args))
            except BaseException as error:  # noqa: BLE001 - the build's to raise
                reply = (False, error)
            try:
                end.send(reply)
            except Exception as error:  # noqa: BLE001 - a result that does not pickle
                end.send((False, RuntimeError(f"{type(error).__name__}: {error}")))
    except (EOFError, OSError):  # the build ended
        pass


def _die_with(parent: int) -> None:
    """A worker ends when the process that forked it ends, even killed (Linux: PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # it died before the line above ran
        os._exit(1)
