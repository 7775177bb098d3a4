"""Deployment packages: a zip built in memory from a string, a file, a folder or a mapping.

Zips are reproducible (fixed timestamps, sorted entries), so the same code always has the same
``CodeSha256``: re-running a deploy cell with unchanged code keeps the function warm, and
printed digests stay stable.
"""

from __future__ import annotations

import io
import textwrap
import zipfile
from pathlib import Path

_SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", ".git", ".venv", "node_modules"}
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _module_file(handler: str | None) -> str:
    module = (handler or "app.handler").rpartition(".")[0] or "app"
    return module.replace(".", "/") + ".py"


def _looks_like_path(code: str) -> bool:
    if "\n" in code or len(code) > 1024:
        return False
    try:
        return Path(code).exists()
    except OSError:
        return False


def _files_of(code: str | Path | dict[str, str], handler: str | None) -> dict[str, bytes]:
    if isinstance(code, dict):
        return {
            name: (body if isinstance(body, bytes) else textwrap.dedent(body).lstrip("\n").encode("utf-8"))
            for name, body in code.items()
        }
    if isinstance(code, str) and _looks_like_path(code):
        code = Path(code)
    if isinstance(code, Path):
        if code.is_dir():
            return {
                p.relative_to(code).as_posix(): p.read_bytes()
                for p in sorted(code.rglob("*"))
                if p.is_file() and not _SKIP_DIRS.intersection(p.relative_to(code).parts) and p.suffix != ".pyc"
            }
        if code.is_file():
            return {code.name: code.read_bytes()}
        raise FileNotFoundError(f"No such file or folder for the function's code: {code}")
    # Source text of the handler's module; dedent so code written inside a cell reads naturally.
    return {_module_file(handler): textwrap.dedent(str(code)).lstrip("\n").encode("utf-8")}


def build_zip(code: str | Path | dict[str, str], handler: str | None = "app.handler") -> bytes:
    files = _files_of(code, handler)
    if not files:
        raise ValueError("The function's code is empty: nothing to deploy.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()
