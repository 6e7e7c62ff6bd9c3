"""A fast import of WeasyPrint's C bindings (``weasyprint.text.ffi``), doing exactly what it does.

Why: every build that lays out a PDF imports WeasyPrint before it forks its workers, so the import
is on the path of every edit. Of its ~0.6 s, ``weasyprint.text.ffi`` took ~0.35 s: cffi's in-line
mode parses the C declarations with pycparser (~0.08 s), and its ``ffi.dlopen(name)`` asks
``ctypes.util.find_library`` (which runs ``ldconfig`` and ``gcc``) for each of the ~20 library
names WeasyPrint tries (~0.27 s).

How: ``install()`` (called before anything imports WeasyPrint: render/pdf/weasy.py and
render/pdf/_weasy_internals.py) puts a finder on ``sys.meta_path`` for that one module. Its loader
runs WeasyPrint's own module code, with ``cffi`` replaced in that module by ``_Declared``:

- ``cdef(text)`` checks that the text is the one precompiled and does nothing else: the
  declarations come from cffi's out-of-line ABI mode (``set_source(name, None)`` +
  ``emit_python_code``), kept in a per-user cache file;
- ``dlopen(name)`` does what ``cffi.api._load_backend_lib`` does, with the answers
  ``find_library`` gave when the cache file was written: the same library files are opened;
- everything else (``new``, ``cast``, ``gc``, ``NULL``, ...) is the precompiled ``_cffi_backend.FFI``,
  which is also what the module's ``ffi`` is once its code has run.

The cache file's name is a key of everything its content depends on: this file's format,
WeasyPrint's version, cffi's version, ``weasyprint/text/ffi.py``'s bytes (its declarations and the
library names it tries), the platform and what ``find_library`` reads (``/etc/ld.so.cache``'s size
and time, ``LD_LIBRARY_PATH``, ``LIBRARY_PATH``); a file another user owns is not used. When there
is no such file, or anything does not match (another declaration text, an unknown library name, a
damaged file, any error), the module is imported the normal way, and a missing or damaged file is
written for next time: never another PDF, never a traceback.

One difference remains, on a path WeasyPrint 70 never takes: a function missing from a library
raises ``ffi.error`` where the in-line mode raises AttributeError (WeasyPrint tests for neither).

These are WeasyPrint's and cffi's internals (render/pdf/_weasy_internals.py says why they live
apart). ``make setup`` writes the cache file (by importing render/pdf/weasy.py once).
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import hashlib
import importlib.abc
import importlib.machinery
import io
import os
import sys
import tempfile
import types
from pathlib import Path
from typing import Any

MODULE = "weasyprint.text.ffi"
#: The cache file's layout; change it when what this module writes changes.
FORMAT = "1"

#: How the last import of ``MODULE`` went: "precompiled", "normal" (no cache file yet),
#: "fallback" (a file that did not match, or an error), or None (not imported through here).
last_import: str | None = None


class _Mismatch(Exception):
    """The module asked for something the cache file does not hold."""


def install() -> None:
    """Make the next import of ``weasyprint.text.ffi`` use the cache file (once per process)."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None
        spec.loader = _Loader(spec.loader)
        return spec


class _Loader(importlib.abc.Loader):
    """Runs the module's code with the precompiled declarations, else as its own loader would."""

    def __init__(self, original: importlib.machinery.SourceFileLoader) -> None:
        self.original = original

    def __getattr__(self, name: str) -> Any:  # get_source etc.: tracebacks and inspect read the real file
        return getattr(self.original, name)

    def exec_module(self, module: types.ModuleType) -> None:
        global last_import
        initial = dict(module.__dict__)
        try:
            source = Path(self.original.path).read_bytes()
            key = cache_key(source)
        except Exception:  # noqa: BLE001 - no key, no cache file: the normal import
            last_import = "normal"
            self.original.exec_module(module)
            return
        try:
            cached = _read(cache_path(key), key)
        except Exception:  # noqa: BLE001 - a damaged file: written again below
            cached, last_import = None, "fallback"
        else:
            last_import = "normal" if cached is None else "precompiled"
        if cached is not None:
            try:
                _run_precompiled(self.original.get_code(MODULE), module, cached)
                return
            except Exception:  # noqa: BLE001 - the module asked for what the file does not hold: the normal way
                module.__dict__.clear()
                module.__dict__.update(initial)
                last_import = "fallback"
        self.original.exec_module(module)
        if cached is None:
            try:
                write(module, source, key)  # for the next import
            except Exception:  # noqa: BLE001 - a cache that cannot be written is only slower
                pass


def _run_precompiled(code: types.CodeType, module: types.ModuleType, cached: dict[str, Any]) -> None:
    """Run the module's code with ``import cffi`` giving a ``_Declared`` (only in that module)."""
    declared = _Declared(cached["ffi"], cached["CDEF_SHA256"], cached["FOUND"])
    shim = types.SimpleNamespace(FFI=declared.construct)

    def importer(name: str, globals_: Any = None, locals_: Any = None, fromlist: Any = (), level: int = 0) -> Any:
        if name == "cffi" and level == 0:
            return shim
        return builtins.__import__(name, globals_, locals_, fromlist, level)

    namespace = module.__dict__
    # Only this module's code sees ``importer`` (its functions keep these builtins, which differ
    # only for ``import cffi``, which they never run); no other module's import is touched.
    namespace["__builtins__"] = {**builtins.__dict__, "__import__": importer}
    exec(code, namespace)  # noqa: S102 - WeasyPrint's own module code, as its loader runs it
    if namespace.get("ffi") is not declared or not declared.declared:
        raise _Mismatch("the module did not declare through its ffi")
    namespace["ffi"] = cached["ffi"]  # what the other WeasyPrint modules import
    namespace["__builtins__"] = builtins


class _Declared:
    """What ``cffi.FFI()`` gives WeasyPrint's module: the precompiled declarations."""

    def __init__(self, compiled: Any, cdef_sha256: str, found: dict[str, str | None]) -> None:
        self.compiled, self.cdef_sha256, self.found = compiled, cdef_sha256, found
        self.constructed = self.declared = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled, name)

    def construct(self, *args: Any, **kwargs: Any) -> _Declared:
        if args or kwargs or self.constructed:
            raise _Mismatch("FFI() called with arguments, or twice")
        self.constructed = True
        return self

    def cdef(self, csource: str, override: bool = False, packed: bool = False, pack: int | None = None) -> None:
        if self.declared or override or packed or pack is not None or _sha256(csource) != self.cdef_sha256:
            raise _Mismatch("another declaration than the precompiled one")
        self.declared = True

    def dlopen(self, name: Any, flags: int = 0) -> Any:
        """cffi.api._load_backend_lib for a name, with find_library's recorded answers."""
        if not self.declared or not isinstance(name, str) or name not in self.found:
            raise _Mismatch(f"a library name the cache file does not know: {name!r}")
        first_error = None
        if "." in name or "/" in name or os.sep in name:
            try:
                return self.compiled.dlopen(name, flags)
            except OSError as error:
                first_error = error
        path = self.found[name]
        if path is None:
            message = f"ctypes.util.find_library() did not manage to locate a library called {name!r}"
            raise OSError(f"{first_error}.  Additionally, {message}" if first_error else message)
        return self.compiled.dlopen(path, flags)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_key(source: bytes) -> str:
    """Everything the cache file's content depends on, hashed (see the module docstring)."""
    import _cffi_backend

    weasyprint = sys.modules.get("weasyprint")  # being imported: its version is set first
    try:
        ld_cache = os.stat("/etc/ld.so.cache")
        ld = f"{ld_cache.st_size}:{ld_cache.st_mtime_ns}"
    except OSError:
        ld = "-"
    parts = (FORMAT, str(getattr(weasyprint, "__version__", None)), _cffi_backend.__version__, sys.platform,
             os.uname().machine if hasattr(os, "uname") else "", ld,
             *(os.environ.get(name, "") for name in ("LD_LIBRARY_PATH", "LIBRARY_PATH")))
    hasher = hashlib.sha256(source)
    for part in parts:
        hasher.update(b"\0" + part.encode("utf-8"))
    return hasher.hexdigest()[:32]


def cache_dir() -> Path:
    """The per-user cache folder (XDG_CACHE_HOME, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "planpress" / "weasyprint-ffi"


def cache_path(key: str) -> Path:
    return cache_dir() / f"ffi-{key}.py"


def _read(path: Path, key: str) -> dict[str, Any] | None:
    """The cache file's names (``ffi``, ``CDEF_SHA256``, ``FOUND``), or None when there is none."""
    try:
        with path.open(encoding="utf-8") as file:
            if hasattr(os, "getuid") and os.fstat(file.fileno()).st_uid != os.getuid():
                raise _Mismatch("a cache file of another user")  # it is run: only the user's own
            text = file.read()
    except FileNotFoundError:
        return None
    namespace: dict[str, Any] = {"__name__": "_planpress_weasyprint_ffi"}
    exec(compile(text, str(path), "exec"), namespace)  # noqa: S102 - written by write() below
    if namespace.get("KEY") != key:
        raise _Mismatch("a cache file of another key")
    return namespace


def write(module: types.ModuleType, source: bytes, key: str) -> Path:
    """Write the cache file for a module imported the normal way (its in-line ``ffi``).

    An unwritable folder fails first: asking ``find_library`` about every name takes about a second.
    """
    import ctypes.util

    import cffi

    (text,) = module.ffi._cdefsources  # one cdef() call, or this file's assumptions do not hold
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        found = {name: ctypes.util.find_library(name) for name in library_names(source.decode("utf-8"))}
        generator = cffi.FFI()
        generator.cdef(text)
        generator.set_source("_planpress_weasyprint_ffi", None)
        generated = Path(scratch) / "generated.py"
        with contextlib.redirect_stdout(io.StringIO()):  # cffi says "generating ..."
            generator.emit_python_code(str(generated))
        trailer = f"\nCDEF_SHA256 = {_sha256(text)!r}\nFOUND = {found!r}\nKEY = {key!r}\n"
        generated.write_text(generated.read_text(encoding="utf-8") + trailer, encoding="utf-8")
        os.replace(generated, cache_path(key))
    return cache_path(key)


def library_names(source: str) -> list[str]:
    """Every string given to the module's ``_dlopen(ffi, name, ...)`` calls: the names it tries."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_dlopen":
            names += [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    return sorted(set(names))
