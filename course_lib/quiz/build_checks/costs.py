"""Build-it checks for chapter 13 (costs): a function configured for a cheaper bill."""

from __future__ import annotations

from typing import Any

from course_lib.quiz.checks import CheckItem, _near, _role_arn, _zip, build_check


def _solve_arm_function(sandbox: Any, name: str, memory_mb: int, timeout_s: int) -> None:
    sandbox.client("lambda").create_function(
        FunctionName=name, Runtime="python3.13", Role=_role_arn(sandbox), Handler="app.handler",
        Code={"ZipFile": _zip("def handler(event, context):\n    return {'ok': True}\n")},
        MemorySize=memory_mb, Timeout=timeout_s, Architectures=["arm64"],
    )


@build_check("arm_function", solve=_solve_arm_function)
def arm_function(sandbox: Any, name: str, memory_mb: int, timeout_s: int) -> list[CheckItem]:
    """A Lambda function on Arm (Graviton) with this memory and timeout."""
    lam = sandbox.client("lambda")
    try:
        config = lam.get_function_configuration(FunctionName=name)
    except Exception:  # noqa: BLE001 - ResourceNotFoundException for an unknown name
        names = [f["FunctionName"] for f in lam.list_functions().get("Functions", [])]
        return [CheckItem(False, f"function {name} not found in the sandbox{_near(name, names)}")]
    items = [CheckItem(True, f"function {name} exists")]
    arch = (config.get("Architectures") or ["x86_64"])[0]
    items.append(CheckItem(True, "architecture is arm64") if arch == "arm64"
                 else CheckItem(False, f"architecture is {arch}, expected arm64 (pass architecture=\"arm64\")"))
    mem = config.get("MemorySize")
    items.append(CheckItem(True, f"memory is {mem} MB") if mem == memory_mb
                 else CheckItem(False, f"memory is {mem} MB, expected {memory_mb} MB"))
    timeout = config.get("Timeout")
    items.append(CheckItem(True, f"timeout is {timeout} s") if timeout == timeout_s
                 else CheckItem(False, f"timeout is {timeout} s, expected {timeout_s} s"))
    return items
