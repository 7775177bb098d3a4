"""alarms: evaluated each minute of course time; M of N, missing data, SNS actions."""

from __future__ import annotations

import datetime as dt
import json
import types

from course_lib import alarms, clock


def _alarm(aws, **overrides):
    cw = aws.client("cloudwatch")
    args = dict(AlarmName="high", Namespace="Test", MetricName="Load", Statistic="Sum", Period=60,
                EvaluationPeriods=3, DatapointsToAlarm=2, Threshold=10, ComparisonOperator="GreaterThanThreshold")
    args.update(overrides)
    cw.put_metric_alarm(**args)
    return cw


def _put(aws, value, when):
    aws.client("cloudwatch").put_metric_data(Namespace="Test", MetricData=[
        {"MetricName": "Load", "Value": value, "Timestamp": when.replace(tzinfo=None)}])


def _minute_start():
    # the start of the next whole minute, plus a second
    nxt = (int(clock.time()) // 60 + 1) * 60 + 1
    clock.advance(to=dt.datetime.fromtimestamp(nxt, dt.timezone.utc))


def test_m_of_n_and_recovery_with_sns_notification(aws):
    alarms.reset()
    alarms.install()
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name="oncall")["TopicArn"]
    queue = sqs.create_queue(QueueName="pager")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    cw = _alarm(aws, AlarmActions=[topic], OKActions=[topic], TreatMissingData="notBreaching")
    _minute_start()
    states = []
    for value in (20, 5, 30, 0, 0):
        _put(aws, value, clock.now())
        clock.advance(minutes=1)
        states.append(cw.describe_alarms(AlarmNames=["high"])["MetricAlarms"][0]["StateValue"])
    assert states == ["OK", "OK", "ALARM", "OK", "OK"]  # 2 of the last 3 periods above 10
    assert [(t.old, t.new) for t in alarms.history("high")] == [("OK", "ALARM"), ("ALARM", "OK")]
    bodies = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]]
    assert [(b["OldStateValue"], b["NewStateValue"]) for b in bodies] == [("OK", "ALARM"), ("ALARM", "OK")]
    assert bodies[0]["Trigger"]["MetricName"] == "Load"


def test_missing_data_gives_insufficient_data_by_default(aws):
    alarms.reset()
    _alarm(aws)
    changes = alarms.evaluate()
    assert [(c.old, c.new) for c in changes] == [("OK", "INSUFFICIENT_DATA")]


def test_decide_rules():
    alarm = types.SimpleNamespace(treat_missing_data="breaching", datapoints_to_alarm=2, evaluation_periods=3,
                                  comparison_operator="GreaterThanThreshold", threshold=1, statistic="Sum", state_value="OK")
    now = dt.datetime.now(dt.timezone.utc)
    periods = [alarms.PeriodValue(now, None, None), alarms.PeriodValue(now, None, None), alarms.PeriodValue(now, 0.0, False)]
    assert alarms.decide(alarm, periods)[0] == "ALARM"  # missing counts as breaching
    alarm.treat_missing_data = "ignore"
    assert alarms.decide(alarm, [alarms.PeriodValue(now, None, None)] * 3)[0] == "OK"  # keeps the state
