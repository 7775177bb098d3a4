"""Step Functions: nameless executions, Wait states on the course clock, the path taken."""

from __future__ import annotations

import json
import time

from wiring_support import arn_of

from course_lib import clock
from course_lib.runtime import deploy_function
from course_lib.wiring import stepfunctions

CHECK = """
def handler(event, context):
    return {"amount": event["amount"], "approved": event["amount"] < 100}
"""


def _machine(aws, definition):
    role = aws.ensure_role("sfn-role", service="states.amazonaws.com")
    return aws.client("stepfunctions").create_state_machine(
        name="approve", roleArn=role, definition=json.dumps(definition))["stateMachineArn"]


def _definition(check_arn):
    return {
        "StartAt": "Check",
        "States": {
            "Check": {"Type": "Task", "Resource": check_arn, "Next": "Approved?"},
            "Approved?": {"Type": "Choice", "Choices": [{"Variable": "$.approved", "BooleanEquals": True, "Next": "Cool off"}],
                          "Default": "Reject"},
            "Cool off": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
            "Done": {"Type": "Succeed"},
            "Reject": {"Type": "Fail", "Error": "Rejected", "Cause": "too expensive"},
        },
    }


def test_nameless_executions_get_unique_names(aws):
    machine = _machine(aws, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    sfn = aws.client("stepfunctions")
    first = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    second = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    assert first != second and not first.endswith(":None")
    assert stepfunctions.wait_for(first).status == "SUCCEEDED"


def test_wait_state_waits_on_the_course_clock_and_the_path_is_drawn(aws):
    deploy_function("check", CHECK)
    machine = _machine(aws, _definition(arn_of(aws, "check")))
    sfn = aws.client("stepfunctions")
    cheap = sfn.start_execution(stateMachineArn=machine, input='{"amount": 20}')["executionArn"]
    dear = sfn.start_execution(stateMachineArn=machine, input='{"amount": 500}')["executionArn"]
    rejected = stepfunctions.wait_for(dear)
    assert rejected.status == "FAILED" and rejected.names == ["Check", "Approved?", "Reject"]
    assert rejected.steps[-1].status == "failed" and "Rejected" in (rejected.error or "")
    time.sleep(0.2)
    assert sfn.describe_execution(executionArn=cheap)["status"] == "RUNNING"  # an hour to wait
    began = time.monotonic()
    clock.advance(hours=1)
    path = stepfunctions.wait_for(cheap, timeout=5)
    assert time.monotonic() - began < 3
    assert path.status == "SUCCEEDED" and path.names == ["Check", "Approved?", "Cool off", "Done"]
    assert path.steps[0].output == {"amount": 20, "approved": True}
    assert "Cool off" in repr(path)
    figure = stepfunctions.show_path(path)
    assert len(figure.axes) == 2 and figure.axes[1].get_yticklabels()[0].get_text() == "Check"
