"""Build-it checks for chapter 12 (CloudWatch): an alarm on a function's errors that pages a topic."""

from __future__ import annotations

from typing import Any

from course_lib.quiz.checks import CheckItem, _near, build_check


def _solve_errors_alarm(
    sandbox: Any, alarm_name: str, function_name: str, threshold: float, evaluation_periods: int, topic_name: str
) -> None:
    topic_arn = sandbox.client("sns").create_topic(Name=topic_name)["TopicArn"]
    sandbox.client("cloudwatch").put_metric_alarm(
        AlarmName=alarm_name, Namespace="AWS/Lambda", MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": function_name}], Statistic="Sum", Period=60,
        EvaluationPeriods=evaluation_periods, Threshold=threshold,
        ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic_arn],
    )


@build_check("lambda_errors_alarm", solve=_solve_errors_alarm)
def lambda_errors_alarm(
    sandbox: Any, alarm_name: str, function_name: str, threshold: float, evaluation_periods: int, topic_name: str
) -> list[CheckItem]:
    """A CloudWatch alarm on a function's Errors (Sum per minute) that notifies an SNS topic."""
    cloudwatch = sandbox.client("cloudwatch")
    found = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    if not found:
        names = [a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"]]
        return [CheckItem(False, f"alarm {alarm_name} not found in the sandbox{_near(alarm_name, names)}")]
    alarm = found[0]
    items = [CheckItem(True, f"alarm {alarm_name} exists")]

    def expect(label: str, got: Any, want: Any) -> None:
        items.append(CheckItem(True, f"{label} is {got}") if got == want else CheckItem(False, f"{label} is {got}, expected {want}"))

    expect("namespace", alarm.get("Namespace"), "AWS/Lambda")
    expect("metric", alarm.get("MetricName"), "Errors")
    dims = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
    expect("dimension FunctionName", dims.get("FunctionName"), function_name)
    expect("statistic", alarm.get("Statistic"), "Sum")
    expect("period", alarm.get("Period"), 60)
    expect("threshold", float(alarm.get("Threshold", -1)), float(threshold))
    expect("comparison", alarm.get("ComparisonOperator"), "GreaterThanOrEqualToThreshold")
    expect("evaluation periods", alarm.get("EvaluationPeriods"), evaluation_periods)
    actions = alarm.get("AlarmActions", [])
    if any(a.split(":")[-1] == topic_name and ":sns:" in a for a in actions):
        items.append(CheckItem(True, f"ALARM notifies the SNS topic {topic_name}"))
    else:
        items.append(CheckItem(False, f"the alarm's AlarmActions do not include the SNS topic {topic_name}"))
    return items
