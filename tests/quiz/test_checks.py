"""Build-it checks: they say exactly what is missing, in a throwaway account and in the real sandbox."""

from __future__ import annotations

import json

import pytest

from course_lib.quiz import grade, load_bank, variant
from course_lib.quiz.checks import CHECKS, isolated_account, run_check


def lines(items) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.line() for i in items]


def test_lambda_function_itemised() -> None:
    args = {"name": "quiz-greeter", "runtime": "python3.13", "memory_mb": 256, "environment": {"GREETING": "hello"}}
    with isolated_account() as account:
        assert lines(run_check("lambda_function", account, args)) == ["function quiz-greeter not found in the sandbox"]
        CHECKS["lambda_function"].solve(account, name="quiz_greeter")
        assert lines(run_check("lambda_function", account, args)) == [
            "function quiz-greeter not found in the sandbox; the sandbox has `quiz_greeter`: check the name"
        ]
        CHECKS["lambda_function"].solve(account, name="quiz-greeter", runtime="python3.12", environment={"GREETINGS": "hello"})
        assert lines(run_check("lambda_function", account, args)) == [
            "function quiz-greeter exists: ok",
            "runtime is python3.12, expected python3.13",
            "memory is 128 MB, expected 256 MB",
            "environment variable GREETING missing; the function has `GREETINGS`: check the name",
        ]
        account.client("lambda").update_function_configuration(
            FunctionName="quiz-greeter", Runtime="python3.13", MemorySize=256, Environment={"Variables": {"GREETING": "Hello"}}
        )
        assert lines(run_check("lambda_function", account, args))[-1] == "environment variable GREETING is 'Hello', expected 'hello'"


def test_sqs_queue_with_dead_letter_queue() -> None:
    args = {"name": "orders", "fifo": False, "dlq_max_receive_count": 3}
    with isolated_account() as account:
        sqs = account.client("sqs")
        assert lines(run_check("sqs_queue", account, args)) == ["queue orders not found in the sandbox"]
        url = sqs.create_queue(QueueName="orders")["QueueUrl"]
        assert lines(run_check("sqs_queue", account, args)) == [
            "queue orders exists: ok",
            "queue is a standard queue: ok",
            "no dead-letter queue: the queue has no RedrivePolicy",
        ]
        assert lines(run_check("sqs_queue", account, dict(args, fifo=True)))[1] == "queue is a standard queue, expected FIFO"
        dlq = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})})
        assert lines(run_check("sqs_queue", account, args))[2:] == [
            "dead-letter queue orders-dlq exists: ok",
            "maxReceiveCount is 5, expected 3",
        ]
    fifo_args = {"name": "orders.fifo", "fifo": True, "dlq_max_receive_count": 3}
    with isolated_account() as account:
        CHECKS["sqs_queue"].solve(account, **fifo_args)
        assert lines(run_check("sqs_queue", account, fifo_args)) == [
            "queue orders.fifo exists: ok",
            "queue is a FIFO queue: ok",
            "dead-letter queue orders-dlq.fifo exists: ok",
            "dead-letter queue is FIFO too: ok",
            "maxReceiveCount is 3: ok",
        ]


def test_a_check_that_breaks_reports_instead_of_raising() -> None:
    class Broken:
        def client(self, service: str) -> None:
            raise RuntimeError("no network")

    (item,) = run_check("lambda_function", Broken(), {"name": "x"})
    assert not item.ok and "could not inspect the sandbox (RuntimeError: no network)" == item.message


def test_isolated_account_restores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "someone-real")
    with isolated_account():
        import os

        assert "AWS_PROFILE" not in os.environ
    assert os.environ["AWS_PROFILE"] == "someone-real"


def test_deploy_greeter_in_the_course_sandbox(aws) -> None:  # type: ignore[no-untyped-def]
    """The chapter's build-it task, done the way the chapter teaches, in the real sandbox."""
    from course_lib.runtime import deploy_function

    v = variant(load_bank("02_lambda").question("deploy-greeter"), "ci-learner")
    assert grade(v, aws).feedback == ("function quiz-greeter not found in the sandbox",)
    code = "import os\n\ndef handler(event, context):\n    return {'greeting': os.environ['GREETING']}\n"
    deploy_function("quiz-greeter", code, memory_mb=128, env={})
    assert grade(v, aws).feedback == (
        "function quiz-greeter exists: ok",
        "runtime is python3.13: ok",
        "memory is 128 MB, expected 256 MB",
        "environment variable GREETING missing",
    )
    deploy_function("quiz-greeter", code, memory_mb=256, env={"GREETING": "hello"})
    assert grade(v, aws).correct


def test_isolated_account_never_touches_a_running_sandbox(aws) -> None:  # type: ignore[no-untyped-def]
    aws.client("sqs").create_queue(QueueName="learners-queue")
    with isolated_account() as account:
        assert account.client("sqs").list_queues().get("QueueUrls", []) == []
        account.client("sqs").create_queue(QueueName="throwaway")
    names = [u.rsplit("/", 1)[-1] for u in aws.client("sqs").list_queues()["QueueUrls"]]
    assert names == ["learners-queue"]
