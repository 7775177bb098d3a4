"""log_metrics: Lambda metrics from real invocations, throttles, metric filters, filter patterns."""

from __future__ import annotations

import datetime as dt

import pytest

from course_lib import clock, log_metrics
from course_lib.runtime import deploy_function, invoke, quiet

CODE = '''
import json
def handler(event, context):
    if event.get("fail"):
        raise RuntimeError("payment timeout")
    print(json.dumps({"level": "INFO", "latency_ms": event.get("latency", 10)}))
    return "ok"
'''


def _sum(aws, namespace, name, dims=None):
    now = clock.now()
    points = aws.client("cloudwatch").get_metric_statistics(
        Namespace=namespace, MetricName=name, Dimensions=dims or [], StartTime=now - dt.timedelta(hours=1),
        EndTime=now + dt.timedelta(minutes=1), Period=3600, Statistics=["Sum", "SampleCount"])["Datapoints"]
    return (points[0]["Sum"], points[0]["SampleCount"]) if points else (0.0, 0.0)


@pytest.mark.parametrize("pattern,message,expected", [
    ("ERROR", "[ERROR] boom", True),
    ("ERROR timeout", "[ERROR] payment timeout", True),
    ("ERROR timeout", "[ERROR] boom", False),
    ('"payment timeout"', "x payment timeout y", True),
    ("?ERROR ?WARN", "WARN disk", True),
    ("?ERROR ?WARN", "INFO fine", False),
    ("ERROR -retry", "ERROR will retry", False),
    ('{ $.level = "ERROR" }', '{"level": "ERROR"}', True),
    ('{ $.latency_ms > 500 }', '{"latency_ms": 800}', True),
    ('{ $.latency_ms > 500 }', '{"latency_ms": 80}', False),
    ('{ $.latency_ms > 500 || $.level = "ERR*" }', '{"latency_ms": 1, "level": "ERROR"}', True),
    ('{ $.user.id = 7 && $.ok = true }', '{"user": {"id": 7}, "ok": true}', True),
    ('{ $.level = "ERROR" }', "not json", False),
    ("", "anything", True),
])
def test_filter_patterns(pattern, message, expected):
    assert log_metrics.matches(pattern, message) is expected


def test_lambda_metrics_count_invocations_errors_and_duration(aws):
    log_metrics.install()
    deploy_function("checkout", CODE)
    with quiet():
        for fail in (False, False, True):
            invoke("checkout", {"fail": fail})
    dims = [{"Name": "FunctionName", "Value": "checkout"}]
    assert _sum(aws, "AWS/Lambda", "Invocations", dims) == (3.0, 3.0)
    assert _sum(aws, "AWS/Lambda", "Errors", dims) == (1.0, 3.0)
    assert _sum(aws, "AWS/Lambda", "Duration", dims)[1] == 3.0


def test_reserved_concurrency_zero_throttles(aws):
    log_metrics.install()
    deploy_function("checkout", CODE)
    import boto3
    from botocore.config import Config

    # one attempt: SDKs retry throttles by themselves (each retry is throttled and counted too)
    lam = boto3.client("lambda", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))
    lam.put_function_concurrency(FunctionName="checkout", ReservedConcurrentExecutions=0)
    with pytest.raises(lam.exceptions.TooManyRequestsException):
        lam.invoke(FunctionName="checkout", Payload=b"{}")
    dims = [{"Name": "FunctionName", "Value": "checkout"}]
    assert _sum(aws, "AWS/Lambda", "Throttles", dims) == (1.0, 1.0)
    assert _sum(aws, "AWS/Lambda", "Invocations", dims) == (0.0, 0.0)


def test_metric_filter_emits_values_and_defaults(aws):
    log_metrics.install()
    deploy_function("checkout", CODE)
    with quiet():
        invoke("checkout", {})  # creates the log group
    logs = aws.client("logs")
    logs.put_metric_filter(
        logGroupName="/aws/lambda/checkout", filterName="latency", filterPattern="{ $.latency_ms > 500 }",
        metricTransformations=[{"metricName": "SlowLatency", "metricNamespace": "Shop", "metricValue": "$.latency_ms"}])
    logs.put_metric_filter(
        logGroupName="/aws/lambda/checkout", filterName="errors", filterPattern="ERROR",
        metricTransformations=[{"metricName": "ErrorLines", "metricNamespace": "Shop", "metricValue": "1", "defaultValue": 0}])
    with quiet():
        invoke("checkout", {"latency": 800})
        invoke("checkout", {"latency": 20})
        invoke("checkout", {"fail": True})
    assert _sum(aws, "Shop", "SlowLatency") == (800.0, 1.0)
    assert _sum(aws, "Shop", "ErrorLines") == (1.0, 3.0)  # 1 match, 2 batches without one put 0


def test_filter_log_events_uses_the_full_pattern_language(aws):
    log_metrics.install()
    deploy_function("checkout", CODE)
    with quiet():
        invoke("checkout", {"latency": 800})
        invoke("checkout", {"fail": True})
    logs = aws.client("logs")
    found = logs.filter_log_events(logGroupName="/aws/lambda/checkout", filterPattern="{ $.latency_ms > 500 }")["events"]
    assert len(found) == 1
    found = logs.filter_log_events(logGroupName="/aws/lambda/checkout", filterPattern="ERROR payment")["events"]
    assert len(found) == 1 and found[0]["message"].startswith("[ERROR] RuntimeError")
