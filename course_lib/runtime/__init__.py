"""The local Lambda runtime: real handler code runs whenever Lambda is invoked, with no Docker.

    from course_lib.sandbox import start
    from course_lib.runtime import deploy_function, invoke
    aws = start()
    deploy_function("hello", '''
    def handler(event, context):
        return {"hello": event.get("name", "world")}
    ''')
    result = invoke("hello", {"name": "Ada"})
    result.payload            # {'hello': 'Ada'}
    result.report             # Duration, Billed Duration, Memory Size, Max Memory Used, Init Duration

Modules: ``hook`` (the one place we reach into moto), ``executor`` (one invocation),
``environments`` (warm and cold execution environments, import isolation), ``context``,
``logs`` (output capture, START/END/REPORT), ``envvars`` (per-thread environment variables),
``watchdog`` (timeouts), ``packaging`` (zips from a string, a file or a folder).

Differs from AWS (each module says more): code runs inside the notebook's Python process, so
it shares its Python version and installed packages; timeouts interrupt pure-Python work only;
Max Memory Used is an estimate; one warm environment per function.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course_lib.runtime import environments, hook
from course_lib.runtime.executor import Invocation, add_listener, quiet, remove_listener
from course_lib.runtime.logs import Report, parse_report
from course_lib.runtime.packaging import build_zip

__all__ = [
    "FunctionInfo",
    "InvokeResult",
    "Invocation",
    "Report",
    "add_listener",
    "build_zip",
    "deploy_function",
    "forget_environments",
    "install",
    "invoke",
    "parse_report",
    "publish_layer",
    "quiet",
    "remove_listener",
    "reports",
]

DEFAULT_ROLE = "course-lambda-basic-execution"
# What AWS's managed AWSLambdaBasicExecutionRole grants: writing the function's own logs.
# (moto does not load AWS managed policies unless asked, which costs seconds per reset.)
BASIC_EXECUTION_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
}


def install() -> None:
    """Install the hook and the per-thread environment (the sandbox calls this)."""
    from course_lib.runtime import envvars, logs

    envvars.install()
    logs.install_logging()
    hook.install()


def forget_environments() -> None:
    """Every function's next invocation is a cold start."""
    environments.forget()


@dataclass(frozen=True)
class FunctionInfo:
    name: str
    arn: str
    runtime: str
    handler: str
    memory_mb: int
    timeout_s: int
    code_sha256: str
    code_size: int
    created: bool

    def __repr__(self) -> str:
        verb = "created" if self.created else "updated"
        return (
            f"<Function {self.name} ({verb}): {self.runtime}, handler {self.handler}, "
            f"{self.memory_mb} MB, timeout {self.timeout_s} s, {self.code_size} bytes of code>"
        )


def _sandbox() -> Any:
    from course_lib import sandbox

    box = sandbox.current()
    if not box.running:
        box.start()
    return box


def _default_runtime() -> str:
    from course_lib import facts

    return str(facts.value("lambda.runtimes.course_runtime"))


def deploy_function(
    name: str,
    code: str | Path | dict[str, str],
    handler: str = "app.handler",
    *,
    runtime: str | None = None,
    memory_mb: int = 128,
    timeout_s: int = 3,
    env: dict[str, str] | None = None,
    layers: list[str] | None = None,
    role: str | None = None,
    architecture: str = "x86_64",
    description: str = "",
) -> FunctionInfo:
    """Create the function, or update its code and configuration when it exists.

    ``code`` is the handler module's source text, a path to a ``.py`` file, a folder (zipped
    in memory, as ``sam build`` would), or a mapping of file names to contents.
    """
    box = _sandbox()
    client = box.client("lambda")
    zip_bytes = build_zip(code, handler)
    role_arn = role or box.ensure_role(DEFAULT_ROLE, inline_policies={"basic-execution": BASIC_EXECUTION_POLICY})
    config: dict[str, Any] = {
        "Runtime": runtime or _default_runtime(),
        "Handler": handler,
        "Role": role_arn,
        "MemorySize": memory_mb,
        "Timeout": timeout_s,
        "Environment": {"Variables": dict(env or {})},
        "Layers": list(layers or []),
        "Description": description,
    }
    try:
        client.get_function_configuration(FunctionName=name)
        exists = True
    except client.exceptions.ResourceNotFoundException:
        exists = False
    if exists:
        client.update_function_code(FunctionName=name, ZipFile=zip_bytes)
        response = client.update_function_configuration(FunctionName=name, **config)
    else:
        response = client.create_function(
            FunctionName=name, Code={"ZipFile": zip_bytes}, Architectures=[architecture], **config
        )
    return FunctionInfo(
        name=name,
        arn=response["FunctionArn"],
        runtime=response["Runtime"],
        handler=response["Handler"],
        memory_mb=response["MemorySize"],
        timeout_s=response["Timeout"],
        code_sha256=response["CodeSha256"],
        code_size=response["CodeSize"],
        created=not exists,
    )


def publish_layer(name: str, files: dict[str, str] | Path, runtime: str | None = None) -> str:
    """Publish a layer (files under ``python/`` as AWS expects); returns its version ARN."""
    box = _sandbox()
    if isinstance(files, dict):
        files = {(k if k.startswith("python/") else f"python/{k}"): v for k, v in files.items()}
    zip_bytes = build_zip(files, handler=None)
    response = box.client("lambda").publish_layer_version(
        LayerName=name,
        Content={"ZipFile": zip_bytes},
        CompatibleRuntimes=[runtime or _default_runtime()],
    )
    return response["LayerVersionArn"]


@dataclass
class InvokeResult:
    """What ``lambda.invoke`` returned, decoded: payload, error, the log tail and its REPORT."""

    function_name: str
    status_code: int
    payload: Any
    function_error: str | None
    logs: str
    report: Report | None

    @property
    def cold_start(self) -> bool:
        return bool(self.report and self.report.init_ms is not None)

    def __repr__(self) -> str:
        status = f"error {self.function_error}" if self.function_error else "ok"
        start = "cold" if self.cold_start else "warm"
        return f"<Invoke {self.function_name}: {self.status_code} {status}, {start} start, payload={self.payload!r}>"


def invoke(name: str, event: Any = None, *, show_logs: bool = False) -> InvokeResult:
    """Invoke synchronously through boto3 (``RequestResponse``, ``LogType=Tail``) and decode.

    Handler output is shown in the cell as it happens; ``show_logs=True`` also prints the log
    tail Lambda returned, with its START / END / REPORT lines.
    """
    client = _sandbox().client("lambda")
    response = client.invoke(
        FunctionName=name,
        InvocationType="RequestResponse",
        LogType="Tail",
        Payload=json.dumps({} if event is None else event).encode("utf-8"),
    )
    raw = response["Payload"].read().decode("utf-8")
    try:
        payload = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        payload = raw
    tail = base64.b64decode(response.get("LogResult", "")).decode("utf-8", "replace")
    report = next((r for r in map(parse_report, tail.splitlines()) if r), None)
    if show_logs:
        print(tail, end="")
    return InvokeResult(
        function_name=name,
        status_code=response["StatusCode"],
        payload=payload,
        function_error=response.get("FunctionError"),
        logs=tail,
        report=report,
    )


def reports(name: str) -> list[Report]:
    """Every REPORT line CloudWatch Logs holds for the function, oldest first."""
    logs_client = _sandbox().client("logs")
    group = f"/aws/lambda/{name}"
    found: list[Report] = []
    kwargs: dict[str, Any] = {"logGroupName": group, "filterPattern": "REPORT"}
    try:
        while True:
            page = logs_client.filter_log_events(**kwargs)
            found += [r for r in (parse_report(e["message"]) for e in page.get("events", [])) if r]
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
    except logs_client.exceptions.ResourceNotFoundException:
        return []
    return found
