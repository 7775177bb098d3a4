"""iam_enforcement: handlers act as their role; denied, then fixed; Lambda API works; scoped."""

from __future__ import annotations

import json

import pytest

from course_lib import iam_enforcement
from course_lib.runtime import deploy_function, invoke, quiet

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
CODE = '''
import json, boto3
s3 = boto3.client("s3")      # made at INIT, as most handlers do
def handler(event, context):
    orders = json.loads(s3.get_object(Bucket="shop-orders", Key="day.json")["Body"].read())
    s3.put_object(Bucket="shop-reports", Key="day.txt", Body=str(sum(orders)))
    return sum(orders)
'''


def _setup(aws):
    iam, s3 = aws.client("iam"), aws.client("s3")
    s3.create_bucket(Bucket="shop-orders")
    s3.create_bucket(Bucket="shop-reports")
    s3.put_object(Bucket="shop-orders", Key="day.json", Body="[12, 30]")
    role = iam.create_role(RoleName="reporter", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName="reporter", PolicyName="read", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shop-orders/*"}]}))
    deploy_function("reporter", CODE, role=role)
    return iam


def test_over_narrow_policy_is_denied_then_fixed(aws):
    iam = _setup(aws)
    with quiet():
        assert invoke("reporter").payload == 42  # not enforced: anything goes
        with iam_enforcement.enforced():
            denied = invoke("reporter")
            assert denied.payload["errorType"] == "AccessDenied"
            assert "PutObject" in denied.payload["errorMessage"]
            iam.put_role_policy(RoleName="reporter", PolicyName="write", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::shop-reports/*"}]}))
            assert invoke("reporter").payload == 42
    assert not iam_enforcement.active()


def test_notebook_stays_admin_and_lambda_api_works_under_enforcement(aws):
    _setup(aws)
    lam = aws.client("lambda")
    with iam_enforcement.enforced():
        assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["reporter"]
        lam.update_function_configuration(FunctionName="reporter", Timeout=5)
        assert lam.get_function(FunctionName="reporter")["Configuration"]["Timeout"] == 5
        aws.client("s3").create_bucket(Bucket="admin-can")


def test_an_iam_user_with_its_own_keys_is_checked(aws):
    import boto3

    iam = aws.client("iam")
    iam.create_user(UserName="intern")
    iam.put_user_policy(UserName="intern", PolicyName="list", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="intern")["AccessKey"]
    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    with iam_enforcement.enforced():
        s3.list_buckets()
        with pytest.raises(s3.exceptions.ClientError, match="AccessDenied"):
            s3.create_bucket(Bucket="not-allowed")


def test_simulate_follows_aws_precedence():
    allow_all = {"Statement": [{"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    deny_delete = {"Statement": [{"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}]}
    narrow = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shop-orders/*"}]}
    assert iam_enforcement.simulate([allow_all], "s3:DeleteBucket", "arn:aws:s3:::x").decision == "allowed"
    assert iam_enforcement.simulate([allow_all, deny_delete], "s3:DeleteObject", "arn:aws:s3:::x/y").decision == "explicitDeny"
    assert iam_enforcement.simulate([narrow], "s3:GetObject", "arn:aws:s3:::shop-orders/a").allowed
    assert iam_enforcement.simulate([narrow], "s3:GetObject", "arn:aws:s3:::shop-reports/a").decision == "implicitDeny"
    bucket_policy = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shop-orders/*"}]}
    assert iam_enforcement.simulate([bucket_policy], "s3:GetObject", "arn:aws:s3:::shop-orders/a",
                                    principal="arn:aws:iam::111122223333:root").allowed
    assert not iam_enforcement.simulate([bucket_policy], "s3:GetObject", "arn:aws:s3:::shop-orders/a",
                                        principal="arn:aws:iam::999999999999:root").allowed
