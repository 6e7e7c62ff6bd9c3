"""Atomic writes into output/: a file is whole and new, or the old one is untouched; a set of
files is replaced whole, or not at all."""

from __future__ import annotations

import errno
import fcntl
import os
import tempfile
from collections.abc import Sequence
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Temporary files are ``.NAME.<random>.part`` beside their target.
PARTIAL = ".*.part"


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, then rename it over."""
    temporary = _temporary(path, data)
    try:
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class WriteError(OSError):
    """A file of the set could not be written; nothing of the set was replaced."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(error.errno, error.strerror)
        self.path = path
        self.reason = _REASONS.get(error.errno or 0, f"{error.strerror or error}")


_REASONS = {
    errno.EACCES: "書き込む権限がありません", errno.EPERM: "書き込む権限がありません",
    errno.EROFS: "読み取り専用の場所です", errno.ENOSPC: "ディスクの空きがありません",
    errno.EDQUOT: "ディスクの割り当てを超えています", errno.EISDIR: "同じ名前のフォルダがあります",
    errno.ENOTDIR: "途中のフォルダがファイルになっています",
}


def write_all(files: Sequence[tuple[Path, bytes]]) -> None:
    """Replace every file of the set, or none: all are written to temporary files first; then
    each is renamed over its target, and if one rename fails the ones done are put back."""
    written: list[tuple[Path, str]] = []
    try:
        for path, data in files:
            written.append((path, _temporary(path, data)))
    except OSError as error:
        for _, temporary in written:
            Path(temporary).unlink(missing_ok=True)
        raise WriteError(path, error) from None
    except BaseException:
        for _, temporary in written:
            Path(temporary).unlink(missing_ok=True)
        raise
    _rename_all(written)


def _temporary(path: Path, data: bytes) -> str:
    """``data`` in a flushed temporary file beside ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def _rename_all(written: list[tuple[Path, str]]) -> None:
    """Rename the temporary files over their targets, keeping each old file until all are done."""
    done: list[tuple[Path, str | None]] = []
    try:
        for path, temporary in written:
            previous = None
            if path.exists():
                previous = tempfile.mktemp(prefix=f".{path.name}.previous.", suffix=".part", dir=path.parent)
                os.link(path, previous)
            done.append((path, previous))
            os.replace(temporary, path)
    except BaseException as error:
        for path, previous in reversed(done):
            if previous is not None:
                os.replace(previous, path)
            else:
                path.unlink(missing_ok=True)
        for _, temporary in written:
            Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise WriteError(path, error) from None
        raise
    for _, previous in done:
        if previous is not None:
            Path(previous).unlink(missing_ok=True)


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold output/ for this build alone (a lock on the folder itself, freed even if killed)."""
    directory.mkdir(parents=True, exist_ok=True)
    handle = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def remove_leftovers(directory: Path) -> list[Path]:
    """Delete temporary files a killed build left behind; only while holding the lock."""
    leftovers = sorted(directory.glob(PARTIAL))
    for path in leftovers:
        path.unlink(missing_ok=True)
    return leftovers
