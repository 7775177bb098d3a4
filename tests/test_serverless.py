"""Chapter 01's data: the service map, who manages what, idle costs, and the event-driven build check."""

from __future__ import annotations

from course_lib import chapters, facts, pricing, serverless
from course_lib.diagrams import service_map, typical_architecture
from course_lib.quiz.checks import CHECKS, isolated_account, run_check


def test_every_category_of_the_map_has_a_service_and_lambda_is_the_only_faas():
    assert all(serverless.services_in(c) for c in serverless.CATEGORIES)
    assert [s.name for s in serverless.SERVICES if s.kind == serverless.FAAS] == ["Lambda"]
    known = {c.number for c in chapters.CHAPTERS}
    assert all(s.chapter in known for s in serverless.SERVICES if s.chapter is not None)
    figure, drawn = service_map()
    assert drawn["Databases"] == ["DynamoDB", "Aurora Serverless v2"] and sum(map(len, drawn.values())) == len(serverless.SERVICES)


def test_typical_architecture_is_the_request_path_with_messaging_on_the_side():
    figure, edges = typical_architecture()
    main = [(e.source, e.target) for e in edges if e.main_path]
    assert main == [("Browser", "Cognito"), ("Browser", "S3"), ("Browser", "API Gateway"),
                    ("API Gateway", "Lambda"), ("Lambda", "DynamoDB")]
    assert {(e.source, e.target) for e in edges if not e.main_path} == {("Lambda", "SNS"), ("SNS", "SQS")}


def test_idle_month_prices_come_from_pricing():
    rows = {r.service: r for r in serverless.idle_month()}
    assert rows["Lambda"].usd == 0 and rows["SQS"].scales_to_zero
    assert rows["EC2"].usd == facts.value("ec2.prices.t3_micro") * facts.value("billing.hours_per_month")
    assert not rows["Kinesis provisioned"].scales_to_zero
    assert pricing.format_usd(rows["EC2"].usd) in serverless.idle_month_table()


def test_ec2_vs_lambda_and_pay_per_use_read_the_facts_file():
    table = serverless.ec2_vs_lambda("t3.micro")
    assert facts.text("lambda.limits.timeout_max_s") in table and "1 GiB" in table
    rows = serverless.pay_per_use()
    assert rows[0][1] == 0 and rows[0][2] > 0  # Lambda scales to zero, the server does not
    assert rows[-1][1] > rows[-1][2]  # at high steady traffic the server is cheaper
    assert "**you**" in serverless.responsibilities()


def test_event_driven_function_check_itemises_what_is_missing():
    args = {"bucket": "quiz-photos", "function": "quiz-describe-photo"}
    with isolated_account() as account:
        assert [i.line() for i in run_check("event_driven_function", account, args)] == [
            "function quiz-describe-photo not found in the sandbox",
            "bucket quiz-photos not found in the sandbox",
        ]
        CHECKS["event_driven_function"].solve(account, **args)
        assert all(i.ok for i in run_check("event_driven_function", account, args))
    # Bucket names are global in S3 (and in moto, across accounts): a second bucket name here.
    args = {"bucket": "quiz-photos-2", "function": "quiz-describe-photo"}
    with isolated_account() as account:
        # The bucket notifies the function, but nobody allowed S3 to invoke it, and only on Put.
        CHECKS["lambda_function"].solve(account, name="quiz-describe-photo")
        arn = account.client("lambda").get_function(FunctionName="quiz-describe-photo")["Configuration"]["FunctionArn"]
        s3 = account.client("s3")
        s3.create_bucket(Bucket="quiz-photos-2")
        s3.put_bucket_notification_configuration(Bucket="quiz-photos-2", NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:Put"]}]})
        lines = [i.line() for i in run_check("event_driven_function", account, args)]
        assert lines[2] == "the notification to quiz-describe-photo is for s3:ObjectCreated:Put, expected s3:ObjectCreated:*"
        assert lines[3].startswith("quiz-describe-photo has no resource-based policy statement allowing s3.amazonaws.com")
