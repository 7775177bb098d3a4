"""Build-it checks for chapter 07 (SNS): a topic fanning out to a filtered SQS subscription.

``sns_sqs_subscription`` looks at what the learner built, the way a reviewer would: the topic,
the queue, the subscription between them, its filter policy (compared as JSON, so key order and
spacing do not matter), its filter policy scope and raw message delivery.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from course_lib.quiz.checks import CheckItem, _near, build_check


def _queue_arn(sqs: Any, name: str) -> str:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _solve(sandbox: Any, topic: str, queue: str, filter_policy: Mapping[str, Any] | None = None,
           raw: bool | None = None, scope: str | None = None) -> None:
    sns, sqs = sandbox.client("sns"), sandbox.client("sqs")
    topic_arn = sns.create_topic(Name=topic)["TopicArn"]
    sqs.create_queue(QueueName=queue)
    attributes: dict[str, str] = {}
    if filter_policy is not None:
        attributes["FilterPolicy"] = json.dumps(filter_policy)
    if scope:
        attributes["FilterPolicyScope"] = scope
    if raw:
        attributes["RawMessageDelivery"] = "true"
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=_queue_arn(sqs, queue), Attributes=attributes)


@build_check("sns_sqs_subscription", solve=_solve)
def sns_sqs_subscription(sandbox: Any, topic: str, queue: str, filter_policy: Mapping[str, Any] | None = None,
                         raw: bool | None = None, scope: str | None = None) -> list[CheckItem]:
    """An SNS topic with an SQS subscription, its filter policy and raw message delivery."""
    sns, sqs = sandbox.client("sns"), sandbox.client("sqs")
    topics = {t["TopicArn"].rsplit(":", 1)[-1]: t["TopicArn"] for t in sns.list_topics().get("Topics", [])}
    if topic not in topics:
        return [CheckItem(False, f"topic {topic} not found in the sandbox{_near(topic, list(topics))}")]
    items = [CheckItem(True, f"topic {topic} exists")]
    try:
        queue_arn = _queue_arn(sqs, queue)
    except sqs.exceptions.QueueDoesNotExist:
        names = [u.rsplit("/", 1)[-1] for u in sqs.list_queues().get("QueueUrls", [])]
        return items + [CheckItem(False, f"queue {queue} not found in the sandbox{_near(queue, names)}")]
    items.append(CheckItem(True, f"queue {queue} exists"))
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topics[topic]).get("Subscriptions", [])
    mine = [s for s in subscriptions if s.get("Protocol") == "sqs" and s.get("Endpoint") == queue_arn]
    if not mine:
        return items + [CheckItem(False, f"{queue} is not subscribed to {topic} (subscribe with Protocol='sqs' "
                                         "and the queue's ARN as the Endpoint)")]
    items.append(CheckItem(True, f"{queue} is subscribed to {topic}"))
    attributes = sns.get_subscription_attributes(SubscriptionArn=mine[0]["SubscriptionArn"])["Attributes"]
    if filter_policy is not None:
        raw_policy = attributes.get("FilterPolicy")
        if not raw_policy:
            items.append(CheckItem(False, "the subscription has no filter policy, so it receives every message"))
        elif json.loads(raw_policy) == dict(filter_policy):
            items.append(CheckItem(True, f"filter policy is {json.dumps(filter_policy)}"))
        else:
            items.append(CheckItem(False, f"filter policy is {raw_policy}, expected {json.dumps(filter_policy)}"))
    if scope is not None:
        got = attributes.get("FilterPolicyScope") or "MessageAttributes"
        items.append(CheckItem(got == scope, f"filter policy scope is {got}" if got == scope
                               else f"filter policy scope is {got}, expected {scope}"))
    if raw is not None:
        got_raw = str(attributes.get("RawMessageDelivery", "false")).lower() == "true"
        items.append(CheckItem(got_raw == raw, f"raw message delivery is {'on' if got_raw else 'off'}" if got_raw == raw
                               else f"raw message delivery is {'on' if got_raw else 'off'}, expected {'on' if raw else 'off'}"))
    return items
