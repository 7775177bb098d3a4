"""Chapter add-ons keep working after ``aws.reset()``, and forget the old account's state."""

from __future__ import annotations

import requests

from course_lib import alarms, clock, wiring
from course_lib.wiring import s3_presigned


def test_a_presigned_url_still_works_after_a_reset(aws):
    s3_presigned.install()
    aws.reset()  # empties moto's requests routes; the add-on must put its own back
    assert "s3_presigned" in wiring.add_ons() and s3_presigned.installed()
    aws.ensure_bucket("after-reset")
    aws.client("s3").put_object(Bucket="after-reset", Key="note.txt", Body=b"still here")
    url = aws.client("s3").generate_presigned_url("get_object", Params={"Bucket": "after-reset", "Key": "note.txt"},
                                                  ExpiresIn=60)
    answer = requests.get(url, timeout=5)
    assert (answer.status_code, answer.content) == (200, b"still here")
    tampered = requests.get(url.replace("note.txt", "other.txt"), timeout=5)
    assert tampered.status_code == 403  # the signature is still checked, so the add-on is live


def test_alarm_history_belongs_to_the_account_it_was_recorded_in(aws):
    alarms.install()
    cw = aws.client("cloudwatch")
    cw.put_metric_alarm(AlarmName="quiet", Namespace="Test", MetricName="Load", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    clock.advance(minutes=2)
    assert alarms.history("quiet"), "the alarm was evaluated and left INSUFFICIENT_DATA"
    aws.reset()
    assert alarms.history() == []
    aws.client("cloudwatch").put_metric_alarm(AlarmName="after", Namespace="Test", MetricName="Load", Statistic="Sum",
                                              Period=60, EvaluationPeriods=1, Threshold=1,
                                              ComparisonOperator="GreaterThanThreshold")
    clock.advance(minutes=2)
    assert [t.alarm for t in alarms.history()] and all(t.alarm == "after" for t in alarms.history())
