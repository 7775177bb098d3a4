"""The local Lambda runtime runs real handler code, by every path moto takes."""

from __future__ import annotations

import base64
import json
import threading

import pytest

from course_lib.runtime import deploy_function, hook, invoke, publish_layer, quiet, reports
from course_lib.runtime.logs import parse_report


def test_handler_imports_a_sibling_module(aws):
    deploy_function(
        "with-helper",
        {
            "app.py": "from helpers import shout\n\ndef handler(event, context):\n    return shout(event['word'])\n",
            "helpers.py": "def shout(word):\n    return word.upper() + '!'\n",
        },
    )
    assert invoke("with-helper", {"word": "hi"}).payload == "HI!"


def test_two_functions_with_the_same_module_name_do_not_collide(aws):
    deploy_function("first", "NAME = 'first'\ndef handler(e, c):\n    return NAME\n")
    deploy_function("second", "NAME = 'second'\ndef handler(e, c):\n    return NAME\n")
    for _ in range(3):
        assert invoke("first").payload == "first"
        assert invoke("second").payload == "second"


def test_cold_then_warm_then_cold_after_new_code(aws):
    code = "COUNT = {'n': 0}\ndef handler(e, c):\n    COUNT['n'] += 1\n    return COUNT['n']\n"
    deploy_function("counter", code)
    first, second = invoke("counter"), invoke("counter")
    assert (first.payload, second.payload) == (1, 2)  # module-level state survives: warm
    assert first.cold_start and first.report.init_ms is not None
    assert not second.cold_start and second.report.init_ms is None
    deploy_function("counter", code.replace("+= 1", "+= 10"))
    third = invoke("counter")
    assert third.cold_start and third.payload == 10  # new code, new environment


def test_report_line_is_in_aws_format_and_in_cloudwatch(aws):
    deploy_function("reported", "def handler(e, c):\n    print('hello log')\n    return 1\n", memory_mb=256)
    with quiet():
        result = invoke("reported")
    assert "hello log" in result.logs
    lines = result.logs.splitlines()
    assert lines[0].startswith("START RequestId: ") and lines[0].endswith("Version: $LATEST")
    assert lines[-2].startswith("END RequestId: ")
    report = parse_report(lines[-1])
    assert report is not None and report.memory_mb == 256
    assert report.billed_ms >= report.duration_ms + (report.init_ms or 0) - 1e-9
    assert [r.request_id for r in reports("reported")] == [report.request_id]
    group = aws.client("logs").describe_log_groups()["logGroups"]
    assert "/aws/lambda/reported" in [g["logGroupName"] for g in group]


def test_context_carries_what_aws_sets(aws):
    deploy_function(
        "ctx",
        "def handler(e, c):\n"
        "    return [c.function_name, c.memory_limit_in_mb, c.function_version, c.invoked_function_arn,\n"
        "            c.log_group_name, 0 < c.get_remaining_time_in_millis() <= 5000, len(c.aws_request_id)]\n",
        memory_mb=512,
        timeout_s=5,
    )
    name, memory, version, arn, group, remaining_ok, id_len = invoke("ctx").payload
    assert (name, memory, version, group) == ("ctx", "512", "$LATEST", "/aws/lambda/ctx")
    assert arn.endswith(":function:ctx") and remaining_ok and id_len == 36


def test_environment_variables_are_per_function_under_threads(aws):
    code = "import os\ndef handler(e, c):\n    return os.environ['WHO'] + ':' + os.environ['AWS_LAMBDA_FUNCTION_NAME']\n"
    for name in ("env-a", "env-b", "env-c", "env-d"):
        deploy_function(name, code, env={"WHO": name})
    errors: list[str] = []

    def worker(index: int) -> None:
        client = aws.client("lambda")
        for i in range(200):
            name = ("env-a", "env-b", "env-c", "env-d")[(index + i) % 4]
            body = client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()
            if json.loads(body) != f"{name}:{name}":
                errors.append(f"{name} saw {body!r}")

    with quiet():
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    import os

    assert "WHO" not in os.environ  # the kernel's own environment is untouched


def test_unhandled_error_is_shaped_as_aws_shapes_it(aws):
    deploy_function("boom", "def handler(e, c):\n    raise ValueError('bad input: ' + str(e.get('x')))\n")
    with quiet():
        result = aws.client("lambda").invoke(FunctionName="boom", Payload=b'{"x": 7}', LogType="Tail")
    assert result["FunctionError"] == "Unhandled"
    body = json.loads(result["Payload"].read())
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "bad input: 7"
    assert len(body["requestId"]) == 36
    assert body["stackTrace"] and '/var/task/app.py", line 2, in handler' in body["stackTrace"][-1]
    assert "[ERROR] ValueError: bad input: 7" in base64.b64decode(result["LogResult"]).decode()


@pytest.mark.parametrize(
    ("handler", "code", "error_type"),
    [
        ("app.handler", "import not_a_module\ndef handler(e, c):\n    return 1\n", "Runtime.ImportModuleError"),
        ("app.handler", "def handler(e, c)\n    return 1\n", "Runtime.UserCodeSyntaxError"),
        ("app.missing", "def handler(e, c):\n    return 1\n", "Runtime.HandlerNotFound"),
        ("app.handler", "def handler(e, c):\n    return object()\n", "Runtime.MarshalError"),
        ("app.handler", "import sys\ndef handler(e, c):\n    sys.exit(3)\n", "Runtime.ExitError"),
    ],
)
def test_runtime_errors(aws, handler, code, error_type):
    deploy_function("broken", code, handler=handler)
    result = invoke("broken")
    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == error_type


def test_a_handler_past_its_timeout_is_stopped_and_the_next_start_is_cold(aws):
    deploy_function(
        "spin",
        "def handler(e, c):\n    if e.get('spin'):\n        while True:\n            pass\n    return 'done'\n",
        timeout_s=1,
    )
    result = invoke("spin", {"spin": True})
    assert result.payload["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in result.payload["errorMessage"]
    assert result.report.status == "timeout" and result.report.duration_ms == 1000.0
    after = invoke("spin")  # AWS discards a timed-out environment
    assert after.payload == "done" and after.cold_start


def test_layers_are_importable(aws):
    layer = publish_layer("greetings", {"greet.py": "def greet(n):\n    return 'hello ' + n\n"})
    deploy_function("uses-layer", "from greet import greet\ndef handler(e, c):\n    return greet('layer')\n", layers=[layer])
    assert invoke("uses-layer").payload == "hello layer"


def test_an_empty_invoke_body_arrives_as_an_empty_dict(aws):
    deploy_function("echo", "def handler(e, c):\n    return type(e).__name__\n")
    body = aws.client("lambda").invoke(FunctionName="echo")["Payload"].read()
    assert json.loads(body) == "dict"


def test_deploy_is_create_or_update(aws):
    first = deploy_function("twice", "def handler(e, c):\n    return 1\n")
    second = deploy_function("twice", "def handler(e, c):\n    return 2\n", memory_mb=1024)
    assert first.created and not second.created and second.memory_mb == 1024
    assert invoke("twice").payload == 2


def test_deploy_from_a_folder_and_a_file(aws, tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "app.py").write_text("from util import two\ndef handler(e, c):\n    return two()\n")
    (tmp_path / "pkg" / "util.py").write_text("def two():\n    return 2\n")
    deploy_function("from-folder", tmp_path / "pkg")
    assert invoke("from-folder").payload == 2
    (tmp_path / "single.py").write_text("def main(e, c):\n    return 'file'\n")
    deploy_function("from-file", tmp_path / "single.py", handler="single.main")
    assert invoke("from-file").payload == "file"
