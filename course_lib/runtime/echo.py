"""Handler output in the cell when the handler ran somewhere else (endpoint mode).

In-process, a handler's ``print`` and log lines appear in the cell as it runs (``executor``
tees them). Against another endpoint the handler runs in the server's process, so its output
lands in that server's CloudWatch Logs only. This puts it back where the learner expects it:
after each synchronous ``lambda.invoke`` that a client in this kernel makes, the lines between
the invocation's ``START`` and ``END`` are printed, read from the ``LogType=Tail`` answer when the
caller asked for one, else from CloudWatch Logs (the invocation's events, found by its request id).
Inside :class:`~course_lib.runtime.quiet` nothing is printed, as in-process.

Differs from in-process: the lines appear when the invoke returns, not while the handler runs;
the ``stderr`` lines are shown on ``stdout`` (CloudWatch Logs does not keep which stream a line
came from); an endpoint whose Lambda writes no logs (or none yet) shows nothing.
"""

from __future__ import annotations

import base64
import re
from typing import Any

_installed = False
_CONTEXT_KEY = "course_echo"


def _function_name(name: str) -> str:
    # A name, "name:qualifier", a partial ARN "123456789012:function:name" or a full ARN.
    parts = name.split(":")
    if "function" in parts:
        return parts[parts.index("function") + 1]
    return parts[0]


def handler_lines(log_text: str, request_id: str) -> list[str]:
    """What the handler itself wrote: the lines between START and END, without the runtime's own."""
    timed_out = re.compile(rf"^\S+ {re.escape(request_id)} Task timed out after ")
    lines = log_text.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("START RequestId:")]
    ends = [i for i, line in enumerate(lines) if line.startswith("END RequestId:")]
    # A 4 KB tail may have lost its START line: then the output runs from the top.
    first = starts[0] + 1 if starts else 0
    last = ends[-1] if ends else len(lines)
    return [line for line in lines[first:last] if not timed_out.match(line)]


def _remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context[_CONTEXT_KEY] = {
        "function": str(params.get("FunctionName", "")),
        "type": params.get("InvocationType", "RequestResponse"),
    }


def _from_logs(function: str, request_id: str) -> str:
    from course_lib import meter, sandbox

    logs = sandbox.current().client("logs")
    group = f"/aws/lambda/{_function_name(function)}"
    with meter._internal_calls():  # the course's own reads are not the learner's requests
        found = logs.filter_log_events(logGroupName=group, filterPattern=f'"{request_id}"')["events"]
        streams = {e["logStreamName"] for e in found}
        if len(streams) != 1:
            return ""
        events = logs.get_log_events(logGroupName=group, logStreamName=streams.pop(), startFromHead=True)["events"]
    return "\n".join(e["message"] for e in events)


def _echo(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    from course_lib import sandbox
    from course_lib.runtime.executor import echo_enabled

    asked = context.get(_CONTEXT_KEY)
    if not asked or asked["type"] != "RequestResponse" or sandbox.current().mode != "endpoint":
        return
    if not echo_enabled():
        return
    try:
        request_id = parsed.get("ResponseMetadata", {}).get("RequestId", "")
        if parsed.get("LogResult"):
            text = base64.b64decode(parsed["LogResult"]).decode("utf-8", "replace")
        elif request_id:
            text = _from_logs(asked["function"], request_id)
        else:
            return
        lines = handler_lines(text, request_id)
    except Exception:  # showing output must never break the learner's invoke
        return
    if any(lines):
        print("\n".join(lines).rstrip("\n"))


def install() -> None:
    """Register the echo for every botocore session created from now on (idempotent)."""
    global _installed
    if _installed:
        return
    import botocore.handlers

    botocore.handlers.BUILTIN_HANDLERS.extend([
        ("before-parameter-build.lambda.Invoke", _remember),
        ("after-call.lambda.Invoke", _echo),
    ])
    _installed = True
