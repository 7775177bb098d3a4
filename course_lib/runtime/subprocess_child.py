"""The child side of the runtime's subprocess mode: one process is one execution environment.

Run as a script by :mod:`course_lib.runtime.subprocess_mode` (never imported by the course):
it reads one JSON line describing the function, imports the handler (the INIT phase), then
answers one JSON line per event line until its stdin closes. The handler's ``print`` and
``logging`` output goes line by line to stderr, which the parent reads as it comes (so lines
printed before a timeout are kept), each invocation's output ending with a marker line. Standard library
only before the handler is imported, so a cold start costs what Python's start-up costs.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import resource
import sys
import time
import traceback

# The protocol uses the original stdout; anything else writing to fd 1 goes to stderr instead.
_PROTOCOL = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
os.dup2(2, 1)
# Handler output: line-buffered to stderr, read by the parent as it is written.
_OUT = os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8", errors="replace")
MARKER = "\x00course-end"
_QUIET_LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer")


class _Context:
    def __init__(self, spec: dict, request: dict) -> None:
        self.function_name = spec["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec["function_arn"]
        self.memory_limit_in_mb = str(spec["memory_mb"])
        self.aws_request_id = request["request_id"]
        self.log_group_name = spec["log_group_name"]
        self.log_stream_name = request["log_stream_name"]
        self.identity = None
        self.client_context = None
        self._deadline_ms = request["deadline_ms"]

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, message: str) -> None:
        print(message, end="")


class _LambdaFormatter(logging.Formatter):
    request_id = ""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
        text = f"[{record.levelname}]\t{stamp}\t{self.request_id}\t{record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def _end_output(tag: str) -> None:
    _OUT.write(f"\n{MARKER} {tag}\n")
    _OUT.flush()


def _send(document: dict) -> None:
    _PROTOCOL.write(json.dumps(document) + "\n")
    _PROTOCOL.flush()


def _error(exc: BaseException, request_id: str = "") -> dict:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.endswith("subprocess_child.py")]
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def _data_bytes() -> int:
    """This process's private data size (VmData), what RLIMIT_DATA limits on Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _max_memory_mb() -> int:
    """Peak resident memory of this process (VmHWM; ru_maxrss would include the parent's)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    spec = json.loads(sys.stdin.readline())
    sys.path[:0] = [spec["code_dir"], *spec["layer_dirs"]]
    sys.stdout = sys.stderr = _OUT
    formatter = _LambdaFormatter()
    handler_out = logging.StreamHandler(_OUT)
    handler_out.setFormatter(formatter)
    # Like the Lambda runtime's: the handler's own records, not the SDK's chatter.
    handler_out.addFilter(lambda record: not record.name.startswith(_QUIET_LOGGERS))
    logging.getLogger().addHandler(handler_out)

    began = time.perf_counter()
    module_name, _, attr = spec["handler"].rpartition(".")
    try:
        # Memory limit: the function may grow this process's private data by its memory budget
        # (its MemorySize minus the Python runtime's own footprint), imports included.
        budget = spec.get("memory_budget")
        if budget:
            limit = _data_bytes() + int(budget)
            resource.setrlimit(resource.RLIMIT_DATA, (limit, resource.getrlimit(resource.RLIMIT_DATA)[1]))
        module = importlib.import_module(module_name.replace("/", "."))
        handler = getattr(module, attr)
    except MemoryError:
        _end_output("init")
        _send({"type": "init", "ok": False, "error": {"errorType": "Runtime.OutOfMemory", "errorMessage": "Runtime exited with error: signal: killed"}})
        return
    except Exception as exc:  # noqa: BLE001 - reported as AWS reports an INIT failure
        kind = (
            "Runtime.ImportModuleError" if isinstance(exc, ImportError)
            else "Runtime.UserCodeSyntaxError" if isinstance(exc, SyntaxError)
            else "Runtime.HandlerNotFound" if isinstance(exc, AttributeError)
            else type(exc).__name__
        )
        _end_output("init")
        _send({"type": "init", "ok": False, "error": {**_error(exc), "errorType": kind}})
        return
    _end_output("init")
    _send({"type": "init", "ok": True, "init_ms": (time.perf_counter() - began) * 1000})

    for line in sys.stdin:
        request = json.loads(line)
        os.environ.update(request.get("env") or {})
        formatter.request_id = request["request_id"]
        context = _Context(spec, request)
        started = time.perf_counter()
        answer: dict = {"type": "result"}
        try:
            result = handler(request["event"], context)
            try:
                answer.update(ok=True, payload=json.dumps(result))
            except (TypeError, ValueError) as exc:
                print(f"[ERROR] Runtime.MarshalError: Unable to marshal response: {exc}")
                answer.update(ok=False, error={"errorType": "Runtime.MarshalError", "errorMessage": f"Unable to marshal response: {exc}", "requestId": request["request_id"], "stackTrace": []})
        except MemoryError:
            answer.update(ok=False, fatal=True, error={"errorType": "Runtime.OutOfMemory", "errorMessage": f"RequestId: {request['request_id']} Error: Runtime exited with error: signal: killed"})
        except SystemExit as exc:
            answer.update(ok=False, fatal=True, error={"errorType": "Runtime.ExitError", "errorMessage": f"RequestId: {request['request_id']} Error: Runtime exited with error: exit status {exc.code or 0}"})
        except Exception as exc:  # noqa: BLE001 - any handler error becomes an AWS error
            error = _error(exc, request["request_id"])
            print(f"[ERROR] {error['errorType']}: {exc}\nTraceback (most recent call last):\n" + "".join(error["stackTrace"]).rstrip("\n"))
            answer.update(ok=False, error=error)
        answer["duration_ms"] = (time.perf_counter() - started) * 1000
        answer["max_memory_mb"] = _max_memory_mb()
        _end_output(request["request_id"])
        _send(answer)
        if answer.get("fatal"):
            return


if __name__ == "__main__":
    main()
