"""Server mode shares the notebook's state with other processes; subprocess mode enforces limits."""

from __future__ import annotations

import json
import os
import sys

import pytest

from course_lib import server
from course_lib.runtime import deploy_function, invoke, quiet, subprocess_mode

CHILD_SCRIPT = """
import boto3, json, os
table = boto3.resource("dynamodb").Table("shared")
table.put_item(Item={"pk": "from-child"})
print(json.dumps({"seen": sorted(i["pk"] for i in table.scan()["Items"]), "endpoint": os.environ["AWS_ENDPOINT_URL"]}))
"""


@pytest.fixture
def server_mode(aws):
    mode = server.start()
    yield mode
    server.stop()


def test_a_subprocess_sees_and_changes_the_notebooks_resources(aws, server_mode):
    table = aws.ensure_table("shared")
    table.put_item(Item={"pk": "from-notebook"})
    result = server.run([sys.executable, "-c", CHILD_SCRIPT], timeout=60)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen == {"seen": ["from-child", "from-notebook"], "endpoint": server_mode.endpoint_url}
    assert {i["pk"] for i in table.scan()["Items"]} == {"from-child", "from-notebook"}
    # The kernel's own clients never see the endpoint (they would skip the mock)...
    assert "AWS_ENDPOINT_URL" not in os.environ
    # ...while `!commands` and plain subprocesses inherit it.
    inherited = __import__("subprocess").run([sys.executable, "-c", "import os; print(os.environ.get('MOTO_PORT'))"],
                                             capture_output=True, text=True, timeout=30)
    assert inherited.stdout.strip() == str(server_mode.port)
    assert f"export AWS_ENDPOINT_URL={server_mode.endpoint_url}" in server_mode.exports()
    assert server_mode.env_file.read_text().startswith("export ")


def test_stopping_server_mode_unsets_the_child_environment(aws):
    mode = server.start()
    server.stop()
    inherited = __import__("subprocess").run([sys.executable, "-c", "import os; print(os.environ.get('AWS_ENDPOINT_URL'))"],
                                             capture_output=True, text=True, timeout=30)
    assert inherited.stdout.strip() == "None" and not mode.env_file.exists()


SLOW = """
import time, boto3
table = boto3.resource("dynamodb").Table("shared")   # boto3 in the child reaches the sandbox

def handler(event, context):
    table.put_item(Item={"pk": "before-sleeping"})
    print("about to sleep")
    time.sleep(30)
"""

HUNGRY = """
def handler(event, context):
    block = bytearray(event["mb"] * 1024 * 1024)
    return len(block)
"""


def test_subprocess_mode_kills_a_handler_at_its_timeout_and_reaches_the_sandbox(aws):
    table = aws.ensure_table("shared")
    deploy_function("slow", SLOW, timeout_s=1)
    subprocess_mode.isolate("slow")
    from moto.awslambda.models import lambda_backends

    lambda_backends["123456789012"]["us-east-1"].get_function("slow").timeout = 0.3  # keep the test fast
    with quiet():
        result = invoke("slow")
    assert result.function_error == "Unhandled" and result.payload["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 0.30 seconds" in result.payload["errorMessage"]
    assert "about to sleep" in result.logs and result.report.status == "timeout"
    assert [i["pk"] for i in table.scan()["Items"]] == ["before-sleeping"]


def test_subprocess_mode_limits_memory_and_keeps_environments_warm(aws):
    deploy_function("hungry", HUNGRY, memory_mb=128)
    subprocess_mode.isolate("hungry")
    with quiet():
        cold = invoke("hungry", {"mb": 8})
        warm = invoke("hungry", {"mb": 8})
        starved = invoke("hungry", {"mb": 300})
        again = invoke("hungry", {"mb": 8})
    assert cold.payload == 8 * 1024 * 1024 and cold.cold_start and not warm.cold_start
    assert 15 < warm.report.max_memory_mb < 128  # the child's real peak resident memory
    assert starved.payload["errorType"] == "Runtime.OutOfMemory" and starved.report.max_memory_mb == 128
    assert again.cold_start  # a new environment after the old one ran out of memory
    subprocess_mode.isolate("hungry", enabled=False)
    assert invoke("hungry", {"mb": 1}).payload == 1024 * 1024  # back in-process
