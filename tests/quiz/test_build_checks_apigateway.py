"""The API Gateway build-it check names each missing piece of a proxied, deployed, throttled method."""

from __future__ import annotations

from course_lib.quiz.checks import CHECKS, isolated_account, run_check

ARGS = {"api": "quiz-shop", "path": "/items/{id}", "method": "GET", "function": "quiz-items", "stage": "prod",
        "throttle_rate": 50, "throttle_burst": 100}


def lines(items) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.line() for i in items]


def test_empty_account_then_reference_solution() -> None:
    with isolated_account() as account:
        assert lines(run_check("rest_api_proxy", account, ARGS)) == ["REST API quiz-shop not found in the sandbox"]
        CHECKS["rest_api_proxy"].solve(account, **ARGS)
        result = run_check("rest_api_proxy", account, ARGS)
        assert all(i.ok for i in result), lines(result)


def test_each_gap_is_named() -> None:
    with isolated_account() as account:
        gw = account.client("apigateway")
        CHECKS["lambda_function"].solve(account, name="quiz-items")
        api = gw.create_rest_api(name="quiz-shop")["id"]
        root = gw.get_resources(restApiId=api)["items"][0]["id"]
        items = gw.create_resource(restApiId=api, parentId=root, pathPart="items")["id"]
        assert "resource /items/{id} not found in the API; the API has `/items`: check the name" in lines(
            run_check("rest_api_proxy", account, ARGS))
        item = gw.create_resource(restApiId=api, parentId=items, pathPart="{id}")["id"]
        gw.put_method(restApiId=api, resourceId=item, httpMethod="GET", authorizationType="NONE")
        gw.put_integration(restApiId=api, resourceId=item, httpMethod="GET", type="MOCK")
        got = lines(run_check("rest_api_proxy", account, ARGS))
        assert "integration type is MOCK, expected AWS_PROXY (Lambda proxy integration)" in got
        assert "the integration invokes no Lambda function, expected quiz-items" in got
        assert any(line.startswith("function quiz-items has no resource-based policy") for line in got)
        assert got[-1] == "stage prod not found (stages: none: create a deployment)"
        gw.create_deployment(restApiId=api, stageName="prod")
        got = lines(run_check("rest_api_proxy", account, ARGS))
        assert "stage throttling rate is not set, expected 50 (methodSettings */*)" in got
