"""``%%function``: a notebook cell that *is* a Lambda function's code, deployed when run.

    %%function hello --memory 256 --timeout 5 --env GREETING=hi
    def handler(event, context):
        return {"message": "hello"}

The cell body becomes ``app.py`` (or the module named by ``--handler``) and is deployed with
:func:`course_lib.runtime.deploy_function` (create or update). The code stays real, complete
Lambda code: the same file would deploy to AWS unchanged.
"""

from __future__ import annotations

import shlex

from course_lib import runtime


def parse_args(line: str) -> dict[str, object]:
    import argparse

    parser = argparse.ArgumentParser(prog="%%function", add_help=False, exit_on_error=False)
    parser.add_argument("name")
    parser.add_argument("--handler", default="app.handler")
    parser.add_argument("--memory", type=int, default=128)
    parser.add_argument("--timeout", type=int, default=3)
    parser.add_argument("--env", action="append", default=[], help="NAME=value, repeatable")
    parser.add_argument("--layer", action="append", default=[])
    try:
        args = parser.parse_args(shlex.split(line))
    except (argparse.ArgumentError, SystemExit) as exc:
        raise ValueError(
            f"%%function {line!r}: {exc}. Usage: %%function NAME [--memory MB] [--timeout S] "
            "[--env NAME=value] [--handler module.function]"
        ) from None
    env = {}
    for pair in args.env:
        if "=" not in pair:
            raise ValueError(f"--env {pair!r}: write it as NAME=value")
        key, value = pair.split("=", 1)
        env[key] = value
    return {
        "name": args.name,
        "handler": args.handler,
        "memory_mb": args.memory,
        "timeout_s": args.timeout,
        "env": env,
        "layers": args.layer,
    }


def function(line: str, cell: str) -> runtime.FunctionInfo:
    options = parse_args(line)
    name = str(options.pop("name"))
    return runtime.deploy_function(name, cell, **options)  # type: ignore[arg-type]


def load_ipython_extension(ipython: object) -> None:
    ipython.register_magic_function(function, magic_kind="cell", magic_name="function")  # type: ignore[attr-defined]


def register() -> None:
    """Register ``%%function`` in the running IPython kernel, if there is one."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        load_ipython_extension(shell)
