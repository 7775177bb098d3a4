"""The S3 build-it check names each missing piece: bucket, versioning, permission, events, filters."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from course_lib.quiz.checks import CHECKS, isolated_account, run_check

ARGS = {"bucket": "quiz-inbox", "function": "quiz-csv-handler", "prefix": "incoming/", "suffix": ".csv", "versioning": True}


def lines(items) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.line() for i in items]


@contextlib.contextmanager
def account_without_leftovers() -> Iterator[Any]:
    """A throwaway account whose bucket is deleted afterwards: moto's bucket names are global
    across accounts, so a leftover would block the same name in the next throwaway account."""
    with isolated_account() as account:
        try:
            yield account
        finally:
            s3 = account.client("s3")
            for bucket in s3.list_buckets().get("Buckets", []):
                for version in s3.list_object_versions(Bucket=bucket["Name"]).get("Versions", []):
                    s3.delete_object(Bucket=bucket["Name"], Key=version["Key"], VersionId=version["VersionId"])
                s3.delete_bucket(Bucket=bucket["Name"])


def test_empty_account_and_reference_solution() -> None:
    with account_without_leftovers() as account:
        assert lines(run_check("s3_bucket_trigger", account, ARGS)) == ["bucket quiz-inbox not found in the sandbox"]
        CHECKS["s3_bucket_trigger"].solve(account, **ARGS)
        result = run_check("s3_bucket_trigger", account, ARGS)
        assert all(i.ok for i in result), lines(result)
        assert "suffix filter is '.csv': ok" in lines(result)


def test_each_missing_piece_is_named() -> None:
    with account_without_leftovers() as account:
        s3, lam = account.client("s3"), account.client("lambda")
        s3.create_bucket(Bucket="quiz-inbox")
        CHECKS["lambda_function"].solve(account, name="quiz-csv-handler")
        arn = lam.get_function_configuration(FunctionName="quiz-csv-handler")["FunctionArn"]
        s3.put_bucket_notification_configuration(Bucket="quiz-inbox", NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:Put"],
                                              "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming"}]}}}]})
        got = lines(run_check("s3_bucket_trigger", account, ARGS))
        assert "versioning was never enabled on the bucket" in got
        assert any(line.startswith("function quiz-csv-handler has no resource-based policy") for line in got)
        assert any(line.startswith("it fires on s3:ObjectCreated:Put only") for line in got)
        assert "prefix filter is 'incoming', expected 'incoming/'" in got
        assert any(line.startswith("no suffix filter") for line in got)
        s3.put_bucket_versioning(Bucket="quiz-inbox", VersioningConfiguration={"Status": "Suspended"})
        assert "versioning is Suspended: enable it again" in lines(run_check("s3_bucket_trigger", account, ARGS))
