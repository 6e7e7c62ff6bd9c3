"""render/pdf/_weasy_ffi.py: WeasyPrint's C bindings from precompiled declarations are the ones
its normal import makes (same declarations, same library files, same PDF), and a cache file that
does not match falls back to the normal import.

Each import runs in a process of its own (an import happens once per process), with its own
XDG_CACHE_HOME.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from planpress.render.pdf import _weasy_ffi

#: Imports WeasyPrint as planpress does, then prints how, and what its bindings are.
PROBE = r"""
import hashlib, json, re
from planpress.render.pdf import _weasy_ffi, weasy  # weasy installs the finder, then imports WeasyPrint
import weasyprint
from weasyprint.text import ffi as module

ffi = module.ffi
def shape(ctype, deep=True):
    # A C type by what it is, not by its name: cffi names a typedefed struct differently in its
    # two modes ("FcConfig" in-line, "struct _FcConfig" out-of-line).
    if ctype.kind in ("pointer", "array"):
        return [ctype.kind, shape(ctype.item, deep), ctype.length if ctype.kind == "array" else None]
    if ctype.kind == "function":
        return ["function", shape(ctype.result, deep), [shape(arg, deep) for arg in ctype.args], ctype.ellipsis]
    if ctype.kind == "struct" or ctype.kind == "union":
        try:
            size = ffi.sizeof(ctype)  # also completes an out-of-line struct, before its fields are read
        except Exception:  # opaque (ffi.error in one mode, CDefError in the other)
            return [ctype.kind, None, None]
        fields = [[name, field.offset, field.bitsize, shape(field.type, False) if deep else field.type.kind]
                  for name, field in ctype.fields]
        return [ctype.kind, fields, size]
    if ctype.kind == "enum":
        return ["enum", sorted(ctype.elements.items())]
    return [ctype.kind, ctype.cname]
def declared(lib):
    if lib is None:
        return None
    found = {}
    for name in sorted(dir(lib)):
        try:
            value = getattr(lib, name)
        except Exception:  # declared, not in this library (AttributeError in one mode, ffi.error in the other)
            found[name] = "missing"
            continue
        found[name] = value if isinstance(value, int) else shape(ffi.typeof(value))
    return found
def typed(name):
    return shape(ffi.typeof(name))
libraries = ("gobject", "pango", "harfbuzz", "harfbuzz_subset", "harfbuzz_vector", "fontconfig", "pangoft2")
with open("/proc/self/maps") as maps:
    files = sorted({line.split()[-1] for line in maps if re.search(r"/lib(gobject|pango|harfbuzz|fontconfig)[^/]*$", line)})
html = '<html lang="ja"><p style="font-family: serif; text-align: justify">計画の概要 Plan <b>太字</b> 2026年</p>'
pdf = weasyprint.HTML(string=html).write_pdf(pdf_identifier=b"probe")
print(json.dumps({
    "how": _weasy_ffi.last_import, "ffi": type(ffi).__module__ + "." + type(ffi).__name__,
    "libraries": {name: declared(getattr(module, name)) for name in libraries},
    "types": {prefix + name: typed(prefix + name)
              for prefix, names in zip(("", "struct ", "union "), ffi.list_types()) for name in names},
    "units": [module.TO_UNITS, module.FROM_UNITS], "files": files,
    "pdf": hashlib.sha256(pdf).hexdigest(),
}))
"""


def probe(cache: Path) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return json.loads(done.stdout)


def cache_files(cache: Path) -> list[Path]:
    return sorted((cache / "planpress" / "weasyprint-ffi").glob("ffi-*.py"))


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A cache folder after the first import (the normal one, which writes the cache file)."""
    cache = tmp_path_factory.mktemp("xdg")
    return cache, probe(cache)


def test_the_first_import_is_the_normal_one_and_writes_the_cache_file(first: tuple[Path, dict]) -> None:
    cache, normal = first
    assert normal["how"] == "normal" and normal["ffi"] == "cffi.api.FFI"
    assert len(cache_files(cache)) == 1


def test_the_next_import_takes_the_precompiled_declarations_and_they_are_the_same(first: tuple[Path, dict]) -> None:
    cache, normal = first
    fast = probe(cache)
    assert fast["how"] == "precompiled" and fast["ffi"] == "_cffi_backend.FFI"
    assert normal["libraries"]["pango"]["pango_layout_set_text"] != "missing"  # the probe sees functions
    assert len(normal["types"]) > 50 and normal["files"]  # ... types, and the library files opened
    for part in ("libraries", "types", "units", "files", "pdf"):
        assert fast[part] == normal[part], part


@pytest.mark.parametrize("damage", ["declarations", "library names", "garbage"])
def test_a_cache_file_that_does_not_match_falls_back_to_the_normal_import(
        first: tuple[Path, dict], tmp_path: Path, damage: str) -> None:
    cache, normal = first
    (original,) = cache_files(cache)
    copy = tmp_path / "planpress" / "weasyprint-ffi" / original.name
    copy.parent.mkdir(parents=True)
    text = original.read_text(encoding="utf-8")
    if damage == "declarations":
        text = text.replace("CDEF_SHA256 = '", "CDEF_SHA256 = '0")
    elif damage == "library names":
        text = text.replace("FOUND = {", "FOUND = {'unrelated': None}\nUNUSED = {", 1)
    else:
        text = text[: len(text) // 2]
    copy.write_text(text, encoding="utf-8")
    fell_back = probe(tmp_path)
    assert fell_back["how"] == "fallback" and fell_back["ffi"] == "cffi.api.FFI"
    for part in ("libraries", "types", "units", "files", "pdf"):
        assert fell_back[part] == normal[part], part
    if damage == "garbage":  # a damaged file is written again, and used next time
        assert probe(tmp_path)["how"] == "precompiled"


def test_the_key_changes_with_weasyprint_the_module_text_and_the_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LD_LIBRARY_PATH", raising=False)
    monkeypatch.setitem(sys.modules, "weasyprint", types.SimpleNamespace(__version__="70.0"))
    key = _weasy_ffi.cache_key(b"ffi = cffi.FFI()")
    assert _weasy_ffi.cache_key(b"ffi = cffi.FFI()") == key
    assert _weasy_ffi.cache_key(b"ffi = cffi.FFI() ") != key
    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/other")
    assert _weasy_ffi.cache_key(b"ffi = cffi.FFI()") != key
    monkeypatch.delenv("LD_LIBRARY_PATH")
    monkeypatch.setitem(sys.modules, "weasyprint", types.SimpleNamespace(__version__="71.0"))
    assert _weasy_ffi.cache_key(b"ffi = cffi.FFI()") != key


def test_the_library_names_are_read_from_the_module() -> None:
    source = "a = _dlopen(ffi, 'libx-1', 'x', allow_fail=True)\nb = other('y')\nc = _dlopen(ffi, 'z.so.1')\n"
    assert _weasy_ffi.library_names(source) == ["libx-1", "x", "z.so.1"]


def test_a_cache_file_of_another_user_is_not_run(first: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch) -> None:
    cache, _ = first
    (path,) = cache_files(cache)
    key = path.stem.removeprefix("ffi-")
    assert _weasy_ffi._read(path, key)["KEY"] == key
    monkeypatch.setattr(os, "getuid", lambda: path.stat().st_uid + 1)
    with pytest.raises(_weasy_ffi._Mismatch):
        _weasy_ffi._read(path, key)


def test_an_unwritable_cache_folder_fails_before_asking_find_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asking find_library about every name takes about a second: not on every import when the
    cache cannot be written anyway."""
    import ctypes.util

    asked: list[str] = []
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: asked.append(name))
    monkeypatch.setenv("XDG_CACHE_HOME", os.devnull)  # a file: no folder can be made in it
    module = types.SimpleNamespace(ffi=types.SimpleNamespace(_cdefsources=["int f(int);"]))
    with pytest.raises(OSError):
        _weasy_ffi.write(module, b"lib = _dlopen(ffi, 'libx.so.1')", "key")  # type: ignore[arg-type]
    assert asked == []
