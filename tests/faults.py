"""Run ``planpress`` with a SIGKILL injected at one exact step of writing output/.

    python tests/faults.py POINT COUNT planpress-arguments...

POINT is where the process kills itself, at the COUNT-th such step on a file in output/:
``torn`` halfway through writing a file's bytes, ``written`` once a file's bytes are flushed to
disk, ``rename`` just before a file is renamed over its target, ``renamed`` just after. The hooks
sit on the operating-system calls the writer makes (os.fdopen, os.fsync, os.replace), not on
planpress's own functions, so a writer that stops writing through temporary files is caught.
Without the step being reached the process exits with status 3 (the test then fails).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

POINTS = ("torn", "written", "rename", "renamed")


def _in_output(path: str) -> bool:
    return Path(path).resolve().parent == (Path.cwd() / "output").resolve()


def _fd_path(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


class _Counter:
    def __init__(self, point: str, count: int) -> None:
        self.point, self.count, self.seen = point, count, 0

    def step(self, point: str) -> bool:
        """True when this is the step to die at."""
        if point != self.point:
            return False
        self.seen += 1
        return self.seen == self.count


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class _Torn:
    """A file stream whose chosen write puts half its bytes on disk, then kills the process."""

    def __init__(self, stream, fd: int, counter: _Counter) -> None:  # noqa: ANN001 - a binary file object
        self._stream, self._fd, self._counter = stream, fd, counter

    def __getattr__(self, name: str):  # noqa: ANN204 - whatever the stream has
        return getattr(self._stream, name)

    def __enter__(self) -> _Torn:
        self._stream.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.__exit__(*exc)

    def write(self, data: bytes) -> int:
        if self._counter.step("torn"):
            self._stream.write(data[: len(data) // 2])
            self._stream.flush()
            os.fsync(self._fd)
            _die()
        return self._stream.write(data)


def install(point: str, count: int) -> None:
    counter = _Counter(point, count)
    fdopen, fsync, replace = os.fdopen, os.fsync, os.replace

    def torn_fdopen(fd: int, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - os.fdopen's signature
        stream = fdopen(fd, *args, **kwargs)
        return _Torn(stream, fd, counter) if _in_output(_fd_path(fd)) else stream

    def fsync_then_die(fd: int) -> None:
        fsync(fd)
        if _in_output(_fd_path(fd)) and counter.step("written"):
            _die()

    def replace_with_death(source: str, target: str) -> None:
        watched = _in_output(str(target)) and str(source).endswith(".part") and ".previous." not in str(source)
        if watched and counter.step("rename"):
            _die()
        replace(source, target)
        if watched and counter.step("renamed"):
            _die()

    os.fdopen, os.fsync, os.replace = torn_fdopen, fsync_then_die, replace_with_death


if __name__ == "__main__":
    point, count, *arguments = sys.argv[1:]
    assert point in POINTS, point
    install(point, int(count))
    from planpress.cli import main

    main(arguments)
    sys.exit(3)  # the step was never reached
