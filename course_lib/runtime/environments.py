"""Execution environments: where a function's code is unpacked and imported, warm or cold.

On AWS, the first request to a function (or the first after new code) creates an execution
environment: the code is unpacked to ``/var/task``, layers to ``/opt``, the handler's module is
imported (module-level code runs: the INIT phase, reported as ``Init Duration``) and the
environment is kept warm for later requests, which skip INIT.

Here, an environment is cached per (function ARN, code digest, configuration): module-level
code runs once; ``update_function_code`` or a configuration change gives a cold start. The
code of each digest is unpacked once into a temporary folder. Two functions may both have an
``app.py``: before importing, modules that came from *another* function's folder are removed
from ``sys.modules`` and only this function's folder (then its layers) is put first on
``sys.path``, under one lock, so imports never collide.

Differs from AWS: one environment per function (concurrent requests share it instead of
getting one each, see chapter 01's scaling demo for how AWS scales out); environments are
never reclaimed by idleness, only by :func:`forget` (``sandbox.reset()``), a timeout or a crash.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import shutil
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

_ROOT = Path(tempfile.mkdtemp(prefix="course-lambda-"))
_unpack_lock = threading.Lock()
_import_lock = threading.RLock()
_envs_lock = threading.Lock()
_environments: dict[tuple[str, ...], "Environment"] = {}
_unpacked: dict[str, Path] = {}


class HandlerImportError(Exception):
    """The handler could not be loaded: AWS reports these as ``Runtime.*`` errors."""

    def __init__(self, error_type: str, message: str, stack: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.stack = stack or []


@dataclass
class Environment:
    key: tuple[str, ...]
    code_dir: Path
    handler: Callable[[Any, Any], Any]
    init_ms: float
    init_memory_bytes: int
    init_output: str
    created: float = field(default_factory=time.time)
    invocations: int = 0
    environment_id: str = ""

    def take_init(self) -> float | None:
        """The Init Duration to report: only on the environment's first invocation."""
        self.invocations += 1
        return self.init_ms if self.invocations == 1 else None


def unpack(code_bytes: bytes, digest: str | None = None) -> Path:
    """Unpack a zip once per content digest; returns the folder (``/var/task`` stand-in)."""
    digest = digest or hashlib.sha256(code_bytes).hexdigest()
    with _unpack_lock:
        folder = _unpacked.get(digest)
        if folder is not None and folder.exists():
            return folder
        folder = _ROOT / digest[:16]
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        with zipfile.ZipFile(io.BytesIO(code_bytes)) as archive:
            archive.extractall(folder)
        _unpacked[digest] = folder
        return folder


def _is_function_module(module: Any) -> bool:
    path = getattr(module, "__file__", None) or ""
    return path.startswith(str(_ROOT))


def _purge_function_modules() -> None:
    for name, module in list(sys.modules.items()):
        if module is not None and _is_function_module(module):
            del sys.modules[name]


def _load_handler(code_dir: Path, layer_dirs: list[Path], handler_spec: str) -> Callable[[Any, Any], Any]:
    module_name, _, attr = handler_spec.rpartition(".")
    if not module_name or not attr:
        raise HandlerImportError(
            "Runtime.MalformedHandlerName",
            f"Bad handler '{handler_spec}': not enough values to unpack (expected 2, got 1)",
        )
    module_name = module_name.replace("/", ".")
    search = [str(code_dir)] + [str(d) for d in layer_dirs]
    with _import_lock:
        _purge_function_modules()
        saved_path = list(sys.path)
        sys.path[:0] = search
        importlib.invalidate_caches()
        try:
            module = importlib.import_module(module_name)
        except SyntaxError as exc:
            raise HandlerImportError(
                "Runtime.UserCodeSyntaxError",
                f"Syntax error in module '{module_name}': {exc.msg} ({Path(exc.filename or '').name}, line {exc.lineno})",
            ) from None
        except ImportError as exc:
            raise HandlerImportError(
                "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"
            ) from None
        finally:
            sys.path[:] = saved_path
    handler = getattr(module, attr, None)
    if handler is None:
        raise HandlerImportError(
            "Runtime.HandlerNotFound", f"Handler '{attr}' missing on module '{module_name}'"
        )
    return handler


def get_environment(
    key: tuple[str, ...],
    code_bytes: bytes,
    digest: str,
    handler_spec: str,
    layers: list[tuple[bytes, str]],
    run_init: Callable[[Callable[[], Callable[[Any, Any], Any]]], tuple[Callable[[Any, Any], Any], float, int, str]],
) -> tuple[Environment, bool]:
    """The warm environment for ``key``, or a new one (cold start). Returns (env, was_cold)."""
    with _envs_lock:
        env = _environments.get(key)
    if env is not None:
        return env, False
    with _import_lock:
        with _envs_lock:
            env = _environments.get(key)
        if env is not None:  # another thread finished the cold start first
            return env, False
        code_dir = unpack(code_bytes, digest)
        layer_dirs = []
        for layer_bytes, layer_digest in layers:
            root = unpack(layer_bytes, layer_digest)
            # Python layers put packages under python/ (mounted at /opt/python on AWS).
            layer_dirs.append(root / "python" if (root / "python").is_dir() else root)
        handler, init_ms, init_mem, init_out = run_init(lambda: _load_handler(code_dir, layer_dirs, handler_spec))
        env = Environment(
            key=key,
            code_dir=code_dir,
            handler=handler,
            init_ms=init_ms,
            init_memory_bytes=init_mem,
            init_output=init_out,
            environment_id=hashlib.sha1(repr((key, time.time())).encode()).hexdigest()[:12],
        )
        with _envs_lock:
            _environments[key] = env
        return env, True


def discard(key: tuple[str, ...]) -> None:
    """Throw an environment away (after a timeout or crash): the next request is cold."""
    with _envs_lock:
        _environments.pop(key, None)


def forget() -> None:
    """Forget every warm environment (a clean account has no warm functions)."""
    with _envs_lock:
        _environments.clear()
    with _import_lock:
        _purge_function_modules()


def warm_count() -> int:
    with _envs_lock:
        return len(_environments)
