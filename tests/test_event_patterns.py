"""Event patterns as EventBridge documents them, with reasons; the tester widget; webhooks;
the chapter 07 build checks and figures."""

from __future__ import annotations

import json

import matplotlib
import pytest
from moto.events.models import EventPattern

from course_lib import event_patterns, events, webhooks
from course_lib.diagrams import FanoutBranch, fanout, schedule_timeline
from course_lib.event_patterns import InvalidEventPattern, explain, problems, test_event_pattern
from course_lib.quiz.checks import CHECKS, isolated_account, run_check

matplotlib.use("Agg")

EVENT = events.eventbridge(
    detail_type="OrderPlaced", source="shop.orders",
    detail={"order_id": "A-9", "total": 120, "country": "FR", "paid": True, "note": None,
            "items": [{"sku": "TEE", "qty": 2}, {"sku": "MUG", "qty": 1}], "ip": "10.0.3.4", "tags": ["new", "gift"]},
)

CASES = [
    ({"source": ["shop.orders"]}, True),
    ({"source": ["shop.returns", "shop.orders"]}, True),               # OR inside a field
    ({"source": ["shop.orders"], "detail-type": ["OrderCancelled"]}, False),  # AND across fields
    ({"detail": {"total": [120]}}, True),
    ({"detail": {"total": [120.0]}}, True),                            # numbers compare as numbers
    ({"detail": {"total": ["120"]}}, False),                           # ...and strings as strings
    ({"detail": {"paid": [True]}}, True),
    ({"detail": {"paid": [1]}}, False),                                # true is not 1
    ({"detail": {"note": [None]}}, True),
    ({"detail": {"total": [{"numeric": [">", 100, "<=", 120]}]}}, True),
    ({"detail": {"total": [{"numeric": [">", 120]}]}}, False),
    ({"detail": {"order_id": [{"prefix": "A-"}]}}, True),
    ({"detail": {"order_id": [{"suffix": "-9"}]}}, True),
    ({"detail": {"country": [{"equals-ignore-case": "fr"}]}}, True),
    ({"detail": {"country": [{"anything-but": ["US", "CA"]}]}}, True),
    ({"detail": {"country": [{"anything-but": {"prefix": "F"}}]}}, False),
    ({"detail": {"coupon": [{"exists": False}]}}, True),
    ({"detail": {"country": [{"exists": True}]}}, True),
    ({"detail": {"items": [{"exists": True}]}}, False),               # exists matches leaves only
    ({"detail": {"tags": ["gift"]}}, True),                            # any element of an array
    ({"detail-type": [{"wildcard": "Order*"}]}, True),
    ({"detail-type": [{"wildcard": "*Cancelled"}]}, False),
    ({"detail": {"ip": [{"cidr": "10.0.0.0/16"}]}}, True),
    ({"detail": {"ip": [{"cidr": "10.1.0.0/16"}]}}, False),
    ({"$or": [{"detail": {"total": [{"numeric": [">", 500]}]}}, {"detail": {"country": ["FR"]}}]}, True),
    ({"$or": [{"detail": {"total": [1]}}, {"detail": {"country": ["DE"]}}]}, False),
    ({"detail": {"items": {"sku": ["MUG"], "qty": [1]}}}, True),       # within one element of an array of objects
    ({"detail": {"items": {"sku": ["MUG"], "qty": [2]}}}, False),      # ...not across elements
    ({}, True),
]


@pytest.mark.parametrize(("pattern", "expected"), CASES)
def test_patterns_match_as_eventbridge_documents(pattern, expected) -> None:  # type: ignore[no-untyped-def]
    assert test_event_pattern(pattern, EVENT) is expected
    assert test_event_pattern(json.dumps(pattern), json.dumps(EVENT)) is expected


# Where moto's matcher (which decides what the sandbox's rules deliver) differs from AWS: it does
# not look inside arrays of objects, and it compares true == 1 as Python does.
MOTO_DIFFERS = ('"items"', '"paid": [1]')


@pytest.mark.parametrize(("pattern", "expected"), [c for c in CASES if not any(m in json.dumps(c[0]) for m in MOTO_DIFFERS)])
def test_the_sandbox_rules_agree_except_where_the_chapter_says(pattern, expected) -> None:  # type: ignore[no-untyped-def]
    assert EventPattern.load(json.dumps(pattern)).matches_event(EVENT) is expected


def test_explain_gives_one_reason_per_condition() -> None:
    pattern = {"source": ["shop.orders"], "detail": {"total": [{"numeric": [">=", 200]}], "coupon": [{"exists": False}]}}
    result = explain(pattern, EVENT)
    assert not result.matched
    assert result.lines() == [
        '✔ source: "shop.orders" equals "shop.orders"',
        "✘ detail.total: 120 is not >= 200",
        "✔ detail.coupon: absent, as exists: false asks",
        "NO MATCH: the rule ignores this event",
    ]
    assert "#b00020" in result._repr_html_()


@pytest.mark.parametrize(("pattern", "complaint"), [
    ({"source": "shop.orders"}, "must be an object or an array"),
    ({"source": []}, "empty arrays are not allowed"),
    ({"detail": {"total": [{"numeric": [">", "a"]}]}}, "numeric takes"),
    ({"detail": {"total": [{"between": [1, 2]}]}}, "unknown operator"),
    ({"$or": [{"source": ["a"]}]}, "at least two"),
    ("{not json", "not valid JSON"),
    ([1, 2], "must be a JSON object"),
])
def test_invalid_patterns_are_refused_with_a_reason(pattern, complaint) -> None:  # type: ignore[no-untyped-def]
    assert any(complaint in p for p in problems(pattern))
    with pytest.raises(InvalidEventPattern):
        explain(pattern, EVENT)


def test_the_tester_widget_re_tests_what_the_learner_typed() -> None:
    widget = event_patterns.tester({"source": ["shop.orders"]}, EVENT)
    assert "MATCH" in widget.result.value and repr(widget).startswith("Event pattern tester")
    widget.pattern_box.value = json.dumps({"source": ["shop.returns"]})
    widget.button.click()
    assert "NO MATCH" in widget.result.value
    widget.pattern_box.value = "{broken"
    widget.button.click()
    assert "InvalidEventPatternException" in widget.result.value or "not valid JSON" in widget.result.value


def test_webhook_signatures_verify_only_with_the_shared_secret() -> None:
    body = json.dumps({"type": "charge.succeeded"})
    signature = webhooks.sign(body, "s3cret")
    assert len(signature) == 64 and webhooks.verify(body, "s3cret", signature)
    assert not webhooks.verify(body, "guess", signature)
    assert not webhooks.verify(body + " ", "s3cret", signature)
    assert not webhooks.verify(body, "s3cret", None)


def test_sns_subscription_check_itemises_filter_and_raw_delivery() -> None:
    args = {"topic": "quiz-alerts", "queue": "quiz-alerts-eu", "filter_policy": {"region": ["eu"]}, "raw": True}
    with isolated_account() as account:
        assert [i.line() for i in run_check("sns_sqs_subscription", account, args)] == ["topic quiz-alerts not found in the sandbox"]
        CHECKS["sns_sqs_subscription"].solve(account, topic="quiz-alerts", queue="quiz-alerts-eu",
                                             filter_policy={"region": ["us"]})
        assert [i.line() for i in run_check("sns_sqs_subscription", account, args)][-2:] == [
            'filter policy is {"region": ["us"]}, expected {"region": ["eu"]}',
            "raw message delivery is off, expected on",
        ]
    with isolated_account() as account:
        CHECKS["sns_sqs_subscription"].solve(account, **args)
        assert all(i.ok for i in run_check("sns_sqs_subscription", account, args))


def test_eventbridge_rule_check_tests_the_pattern_on_samples() -> None:
    samples = {
        "matches": [{"source": "shop.orders", "detail-type": "OrderPlaced", "detail": {"total": 100}}],
        "ignores": [{"source": "shop.orders", "detail-type": "OrderPlaced", "detail": {"total": 99}}],
    }
    args = {"name": "big", "queue": "review", "solution": {"source": ["shop.orders"], "detail": {"total": [{"numeric": [">=", 100]}]}}, **samples}
    with isolated_account() as account:
        assert [i.line() for i in run_check("eventbridge_rule", account, args)] == ["rule big not found on the default bus"]
        CHECKS["eventbridge_rule"].solve(account, **{**args, "solution": {"source": ["shop.orders"]}})
        lines = [i.line() for i in run_check("eventbridge_rule", account, args)]
        assert 'the pattern should ignore shop.orders OrderPlaced {"total": 99}, but matches it' in lines
        assert lines[-1] == "the rule targets review: ok"
    with isolated_account() as account:
        CHECKS["eventbridge_rule"].solve(account, **args)
        assert all(i.ok for i in run_check("eventbridge_rule", account, args))


def test_chapter_07_figures_return_what_they_drew() -> None:
    figure, branches = fanout("orders", [FanoutBranch("billing", "sqs", "no filter", 3),
                                         FanoutBranch("eu", "sqs", "region = eu", 2)], published=3)
    assert [(b.name, b.received) for b in branches] == [("billing", 3), ("eu", 2)]
    start = 1_700_000_000.0
    figure, rows = schedule_timeline({"nightly": [start + 3600 * (2 + 24 * d) for d in range(3)]}, start=start, days=3)
    assert [(r.label, r.runs, r.first_at_h) for r in rows] == [("nightly", 3, 2.0)]
