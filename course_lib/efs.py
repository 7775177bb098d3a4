"""EFS for Lambda: a shared local directory, mounted at the function's configured path.

    from course_lib import efs
    efs.install()                                   # idempotent; chapter 11's setup does it
    lam.create_function(..., FileSystemConfigs=[{"Arn": access_point_arn, "LocalMountPath": "/mnt/shared"}])
    # inside the handler, open("/mnt/shared/x.txt", "w") writes to the file system
    efs.local_path(file_system_id)                  # where those files live on this machine

What it emulates. moto creates file systems, mount targets and access points, but no storage,
and its Lambda ignores ``FileSystemConfigs``. Here:

* every EFS file system is a directory on this machine (:func:`local_path`); an access point's
  ``RootDirectory.Path`` is a subdirectory of it;
* ``create_function``/``update_function_configuration`` accept ``FileSystemConfigs`` (one
  config: an existing access point ARN and a ``LocalMountPath`` under ``/mnt/``, else
  ``InvalidParameterValueException``) and ``get_function_configuration`` returns it;
* while such a function's handler runs, paths under its ``LocalMountPath`` are translated to the
  file system's directory for ``open`` and the ``os`` functions that ``pathlib`` and ``shutil``
  use (``stat``, ``listdir``, ``scandir``, ``mkdir``, ``remove``, ``rename``...). So two
  functions mounting the same file system share files, as on AWS, and your handler code uses
  the real path.

Differs from AWS: the translation is done inside the Python process (a subprocess started by a
handler, or C code opening files, sees no mount); no POSIX user/permissions from the access point
are enforced; there is no VPC requirement, no throughput or latency model and no
close-to-open consistency subtleties: it is your local disk. Fargate tasks cannot mount it here.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

_installed = False
_lock = threading.Lock()
_root: Path | None = None
_configs: dict[str, list[dict[str, str]]] = {}  # function ARN -> FileSystemConfigs
MOUNTS_VARIABLE = "_COURSE_EFS_MOUNTS"  # the handler's mount table rides in its environment


def _account() -> str:
    from course_lib.sandbox import ACCOUNT_ID

    return os.environ.get("MOTO_ACCOUNT_ID", ACCOUNT_ID)


def local_path(file_system_id: str) -> Path:
    """The directory standing in for this file system (created on first use)."""
    global _root
    if _root is None:
        _root = Path(tempfile.mkdtemp(prefix="course-efs-"))
    path = _root / _account() / file_system_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def _access_point(arn: str, region: str) -> Any:
    from moto.efs.models import efs_backends

    backend = efs_backends[_account()][region]
    for point in backend.access_points.values():
        if point.access_point_arn == arn:
            return point
    return None


def _validate(configs: list[dict[str, str]], region: str) -> None:
    from moto.awslambda.exceptions import InvalidParameterValueException

    if len(configs) > 1:
        raise InvalidParameterValueException("A function can mount only one file system.")
    for config in configs:
        if not str(config.get("LocalMountPath", "")).startswith("/mnt/"):
            raise InvalidParameterValueException("LocalMountPath must start with /mnt/")
        if _access_point(config.get("Arn", ""), region) is None:
            raise InvalidParameterValueException(f"EFS access point not found: {config.get('Arn')}")


def _mount_table(fn: Any) -> dict[str, str]:
    table = {}
    for config in _configs.get(fn.function_arn, []):
        point = _access_point(config["Arn"], fn.region)
        if point is None:
            continue
        root = local_path(point.file_system_id)
        sub = str(point.root_directory.get("Path", "/")).strip("/")
        directory = root / sub if sub else root
        directory.mkdir(parents=True, exist_ok=True)
        table[config["LocalMountPath"].rstrip("/")] = str(directory)
    return table


def translate(path: Any) -> Any:
    """A path under the running handler's mount, rewritten to the local directory."""
    try:
        raw = os.environ.get(MOUNTS_VARIABLE)
    except Exception:  # noqa: BLE001 - never break open() for anyone
        return path
    if not raw or isinstance(path, int):
        return path
    try:
        text = os.fspath(path)
    except TypeError:
        return path
    if isinstance(text, bytes):
        return path
    for mount, local in json.loads(raw).items():
        if text == mount or text.startswith(mount + "/"):
            return local + text[len(mount):]
    return path


def _wrap_path_functions() -> None:
    original_open = builtins.open

    def open_(file: Any, *args: Any, **kwargs: Any) -> Any:
        return original_open(translate(file), *args, **kwargs)

    builtins.open = open_  # type: ignore[assignment]
    io.open = open_  # type: ignore[assignment]
    for name in ("stat", "lstat", "listdir", "scandir", "mkdir", "rmdir", "remove", "unlink", "open", "access"):
        original = getattr(os, name)

        def wrapped(path: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            return _original(translate(path), *args, **kwargs)

        setattr(os, name, wrapped)
    for name in ("rename", "replace"):
        original = getattr(os, name)

        def wrapped2(src: Any, dst: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            return _original(translate(src), translate(dst), *args, **kwargs)

        setattr(os, name, wrapped2)


def install() -> None:
    """Store FileSystemConfigs on functions and mount them while handlers run (idempotent)."""
    global _installed
    from course_lib import wiring

    wiring.keep_after_reset("efs", _configs.clear)  # the old account's functions are gone
    with _lock:
        if _installed:
            return
        from moto.awslambda import models

        from course_lib.runtime import executor

        backend_class = models.LambdaBackend
        original_create = backend_class.create_function

        def create_function(self: Any, spec: dict[str, Any]) -> Any:
            configs = list(spec.get("FileSystemConfigs") or [])
            _validate(configs, self.region_name)
            fn = original_create(self, spec)
            _configs[fn.function_arn] = configs
            return fn

        backend_class.create_function = create_function  # type: ignore[method-assign]

        function_class = models.LambdaFunction
        original_update = function_class.update_configuration
        original_get = function_class.get_configuration

        def update_configuration(self: Any, config_updates: dict[str, Any]) -> Any:
            if "FileSystemConfigs" in config_updates:
                configs = list(config_updates.get("FileSystemConfigs") or [])
                _validate(configs, self.region)
                _configs[self.function_arn] = configs
            return original_update(self, config_updates)

        def get_configuration(self: Any, *args: Any, **kwargs: Any) -> Any:
            config = original_get(self, *args, **kwargs)
            if _configs.get(self.function_arn):
                config["FileSystemConfigs"] = _configs[self.function_arn]
            return config

        function_class.update_configuration = update_configuration  # type: ignore[method-assign]
        function_class.get_configuration = get_configuration  # type: ignore[method-assign]

        original_environment = executor._lambda_environment

        def _lambda_environment(fn: Any, request_id: str, log_stream: str) -> dict[str, str]:
            variables = original_environment(fn, request_id, log_stream)
            table = _mount_table(fn)
            if table:
                variables[MOUNTS_VARIABLE] = json.dumps(table)
            return variables

        executor._lambda_environment = _lambda_environment
        _wrap_path_functions()
        _installed = True
