"""Atomic writes into output/: a file is whole and new, or the old one is untouched; a set of
files is replaced whole, or not at all.

An item of a set can be a folder (the web edition): its files are given as a mapping of paths
inside it to bytes, written into a temporary folder, and the folder is swapped in whole, so a
page that no longer exists goes with the old folder. Swapping a folder takes two renames (the old
one aside, the new one in); a build killed between them leaves the old one aside as
``.NAME.previous.*.part``, and the next build puts it back (remove_leftovers).
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

#: Temporary files are ``.NAME.<random>.part`` beside their target.
PARTIAL = ".*.part"

#: What a set's item holds: a file's bytes, or a folder's files by their paths inside it.
Data = bytes | Mapping[str, bytes]


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, then rename it over.

    Raises WriteError (its reason in Japanese) when the file cannot be written."""
    try:
        temporary = _temporary(path, data)
    except OSError as error:
        raise WriteError(path, error) from None
    try:
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise WriteError(path, error) from None
        raise


class WriteError(OSError):
    """A file of the set could not be written; nothing of the set was replaced."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(error.errno, error.strerror)
        self.path = path
        self.reason = write_reason(error)


def write_reason(error: OSError) -> str:
    """Why a file could not be written, in the office's words (the system's where planpress has none)."""
    return _REASONS.get(error.errno or 0, f"{error.strerror or error}")


_REASONS = {
    errno.EACCES: "書き込む権限がありません", errno.EPERM: "書き込む権限がありません",
    errno.EROFS: "読み取り専用の場所です", errno.ENOSPC: "ディスクの空きがありません",
    errno.EDQUOT: "ディスクの割り当てを超えています", errno.EISDIR: "同じ名前のフォルダがあります",
    errno.ENOTDIR: "途中のフォルダがファイルになっています",
    errno.EEXIST: "フォルダを作る場所に同じ名前のファイルがあります",  # mkdir where a file is
}


def write_all(files: Sequence[tuple[Path, Data]]) -> None:
    """Replace every file of the set, or none: all are written to temporary files first; then
    each is renamed over its target, and if one rename fails the ones done are put back."""
    written: list[tuple[Path, str]] = []
    try:
        for path, data in files:
            written.append((path, _temporary(path, data)))
    except OSError as error:
        for _, temporary in written:
            _remove(temporary)
        raise WriteError(path, error) from None
    except BaseException:
        for _, temporary in written:
            _remove(temporary)
        raise
    _rename_all(written)


def _remove(path: str | Path) -> None:
    """Delete a temporary file or folder, if it is there."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        Path(path).unlink(missing_ok=True)


def _temporary(path: Path, data: Data) -> str:
    """``data`` in a flushed temporary file (or folder) beside ``path``."""
    if not isinstance(data, bytes):
        return _temporary_folder(path, data)
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


def _temporary_folder(path: Path, files: Mapping[str, bytes]) -> str:
    """A temporary folder beside ``path`` holding ``files`` (paths inside it), each flushed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        for name, data in files.items():
            target = Path(temporary, name)
            if ".." in Path(name).parts or Path(name).is_absolute():
                raise ValueError(f"{name}: outside the folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(target, 0o644)
        os.chmod(temporary, 0o755)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return temporary


def _rename_all(written: list[tuple[Path, str]]) -> None:
    """Rename the temporary files over their targets, keeping each old file until all are done."""
    done: list[tuple[Path, str | None]] = []
    try:
        for path, temporary in written:
            previous = None
            if os.path.isdir(temporary) and path.is_dir() and not path.is_symlink():
                # A folder cannot be hard-linked: the old one is moved aside, then the new one in.
                previous = tempfile.mktemp(prefix=f".{path.name}.previous.", suffix=".part", dir=path.parent)
                done.append((path, previous))
                os.rename(path, previous)
            elif path.is_dir() and not path.is_symlink():  # os.link would say EPERM: no permission
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
            elif path.exists():
                previous = tempfile.mktemp(prefix=f".{path.name}.previous.", suffix=".part", dir=path.parent)
                os.link(path, previous)
                done.append((path, previous))
            else:
                done.append((path, None))
            os.replace(temporary, path)
    except BaseException as error:
        _put_back(done)
        for _, temporary in written:
            _remove(temporary)
        if isinstance(error, OSError):
            raise WriteError(path, error) from None
        raise
    for _, previous in done:
        if previous is not None:
            _remove(previous)


def _put_back(done: list[tuple[Path, str | None]]) -> None:
    """Undo the renames done so far, last first: each target as it was before the build."""
    for path, previous in reversed(done):
        if previous is not None and os.path.isdir(previous):
            if os.path.lexists(path):
                aside = tempfile.mktemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
                os.rename(path, aside)
                _remove(aside)
            os.rename(previous, path)
        elif previous is not None and os.path.exists(previous):
            os.replace(previous, path)
        elif previous is None:
            _remove(path)


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
    """Delete temporary files a killed build left behind; only while holding the lock.

    An old folder moved aside by a build killed before it moved the new one in is put back.
    """
    leftovers = sorted(directory.glob(PARTIAL))
    for path in leftovers:
        target = directory / path.name[1:].split(".previous.")[0]
        if ".previous." in path.name and path.is_dir() and not os.path.lexists(target):
            os.rename(path, target)
        else:
            _remove(path)
    return leftovers
