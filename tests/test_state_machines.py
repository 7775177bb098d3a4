"""Step Functions for chapter 08: retries and waits on the course clock, histories read back,
the synchronous Express API, the figures and the build-it check."""

from __future__ import annotations

import json
import time

import pytest

from course_lib import clock, state_machines as sm
from course_lib.diagrams import execution_timeline, state_machine_diagram
from course_lib.quiz import formulas
from course_lib.quiz.checks import CHECKS, isolated_account, run_check
from course_lib.runtime import deploy_function

FLAKY = """
tries = {}

class GatewayTimeout(Exception):
    pass

def handler(event, context):
    print("charging", event["id"])
    tries[event["id"]] = tries.get(event["id"], 0) + 1
    if tries[event["id"]] <= event["failures"]:
        raise GatewayTimeout(f"try {tries[event['id']]}")
    return {"charged": True}
"""

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


def _machine(aws, definition, name="m", kind="STANDARD"):
    role = aws.ensure_role("sfn-test-role", service="states.amazonaws.com")
    return aws.client("stepfunctions").create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=role, type=kind)["stateMachineArn"]


def _payment_workflow():
    return {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task", "Resource": LAMBDA + "flaky", "ResultPath": "$.payment",
                "Retry": [{"ErrorEquals": ["GatewayTimeout"], "IntervalSeconds": 5, "BackoffRate": 3, "MaxAttempts": 2}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
                "Next": "Sleep on it",
            },
            "Sleep on it": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
            "Done": {"Type": "Succeed"},
            "Failed": {"Type": "Fail", "Error": "PaymentFailed", "Cause": "no charge"},
        },
    }


def test_retries_and_waits_run_on_the_course_clock(aws, capsys, frozen_clock):
    # frozen_clock: course time moves only by the backoffs and the Wait, not by how long the
    # handlers took on a loaded machine (which made the duration read 3621 s).
    deploy_function("flaky", FLAKY)
    machine = _machine(aws, _payment_workflow())
    began = time.monotonic()
    run = sm.run(machine, {"id": "a", "failures": 2}, name="a")
    assert time.monotonic() - began < 20  # 5 s + 15 s of backoff and an hour of Wait, in course time, not slept
    assert run.status == "SUCCEEDED" and run.states == ["Charge", "Sleep on it", "Done"]
    attempts = run.attempts("Charge")
    assert [a.succeeded for a in attempts] == [False, False, True]
    assert [round(a.waited_s) for a in attempts] == [0, 5, 15]
    assert attempts[0].error == "GatewayTimeout" and attempts[0].message == "try 1"
    assert round(run.visit("Sleep on it").duration_s) == 3600
    assert round(run.duration_s) == 3620
    assert run.transitions == 3 + 2  # three states entered, two retries
    assert "charging" not in capsys.readouterr().out  # task output goes to CloudWatch Logs only
    text = repr(run)
    assert "attempt 1 failed: GatewayTimeout; backoff 5 s; attempt 2 failed" in text
    assert "waited 1 h" in text


def test_retries_that_run_out_are_caught(aws):
    deploy_function("flaky", FLAKY)
    machine = _machine(aws, _payment_workflow())
    run = sm.run(machine, {"id": "b", "failures": 9}, name="b")
    assert run.status == "FAILED" and run.error == "PaymentFailed"
    assert run.states == ["Charge", "Failed"]
    assert run.visit("Charge").status == "caught" and len(run.attempts("Charge")) == 3
    assert run.visit("Failed").input["error"]["Error"] == "GatewayTimeout"


def test_an_execution_you_do_not_drive_waits_for_the_clock(aws):
    machine = _machine(aws, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}})
    sfn = aws.client("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=machine, name="manual")["executionArn"]
    time.sleep(0.2)
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    clock.advance(minutes=10)
    assert sm.drive(arn).status == "SUCCEEDED"


def test_map_and_parallel_states_are_read_back_per_branch(aws):
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.doubled", "Next": "Both",
                     "ItemProcessor": {"StartAt": "Double", "States": {
                         "Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, $.n)"}, "End": True}}}},
            "Both": {"Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": True}}}]},
        },
    }
    run = sm.run(_machine(aws, definition), {"items": [{"n": 1}, {"n": 2}, {"n": 3}]}, name="fan")
    assert run.status == "SUCCEEDED"
    assert run.visit("Each").iterations == 3 and run.visit("Each").exited is not None
    assert run.visit("Both").exited is not None
    assert sorted(run.states) == sorted(["Each", "Double", "Double", "Double", "Both", "Left", "Right"])
    lines = run.summary_lines()
    assert "Double" in lines[2] and "x3" in lines[2]
    assert [line.split()[0] for line in lines[3:6]] == ["Both", "Left", "Right"]  # definition order, not timing


def test_start_sync_execution_answers_like_aws(aws):
    quote = {"StartAt": "Q", "States": {"Q": {"Type": "Pass", "Parameters": {"p.$": "States.MathAdd($.a, 1)"}, "End": True}}}
    express = _machine(aws, quote, name="quote", kind="EXPRESS")
    sfn = aws.client("stepfunctions")
    answer = sfn.start_sync_execution(stateMachineArn=express, input=json.dumps({"a": 41}))
    assert answer["status"] == "SUCCEEDED" and json.loads(answer["output"]) == {"p": 42}
    assert answer["billingDetails"]["billedMemoryUsedInMB"] == 64
    assert answer["billingDetails"]["billedDurationInMilliseconds"] % 100 == 0

    standard = _machine(aws, quote, name="quote-standard")
    with pytest.raises(sfn.exceptions.ClientError, match="StateMachineTypeNotSupported"):
        sfn.start_sync_execution(stateMachineArn=standard, input="{}")

    slow = _machine(aws, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 900, "End": True}}},
                    name="slow", kind="EXPRESS")
    timed_out = sfn.start_sync_execution(stateMachineArn=slow, input="{}")
    assert timed_out["status"] == "TIMED_OUT" and timed_out["error"] == "States.Timeout"
    assert timed_out["billingDetails"]["billedDurationInMilliseconds"] // 1000 == sm.express_limit_s()
    assert sfn.describe_execution(executionArn=timed_out["executionArn"])["status"] == "TIMED_OUT"


def test_figures_return_what_they_drew(aws):
    deploy_function("flaky", FLAKY)
    definition = _payment_workflow()
    run = sm.run(_machine(aws, definition), {"id": "c", "failures": 1}, name="c")
    figure, boxes = state_machine_diagram(definition, run)
    status = {b.name: b.status for b in boxes}
    assert status == {"Charge": "retried", "Sleep on it": "succeeded", "Done": "succeeded", "Failed": "not run"}
    figure, bars = execution_timeline(run)
    kinds = [(b.row, b.kind, b.status) for b in bars]
    assert ("Charge", "backoff", "backoff") in kinds and ("Sleep on it", "wait", "wait") in kinds
    assert [b.status for b in bars if b.kind == "attempt"] == ["failed", "succeeded"]
    backoff = next(b for b in bars if b.kind == "backoff")
    assert round(backoff.end_s - backoff.start_s) == 5
    bare, boxes = state_machine_diagram(definition)
    assert {b.status for b in boxes} == {"not run"}


def test_standard_vs_express_prices_both_ways():
    figure, rows = sm.standard_vs_express(10, duration_ms=250, executions=(1e6,))
    assert rows[0].standard_usd == pytest.approx(1e6 * 10 / 1000 * 0.025)
    assert 1.0 < rows[0].express_usd < rows[0].standard_usd  # requests alone cost $1.00 a million


def test_human_span():
    assert sm.human_span(86400.2) == "1 d" and sm.human_span(3725) == "1 h 2 min 5 s" and sm.human_span(0.2) == "0 s"


def test_retry_formulas():
    assert formulas.sfn_retry_total_wait_s(2, 2, 3) == 14
    assert formulas.sfn_retry_last_wait_s(2, 2, 3) == 8
    assert formulas.sfn_transitions(1000, 8, 2) == 10_000
    assert formulas.sfn_standard_cost(1_000_000, 8, 2) == pytest.approx(250.0)


def test_state_machine_check_says_what_is_missing():
    args = {"name": "quiz-checkout", "workflow_type": "STANDARD", "start_at": "Charge",
            "states": {"Charge": "Task", "Charged": "Succeed", "Failed": "Fail"},
            "retry": {"state": "Charge", "error": "GatewayTimeout", "max_attempts": 2},
            "catch": {"state": "Charge", "next": "Failed"}}
    with isolated_account() as account:
        assert [i.line() for i in run_check("state_machine", account, args)] == [
            "state machine quiz-checkout not found in the sandbox"]
        CHECKS["state_machine"].solve(account, **dict(args, retry={"state": "Charge", "error": "GatewayTimeout",
                                                                    "max_attempts": 5}))
        lines = [i.line() for i in run_check("state_machine", account, args)]
        assert "MaxAttempts is 5, expected 2" in lines
        assert "Charge catches errors into Failed: ok" in lines
    with isolated_account() as account:
        CHECKS["state_machine"].solve(account, **args)
        assert all(i.ok for i in run_check("state_machine", account, args))
        sfn = account.client("stepfunctions")
        machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
        definition = json.loads(sfn.describe_state_machine(stateMachineArn=machine)["definition"])
        del definition["States"]["Charge"]["Catch"]
        sfn.update_state_machine(stateMachineArn=machine, definition=json.dumps(definition))
        assert "Charge has no Catch" in [i.line() for i in run_check("state_machine", account, args)]
