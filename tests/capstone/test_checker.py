"""The capstone checker: the reference solution passes; sensible wrong builds fail on the right item.

Each wrong build is the reference build with one mistake a learner could plausibly make, applied
with plain boto3 (or a one-line change to a handler); the checker must report that item as not
met, say why, and keep checking what the mistake does not touch.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib import capstone
from course_lib.capstone import MET, NOT_CHECKED, NOT_MET, spec
from course_lib.runtime import build_zip

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "solutions" / "capstone" / "build.py"
FUNCTIONS = REFERENCE.parent / "functions"


def _load_reference():
    module_spec = importlib.util.spec_from_file_location("capstone_reference", REFERENCE)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@pytest.fixture
def built(aws):
    """The reference solution, built into a clean sandbox."""
    ids = _load_reference().build(aws)
    return aws, ids


def _replace_code(aws, function: str, folder: str, old: str, new: str) -> None:
    source = (FUNCTIONS / folder / "app.py").read_text()
    assert old in source, f"the mutation no longer applies to {folder}/app.py: {old!r}"
    aws.client("lambda").update_function_code(FunctionName=function, ZipFile=build_zip({"app.py": source.replace(old, new)}))


def _redeploy(aws, api_id: str) -> None:
    aws.client("apigateway").create_deployment(restApiId=api_id, stageName=spec.STAGE)


def _method(aws, api_id: str, path: str) -> str:
    items = aws.client("apigateway").get_resources(restApiId=api_id)["items"]
    return next(item["id"] for item in items if item["path"] == path)


def test_an_empty_sandbox_meets_nothing_and_says_what_is_missing(aws):
    report = capstone.check(aws)
    assert report.met == 0 and not report.all_met
    assert [item.id for item in report.items] == [req.id for req in spec.REQUIREMENTS]
    assert report["auth"].status == NOT_MET and spec.POOL in report["auth"].detail
    assert report["table"].status == NOT_MET and spec.TABLE in report["table"].detail
    # items that build on missing ones wait for them instead of failing for someone else's reason
    assert report["create-order"].status == NOT_CHECKED
    assert "`auth`" in report["create-order"].detail
    assert "not checked" in str(report) and "<table>" in report._repr_html_()


def test_the_reference_solution_meets_every_item_and_a_second_run_agrees(built):
    aws, _ = built
    report = capstone.check(aws)
    assert report.all_met, str(report)
    assert report.to_dict()["met"] == len(spec.REQUIREMENTS)
    again = capstone.check(aws)  # the checker's own orders and reports do not trip it up
    assert again.all_met, str(again)


def _only_unmet(report, *expected: str) -> None:
    unmet = {item.id for item in report.items if item.status == NOT_MET}
    assert unmet == set(expected), str(report)


def test_an_open_api_fails_api_auth(built):
    aws, ids = built
    gateway = aws.client("apigateway")
    resource = _method(aws, ids["api_id"], "/orders")
    integration = gateway.get_integration(restApiId=ids["api_id"], resourceId=resource, httpMethod="POST")
    gateway.delete_method(restApiId=ids["api_id"], resourceId=resource, httpMethod="POST")
    gateway.put_method(restApiId=ids["api_id"], resourceId=resource, httpMethod="POST", authorizationType="NONE")
    gateway.put_integration(restApiId=ids["api_id"], resourceId=resource, httpMethod="POST", type="AWS_PROXY",
                            integrationHttpMethod="POST", uri=integration["uri"])
    _redeploy(aws, ids["api_id"])
    report = capstone.check(aws)
    assert report["api-auth"].status == NOT_MET
    assert "anyone can call it" in report["api-auth"].detail
    assert report["table"].met and report["queue"].met and report["least-privilege"].met


def test_a_handler_that_trusts_the_body_for_identity_fails_create_order(built):
    aws, _ = built
    _replace_code(aws, spec.API_FUNCTION, "api",
                  'order.update({"orderId": str(uuid.uuid4()), "owner": owner, "status": "PENDING"})',
                  'order.update({"orderId": str(uuid.uuid4()), "owner": json.loads(raw_body).get("owner", owner), "status": "PENDING"})')
    report = capstone.check(aws)
    assert report["create-order"].status == NOT_MET
    assert "never trust the body" in report["create-order"].detail
    assert report["read-order"].status == NOT_CHECKED


def test_a_handler_without_validation_fails_validate_input(built):
    aws, _ = built
    _replace_code(aws, spec.API_FUNCTION, "api", "not 1 <= quantity <= 100", "False")
    report = capstone.check(aws)
    _only_unmet(report, "validate-input")
    assert "quantity 0 got 201" in report["validate-input"].detail


def test_a_read_that_shows_other_users_orders_fails_read_order(built):
    aws, _ = built
    _replace_code(aws, spec.API_FUNCTION, "api", 'or order.get("owner") != owner', "")
    report = capstone.check(aws)
    _only_unmet(report, "read-order")
    assert "got 200 and showed it" in report["read-order"].detail


def test_no_event_source_mapping_leaves_orders_pending_and_fails_worker(built):
    aws, _ = built
    lam = aws.client("lambda")
    for mapping in lam.list_event_source_mappings(FunctionName=spec.WORKER_FUNCTION)["EventSourceMappings"]:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
    report = capstone.check(aws)
    _only_unmet(report, "worker")
    assert "no event source mapping" in report["worker"].detail


def test_a_queue_without_a_dead_letter_queue_fails_queue(built):
    aws, ids = built
    aws.client("sqs").set_queue_attributes(QueueUrl=ids["queue_url"], Attributes={"RedrivePolicy": ""})
    report = capstone.check(aws)
    assert report["queue"].status == NOT_MET and "no redrive policy" in report["queue"].detail
    assert report["worker"].status == NOT_CHECKED and report["least-privilege"].status == NOT_CHECKED


def test_a_table_with_the_wrong_key_fails_table_and_what_needs_it_waits(built):
    aws, _ = built
    ddb = aws.client("dynamodb")
    ddb.delete_table(TableName=spec.TABLE)
    ddb.create_table(TableName=spec.TABLE, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    report = capstone.check(aws)
    assert report["table"].status == NOT_MET and "'HASH': 'id'" in report["table"].detail
    for dependent in ("create-order", "validate-input", "daily-report", "least-privilege"):
        assert report[dependent].status == NOT_CHECKED, dependent
    assert report["auth"].met and report["api-auth"].met


def test_an_hourly_schedule_fails_daily_report(built):
    aws, _ = built
    aws.client("events").put_rule(Name=spec.RULE, ScheduleExpression="rate(1 hour)")
    report = capstone.check(aws)
    _only_unmet(report, "daily-report")
    assert "does not run exactly once a day" in report["daily-report"].detail


def test_a_report_that_counts_every_order_as_confirmed_fails_daily_report(built):
    aws, _ = built
    _replace_code(aws, spec.REPORT_FUNCTION, "report", 'confirmed += item.get("status") == "CONFIRMED"', "confirmed += 1")
    report = capstone.check(aws)
    _only_unmet(report, "daily-report")
    assert "confirmed=" in report["daily-report"].detail


def test_a_report_function_eventbridge_may_not_invoke_fails_daily_report(built):
    aws, _ = built
    aws.client("lambda").remove_permission(FunctionName=spec.REPORT_FUNCTION, StatementId="eventbridge-invoke")
    report = capstone.check(aws)
    _only_unmet(report, "daily-report")


def test_a_wildcard_policy_fails_least_privilege(built):
    aws, _ = built
    aws.client("iam").put_role_policy(RoleName=f"{spec.WORKER_FUNCTION}-role", PolicyName="shortcut", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}))
    report = capstone.check(aws)
    _only_unmet(report, "least-privilege")
    assert "`dynamodb:*`" in report["least-privilege"].detail


def test_one_role_for_every_function_fails_least_privilege(built):
    aws, _ = built
    lam = aws.client("lambda")
    shared = lam.get_function_configuration(FunctionName=spec.API_FUNCTION)["Role"]
    lam.update_function_configuration(FunctionName=spec.WORKER_FUNCTION, Role=shared)
    report = capstone.check(aws)
    assert report["least-privilege"].status == NOT_MET and "share role" in report["least-privilege"].detail


def test_a_missing_invoke_permission_for_api_gateway_fails_api_routes(built):
    aws, _ = built
    aws.client("lambda").remove_permission(FunctionName=spec.API_FUNCTION, StatementId="apigateway-invoke")
    report = capstone.check(aws)
    assert report["api-routes"].status == NOT_MET and "resource policy" in report["api-routes"].detail
    assert report["api-auth"].status == NOT_CHECKED


def test_a_handler_that_crashes_is_a_finding_not_a_traceback(built):
    aws, _ = built
    _replace_code(aws, spec.API_FUNCTION, "api", "def handler(event, context):\n",
                  "def handler(event, context):\n    raise RuntimeError('boom')\n")
    report = capstone.check(aws)
    assert report["create-order"].status == NOT_MET
    assert "502" in report["create-order"].detail and "logs" in report["create-order"].hint.lower()


def test_the_command_line_checks_a_build_file(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "course_lib.cli", "capstone", str(REFERENCE), "--json"],
                        capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["met"] == len(spec.REQUIREMENTS)
    partial = tmp_path / "partial.py"
    partial.write_text("def build(aws):\n    aws.ensure_table('capstone-orders', key='orderId')\n")
    result = subprocess.run([sys.executable, "-m", "course_lib.cli", "capstone", str(partial)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 1 and "✔ table" in result.stdout and "✘ auth" in result.stdout
    broken = tmp_path / "broken.py"
    broken.write_text("def build(aws):\n    raise ValueError('half-written')\n")
    failed = subprocess.run([sys.executable, "-m", "course_lib.cli", "capstone", str(broken)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert failed.returncode == 2 and "half-written" in failed.stderr and "Traceback" not in failed.stderr
