"""Faithful events for the wirings moto does run: SNS -> Lambda, S3 notifications, DynamoDB Streams.

What it changes in moto, and why:

* **SNS -> Lambda.** moto sends a fixed event (``TopicArn`` ``arn:aws:sns:EXAMPLE``, the same
  ``MessageId`` every time, a 1970 ``Timestamp``, made-up ``MessageAttributes``) and runs the
  function inline. Here the record carries the real topic and subscription ARNs, the published
  message id, the course clock's time, the real ``Subject`` (``null`` when none) and the real
  message attributes; filter policies are honoured; and SNS invokes the function
  asynchronously, as AWS does (through :mod:`course_lib.wiring.async_invoke`, so failures are
  retried and destinations apply).
* **S3 notifications.** Records gain ``userIdentity``, ``requestParameters``,
  ``responseElements``, the bucket's ``ownerIdentity`` and an increasing ``sequencer``; the key
  is encoded as AWS encodes it (``photos/my+cat.jpg``: spaces as ``+``, ``/`` kept; moto
  encodes ``/`` as ``%2F``); delete events carry no ``size``/``eTag``; ``versionId`` appears
  for versioned buckets. The same records reach SQS and SNS destinations. S3 invokes Lambda
  asynchronously, as AWS does.
* **DynamoDB Streams.** ``eventVersion`` is ``1.1`` and every record has its own increasing
  ``SequenceNumber`` (moto repeats one); ``ApproximateCreationDateTime`` is whole seconds.

Differs from AWS: SNS signatures are not verifiable; DynamoDB Streams and Kinesis mappings
still run inline, one invocation per write or record, inside the write that caused them
(AWS polls the stream and batches); S3 event ``principalId`` is the sandbox's one fake user.
"""

from __future__ import annotations

import json
from typing import Any

from course_lib import events

_installed = False


def _sns_publish_to_lambda(subscription: Any, message: str, message_id: str, subject: str | None,
                           message_attributes: dict[str, Any] | None) -> None:
    from course_lib.wiring import async_invoke, targets

    record = events.sns_record(
        message,
        topic_arn=subscription.topic.arn,
        subject=subject,
        message_attributes=message_attributes,
        message_id=message_id,
        subscription_arn=subscription.arn,
    )
    try:
        fn = targets.lambda_function(subscription.endpoint)
    except Exception:  # noqa: BLE001 - AWS drops deliveries to a missing function
        return
    async_invoke.enqueue(fn, {"Records": [record]}, source=f"SNS {subscription.topic.name}")


def _s3_event(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, Any]:
    name = str(getattr(event_name, "value", event_name))
    removed = "ObjectRemoved" in name
    version = getattr(key, "version_id", None) if getattr(bucket, "is_versioned", False) else None
    record = events.s3_record(
        bucket.name,
        key.name,
        event_name=name,
        size=None if removed else int(getattr(key, "size", 0) or 0),
        etag=None if removed else str(getattr(key, "etag", "")).replace('"', ""),
        version_id=str(version) if version else None,
        configuration_id=notification_id,
        region=bucket.region_name,
    )
    record["s3"]["bucket"]["arn"] = bucket.arn
    return {"Records": [record]}


def _s3_invoke_lambda(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
    from course_lib.wiring import async_invoke, targets

    try:
        fn = targets.lambda_function(fn_arn)
    except Exception:  # noqa: BLE001 - S3 drops events for a function that no longer exists
        return
    bucket = event_body["Records"][0]["s3"]["bucket"]["name"]
    async_invoke.enqueue(fn, event_body, source=f"S3 {bucket}")


def _dynamodb_records(event: dict[str, Any]) -> dict[str, Any]:
    for record in event.get("Records", []):
        record["eventVersion"] = "1.1"
        data = record.get("dynamodb", {})
        data["SequenceNumber"] = str(10**20 + events.next_sequence())
        if isinstance(data.get("ApproximateCreationDateTime"), (int, float)):
            data["ApproximateCreationDateTime"] = float(int(data["ApproximateCreationDateTime"]))
    return event


def _patch_sns(module: Any) -> None:
    subscription_class = module.Subscription
    original_publish = subscription_class.publish

    def publish(self: Any, message: str, message_id: str, subject: str | None = None,
                message_attributes: dict[str, Any] | None = None, group_id: str | None = None,
                deduplication_id: str | None = None, message_structure: str | None = None) -> None:
        if self.protocol != "lambda":
            return original_publish(self, message, message_id, subject=subject, message_attributes=message_attributes,
                                    group_id=group_id, deduplication_id=deduplication_id,
                                    message_structure=message_structure)
        if self._filter_policy_matcher is not None and not self._filter_policy_matcher.matches(message_attributes, message):
            return None
        if message_structure == "json":
            message = self._parse_message_structure(message, self.protocol)
        _sns_publish_to_lambda(self, message, message_id, subject, message_attributes)
        return None

    subscription_class.publish = publish


def install() -> None:
    global _installed
    if _installed:
        return
    import moto.s3.notifications as s3_notifications
    from moto.awslambda.models import LambdaBackend

    from course_lib.wiring import _lazy

    _lazy.when_imported("moto.sns.models", _patch_sns)
    s3_notifications._get_s3_event = _s3_event  # type: ignore[assignment]
    s3_notifications._invoke_awslambda = _s3_invoke_lambda  # type: ignore[assignment]

    def send_dynamodb_items(self: Any, function_arn: str, items: list[Any], source: str) -> Any:
        # moto's own event, corrected (see the module doc), then invoked as moto invokes it.
        import datetime as dt

        records = []
        for item in items:
            raw = item.to_json()
            data = dict(raw["dynamodb"])
            created = data.get("ApproximateCreationDateTime")
            if isinstance(created, dt.datetime):
                data["ApproximateCreationDateTime"] = created.replace(tzinfo=created.tzinfo or dt.timezone.utc).timestamp()
            records.append(
                {
                    "eventID": raw["eventID"],
                    "eventName": raw["eventName"],
                    "eventVersion": raw["eventVersion"],
                    "eventSource": raw["eventSource"],
                    "awsRegion": self.region_name,
                    "dynamodb": data,
                    "eventSourceARN": source,
                }
            )
        event = _dynamodb_records({"Records": records})
        func = self._lambdas.get_arn(function_arn)
        return func.invoke(json.dumps(event), {}, {})

    LambdaBackend.send_dynamodb_items = send_dynamodb_items  # type: ignore[method-assign]
    _installed = True
