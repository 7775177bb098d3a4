"""EventBridge rules deliver to Lambda and Step Functions, with Input, InputPath, InputTransformer."""

from __future__ import annotations

import json
import time

import pytest
from wiring_support import RECORDER, arn_of, assert_aws_shape, events_of, queue_arn

from course_lib.runtime import deploy_function, quiet
from course_lib.wiring import eventbridge


def _put(aws, detail, source="shop", detail_type="Order Placed"):
    with quiet():
        return aws.client("events").put_events(
            Entries=[{"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail), "Resources": ["arn:aws:s3:::x"]}]
        )


def test_lambda_targets_get_the_event_or_its_input(aws, invocations):
    deploy_function("notify", RECORDER)
    arn = arn_of(aws, "notify")
    events = aws.client("events")
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}))
    events.put_targets(Rule="orders", Targets=[
        {"Id": "whole", "Arn": arn},
        {"Id": "constant", "Arn": arn, "Input": '{"alert": "big order"}'},
        {"Id": "path", "Arn": arn, "InputPath": "$.detail.customer"},
        {"Id": "shaped", "Arn": arn, "InputTransformer": {
            "InputPathsMap": {"id": "$.detail.id", "who": "$.detail.customer.name", "items": "$.detail.items"},
            "InputTemplate": '{"order": <id>, "who": <who>, "line": "order <id> for <who>", "items": <items>,'
                             ' "rule": "<aws.events.rule-name>"}'}},
    ])
    entry_id = _put(aws, {"id": 7, "total": 250, "customer": {"name": "Ada"}, "items": ["pen"]})["Entries"][0]["EventId"]
    _put(aws, {"id": 8, "total": 5, "customer": {"name": "Bob"}, "items": []})  # does not match the pattern
    whole, constant, path, shaped = events_of(invocations, "notify")
    assert_aws_shape(whole, "eventbridge")
    assert whole["id"] == entry_id and whole["account"] == "123456789012" and whole["detail"]["id"] == 7
    assert whole["time"].endswith("Z") and "ingestion-time" not in whole
    assert constant == {"alert": "big order"}
    assert path == {"name": "Ada"}
    assert shaped == {"order": 7, "who": "Ada", "line": "order 7 for Ada", "items": ["pen"], "rule": "orders"}


def test_transform_input_rules():
    values = {"s": "x\"y", "n": 3, "o": {"a": 1}, "missing": eventbridge._MISSING}
    assert eventbridge.transform_input("<s> is <n>", values) == 'x"y is 3'  # plain text: bare values
    assert json.loads(eventbridge.transform_input('{"a": <s>, "b": "<s>!", "c": <o>, "d": <missing>}', values)) == {
        "a": 'x"y', "b": 'x"y!', "c": {"a": 1}, "d": None}
    assert eventbridge.json_path({"detail": {"items": [{"id": 1}, {"id": 2}]}}, "$.detail.items[*].id") == [1, 2]
    assert eventbridge.json_path({"detail-type": "t"}, "$.detail-type") == "t"


def test_step_functions_sqs_and_disabled_rules(aws):
    role = aws.ensure_role("sfn", service="states.amazonaws.com")
    sfn = aws.client("stepfunctions")
    machine = sfn.create_state_machine(name="fulfil", roleArn=role, definition=json.dumps(
        {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    url = aws.ensure_queue("order-events")
    events = aws.client("events")
    events.put_rule(Name="to-sfn", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="to-sfn", Targets=[{"Id": "sfn", "Arn": machine, "InputPath": "$.detail", "RoleArn": role},
                                               {"Id": "sqs", "Arn": queue_arn(aws, url)}])
    events.put_rule(Name="off", EventPattern=json.dumps({"source": ["shop"]}), State="DISABLED")
    events.put_targets(Rule="off", Targets=[{"Id": "sqs", "Arn": queue_arn(aws, url)}])
    _put(aws, {"id": 1})
    (execution,) = sfn.list_executions(stateMachineArn=machine)["executions"]
    deadline = time.monotonic() + 10
    while sfn.describe_execution(executionArn=execution["executionArn"])["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.01)
    described = sfn.describe_execution(executionArn=execution["executionArn"])
    assert json.loads(described["input"]) == {"id": 1} and described["status"] == "SUCCEEDED"
    messages = aws.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1  # the disabled rule sent nothing
    assert json.loads(messages[0]["Body"])["detail-type"] == "Order Placed"
    assert [d.ok for d in eventbridge.deliveries("to-sfn")] == [True, True]


@pytest.mark.parametrize("pattern_rule", [False, True])
def test_schedule_only_rules_do_not_match_events(aws, invocations, pattern_rule):
    deploy_function("tick", RECORDER)
    events = aws.client("events")
    events.put_rule(Name="every-hour", ScheduleExpression="rate(1 hour)")
    events.put_targets(Rule="every-hour", Targets=[{"Id": "t", "Arn": arn_of(aws, "tick")}])
    if pattern_rule:
        events.put_rule(Name="all-shop", EventPattern=json.dumps({"source": ["shop"]}))
        events.put_targets(Rule="all-shop", Targets=[{"Id": "t", "Arn": arn_of(aws, "tick")}])
    _put(aws, {"id": 1})
    assert len(events_of(invocations, "tick")) == (1 if pattern_rule else 0)
