"""Producers and consumers on the course clock, the standard-queue model, and the SQS build check."""

from __future__ import annotations

import matplotlib

from course_lib import queue_workers, sqs_fidelity
from course_lib.diagrams import queue_depth
from course_lib.quiz.checks import CHECKS, isolated_account, run_check
from course_lib.standard_queue_model import StandardQueueModel

matplotlib.use("Agg")


def test_a_slow_consumer_builds_a_backlog_that_drains_after_the_burst(aws) -> None:  # type: ignore[no-untyped-def]
    sqs = aws.client("sqs")
    run = queue_workers.backlog(sqs, aws.ensure_queue("burst"), produce_per_s=5, produce_for_s=20,
                                consume_per_s=2, duration_s=40, step_s=4)
    assert run.sent[-1] == 100 and run.processed[-1] == 80
    assert run.peak_depth == 60 and run.peak_at_s == 20          # (5 - 2) msg/s for 20 s
    assert run.depth[-1] == 20 and run.drained_at_s is None
    assert list(run.depth) == sorted(run.depth[:6]) + list(run.depth[6:])  # rises, then falls
    fast = queue_workers.backlog(sqs, aws.ensure_queue("no-burst"), produce_per_s=5, produce_for_s=20,
                                 consume_per_s=2, consumers=3, duration_s=24, step_s=4)
    assert fast.peak_depth == 0 and fast.processed[-1] == 100
    figure, rows = queue_depth({"one": run, "three": fast})
    assert [(r.label, r.peak_depth) for r in rows] == [("one", 60), ("three", 0)]
    assert figure.axes[0].get_xlabel() == "course time (s)"


def test_long_polling_makes_fewer_calls_and_sees_messages_as_soon(aws) -> None:  # type: ignore[no-untyped-def]
    sqs_fidelity.install()
    sqs = aws.client("sqs")
    short, long = queue_workers.compare_polling(sqs, aws.ensure_queue("s"), aws.ensure_queue("l"), [15, 50], duration_s=60)
    assert short.calls == 60 and short.empty == 58
    assert [t for t, _ in short.received] == [t for t, _ in long.received] == [15, 50]
    assert long.calls == 4 and long.empty == 2                  # 0-15 got, 15-35 empty, 35-50 got, 50-60 empty
    assert long.calls_per_month < short.calls_per_month / 10


def test_the_standard_queue_model_duplicates_and_reorders_deterministically() -> None:
    model = StandardQueueModel(servers=5, copies=3, sampled=2, seed=21)
    for n in range(1, 9):
        model.send(f"order-{n}")
    processed = []
    while model.waiting:
        for m in model.receive(max_messages=3):
            processed.append(m.body)
            model.delete(m.message_id, unavailable={"server-3"} if (m.body, m.receive_count) == ("order-2", 1) else set())
    assert sorted(set(processed)) == [f"order-{n}" for n in range(1, 9)]
    assert processed.count("order-2") == 2                       # a copy survived the delete
    assert processed[:8] != [f"order-{n}" for n in range(1, 9)]  # best-effort order
    assert any("missed (server unavailable)" in line for line in model.log)


def test_a_long_poll_of_the_model_asks_every_server() -> None:
    model = StandardQueueModel(servers=5, copies=1, sampled=1, seed=3)
    for n in range(10):
        model.send(f"m{n}")
    assert len(model.receive(long_poll=True)) == 10
    model.release()
    assert len(model.receive()) < 10                              # a short poll misses some servers


def test_sqs_lambda_trigger_check_itemises_what_is_missing() -> None:
    args = {"queue": "quiz-jobs", "function": "quiz-worker", "batch_size": 5, "report_batch_item_failures": True}
    with isolated_account() as account:
        assert [i.line() for i in run_check("sqs_lambda_trigger", account, args)] == ["queue quiz-jobs not found in the sandbox"]
        CHECKS["sqs_lambda_trigger"].solve(account, queue="quiz-jobs", function="quiz-worker", batch_size=10)
        assert [i.line() for i in run_check("sqs_lambda_trigger", account, args)] == [
            "queue quiz-jobs exists: ok",
            "function quiz-worker exists: ok",
            "quiz-jobs triggers quiz-worker: ok",
            "batch size is 10, expected 5",
            "FunctionResponseTypes should include ReportBatchItemFailures",
        ]
    with isolated_account() as account:
        CHECKS["sqs_lambda_trigger"].solve(account, **args)
        assert all(i.ok for i in run_check("sqs_lambda_trigger", account, args))
