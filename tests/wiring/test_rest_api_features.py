"""Lambda authorizers, API keys and usage plans, throttling and mapping templates on REST APIs.

Each test builds a small REST API with plain boto3 and calls it with requests, as a chapter does.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from course_lib import clock
from course_lib.runtime import deploy_function, quiet
from course_lib.wiring import api_mapping, api_throttling, apigateway, lambda_authorizer, rest_pipeline

ECHO = """
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"path": event["path"],
            "authorizer": event["requestContext"].get("authorizer")})}
"""

AUTHORIZER = """
def handler(event, context):
    token = event.get("authorizationToken") or (event.get("headers") or {}).get("Authorization")
    if token in (None, "bad"):
        raise Exception("Unauthorized")
    if token == "crash":
        raise RuntimeError("database down")
    if token == "garbage":
        return {"hello": "world"}
    effect = "Deny" if token == "deny" else "Allow"
    resource = event["methodArn"] if token == "narrow" else "/".join(event["methodArn"].split("/")[:2]) + "/*/*"
    return {"principalId": "user-" + token, "context": {"tier": "gold", "n": 3},
            "policyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}}
"""

PRICER = """
def handler(event, context):
    if event["qty"] < 1:
        raise ValueError("BadRequest: qty must be positive")
    if event["qty"] > 99:
        raise ValueError("too many")
    return {"item": event["item"], "total": event["qty"] * 2, "who": event.get("who")}
"""


def _uri(arn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


class Api:
    """A REST API under construction: resources by path, methods, one stage."""

    def __init__(self, aws: Any, name: str) -> None:
        self.gw = aws.client("apigateway")
        self.id = self.gw.create_rest_api(name=name)["id"]
        self.ids = {"/": self.gw.get_resources(restApiId=self.id)["items"][0]["id"]}

    def resource(self, path: str) -> str:
        parent = "/"
        for part in [p for p in path.split("/") if p]:
            here = parent.rstrip("/") + "/" + part
            if here not in self.ids:
                self.ids[here] = self.gw.create_resource(restApiId=self.id, parentId=self.ids[parent], pathPart=part)["id"]
            parent = here
        return self.ids[parent]

    def proxy(self, verb: str, path: str, function_arn: str, **options: Any) -> None:
        rid = self.resource(path)
        self.gw.put_method(restApiId=self.id, resourceId=rid, httpMethod=verb,
                           authorizationType=options.pop("authorizationType", "NONE"), **options)
        self.gw.put_integration(restApiId=self.id, resourceId=rid, httpMethod=verb, type="AWS_PROXY",
                                integrationHttpMethod="POST", uri=_uri(function_arn))

    def deploy(self, stage: str = "prod") -> str:
        self.gw.create_deployment(restApiId=self.id, stageName=stage)
        return apigateway.invoke_url(self.id, stage)


@pytest.fixture
def features(aws: Any) -> None:
    for module in (lambda_authorizer, api_throttling, api_mapping):
        module.install()
    lambda_authorizer.forget()
    api_throttling.forget()
    rest_pipeline.forget()


@pytest.fixture
def echo_arn(aws: Any) -> str:
    return deploy_function("features-echo", ECHO).arn


def _token_api(aws: Any, echo_arn: str, ttl: int = 300) -> tuple[Api, str]:
    api = Api(aws, "auth-api")
    auth_arn = deploy_function("features-authorizer", AUTHORIZER).arn
    authorizer = api.gw.create_authorizer(restApiId=api.id, name="tokens", type="TOKEN", authorizerUri=_uri(auth_arn),
                                          identitySource="method.request.header.Authorization",
                                          authorizerResultTtlInSeconds=ttl)["id"]
    for path in ("/items", "/items/{id}"):
        api.proxy("GET", path, echo_arn, authorizationType="CUSTOM", authorizerId=authorizer)
    return api, api.deploy()


def test_token_authorizer_statuses_and_context(features: None, aws: Any, echo_arn: str) -> None:
    _, url = _token_api(aws, echo_arn)
    with quiet():
        statuses = {token: requests.get(f"{url}/items/1", headers={"Authorization": token} if token else {}).status_code
                    for token in (None, "bad", "deny", "crash", "garbage", "ok")}
    assert statuses == {None: 401, "bad": 401, "deny": 403, "crash": 500, "garbage": 500, "ok": 200}
    allowed = requests.get(f"{url}/items/1", headers={"Authorization": "ok"}).json()
    assert allowed["authorizer"] == {"principalId": "user-ok", "tier": "gold", "n": 3, "integrationLatency": 0}
    outcomes = [(d.outcome, d.cached) for d in lambda_authorizer.decisions()]
    assert outcomes == [("unauthorized", False), ("unauthorized", False), ("denied", False), ("error", False),
                        ("error", False), ("allowed", False), ("allowed", True)]
    denied = requests.get(f"{url}/items/1", headers={"Authorization": "deny"})
    assert denied.json() == {"Message": "User is not authorized to access this resource with an explicit deny"}


def test_a_cached_narrow_policy_refuses_the_next_method_until_it_expires(features: None, aws: Any, echo_arn: str) -> None:
    _, url = _token_api(aws, echo_arn)
    narrow = {"Authorization": "narrow"}
    assert requests.get(f"{url}/items", headers=narrow).status_code == 200
    refused = requests.get(f"{url}/items/7", headers=narrow)
    assert refused.status_code == 403 and refused.json()["Message"] == "User is not authorized to access this resource"
    assert lambda_authorizer.decisions()[-1].cached
    clock.advance(seconds=301)
    assert requests.get(f"{url}/items/7", headers=narrow).status_code == 200


def test_no_caching_runs_the_authorizer_every_time(features: None, aws: Any, echo_arn: str) -> None:
    _, url = _token_api(aws, echo_arn, ttl=0)
    for _ in range(2):
        assert requests.get(f"{url}/items", headers={"Authorization": "ok"}).status_code == 200
    assert [d.cached for d in lambda_authorizer.decisions()] == [False, False]


def test_request_authorizer_gets_the_request_and_needs_its_identity_sources(features: None, aws: Any, echo_arn: str) -> None:
    api = Api(aws, "request-auth")
    auth_arn = deploy_function("features-request-auth", """
def handler(event, context):
    assert event["type"] == "REQUEST" and event["httpMethod"] == "GET"
    who = event["queryStringParameters"]["user"] + "@" + event["headers"]["X-Tenant"]
    return {"principalId": who, "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}}
""").arn
    authorizer = api.gw.create_authorizer(restApiId=api.id, name="req", type="REQUEST", authorizerUri=_uri(auth_arn),
                                          identitySource="method.request.header.X-Tenant, method.request.querystring.user",
                                          authorizerResultTtlInSeconds=60)["id"]
    api.proxy("GET", "/things", echo_arn, authorizationType="CUSTOM", authorizerId=authorizer)
    url = api.deploy()
    assert requests.get(f"{url}/things?user=ada").status_code == 401  # an identity source is missing
    answer = requests.get(f"{url}/things?user=ada", headers={"X-Tenant": "acme"})
    assert answer.status_code == 200 and answer.json()["authorizer"]["principalId"] == "ada@acme"


def test_policy_evaluation_wildcards() -> None:
    arn = "arn:aws:execute-api:us-east-1:1:abc/prod/GET/items/7"
    allow_all = {"Statement": [{"Effect": "Allow", "Action": "execute-api:*", "Resource": "arn:aws:execute-api:*:*:abc/*"}]}
    assert lambda_authorizer.evaluate(allow_all, arn) == "allow"
    deny_get = {"Statement": allow_all["Statement"] + [{"Effect": "Deny", "Action": "execute-api:Invoke",
                                                         "Resource": "arn:aws:execute-api:us-east-1:1:abc/*/GET/*"}]}
    assert lambda_authorizer.evaluate(deny_get, arn) == "deny"
    assert lambda_authorizer.evaluate({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}, arn) == "none"


def test_stage_and_method_throttling_is_a_token_bucket(features: None, aws: Any, echo_arn: str) -> None:
    api = Api(aws, "throttled")
    api.proxy("GET", "/slow", echo_arn)
    api.proxy("GET", "/free", echo_arn)
    url = api.deploy()
    api.gw.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/~1slow/GET/throttling/rateLimit", "value": "1"},
        {"op": "replace", "path": "/~1slow/GET/throttling/burstLimit", "value": "2"}])
    statuses = [requests.get(f"{url}/slow").status_code for _ in range(4)]
    assert statuses[:2] == [200, 200] and statuses[2:] == [429, 429]
    assert requests.get(f"{url}/slow").json() == {"message": "Too Many Requests"}
    assert requests.get(f"{url}/free").status_code == 200
    clock.advance(seconds=1.5)
    assert requests.get(f"{url}/slow").status_code == 200
    entry = rest_pipeline.log()[-2]
    assert (entry.answered_by, entry.status) == ("integration", 200)
    assert any(e.answered_by == "stage throttling" and "over 1 requests/s" in e.reason for e in rest_pipeline.log())


def test_api_keys_usage_plan_quota_and_throttle(features: None, aws: Any, echo_arn: str) -> None:
    api = Api(aws, "partner")
    api.proxy("GET", "/catalog", echo_arn, apiKeyRequired=True)
    url = api.deploy()
    gw = api.gw
    key = gw.create_api_key(name="partner", enabled=True)
    idle = gw.create_api_key(name="idle", enabled=True)
    off = gw.create_api_key(name="off", enabled=False)
    plan = gw.create_usage_plan(name="basic", apiStages=[{"apiId": api.id, "stage": "prod"}],
                                throttle={"rateLimit": 1, "burstLimit": 2}, quota={"limit": 3, "period": "DAY"})
    for k in (key, off):
        gw.create_usage_plan_key(usagePlanId=plan["id"], keyId=k["id"], keyType="API_KEY")
    get = lambda k=None: requests.get(f"{url}/catalog", headers={"x-api-key": k["value"]} if k else {})  # noqa: E731
    assert [get().status_code, get(idle).status_code, get(off).status_code] == [403, 403, 403]
    assert [get(key).status_code for _ in range(3)] == [200, 200, 429]  # the burst of 2
    assert get(key).json() == {"message": "Too Many Requests"}
    clock.advance(seconds=1)
    assert get(key).status_code == 200  # the third of the day's quota
    limited = get(key)
    assert (limited.status_code, limited.json()) == (429, {"message": "Limit Exceeded"})
    clock.advance(days=1)
    assert get(key).status_code == 200
    counts = api_throttling.usage(plan["id"])[key["id"]]
    assert sorted(counts.values()) == [1, 3]


MAPPED_REQUEST = """{"item": $input.json('$.item'), "qty": $input.json('$.qty'), "who": "$input.params('who')"}"""


def _mapped_api(aws: Any) -> tuple[Api, str]:
    api = Api(aws, "mapped")
    arn = deploy_function("features-pricer", PRICER).arn
    rid = api.resource("/orders")
    gw = api.gw
    gw.put_method(restApiId=api.id, resourceId=rid, httpMethod="POST", authorizationType="NONE")
    gw.put_integration(restApiId=api.id, resourceId=rid, httpMethod="POST", type="AWS", integrationHttpMethod="POST",
                       uri=_uri(arn), requestTemplates={"application/json": MAPPED_REQUEST}, passthroughBehavior="NEVER")
    gw.put_integration_response(restApiId=api.id, resourceId=rid, httpMethod="POST", statusCode="200",
                                responseTemplates={"application/json": '{"bill": $input.json(\'$.total\'), "for": "$input.path(\'$.who\')"}'},
                                responseParameters={"method.response.header.X-Item": "integration.response.body.item",
                                                    "method.response.header.X-Api": "'v1'"})
    gw.put_integration_response(restApiId=api.id, resourceId=rid, httpMethod="POST", statusCode="400",
                                selectionPattern="BadRequest:.*",
                                responseTemplates={"application/json": '{"error": "$input.path(\'$.errorMessage\')"}'})
    return api, api.deploy()


def test_non_proxy_integration_maps_request_response_and_errors(features: None, aws: Any) -> None:
    _, url = _mapped_api(aws)
    with quiet():
        ok = requests.post(f"{url}/orders?who=ada", json={"item": "bread", "qty": 3})
        assert (ok.status_code, ok.json()) == (200, {"bill": 6, "for": "ada"})
        assert ok.headers["X-Item"] == "bread" and ok.headers["X-Api"] == "v1"
        bad = requests.post(f"{url}/orders", json={"item": "bread", "qty": 0})
        assert (bad.status_code, bad.json()) == (400, {"error": "BadRequest: qty must be positive"})
        unmatched = requests.post(f"{url}/orders", json={"item": "bread", "qty": 100})
        # No pattern matches "too many": the default response renders the error object, as on AWS.
        assert unmatched.status_code == 200 and unmatched.json()["bill"] is None
        wrong_type = requests.post(f"{url}/orders", data="item=bread", headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert wrong_type.status_code == 415


def test_templates_render_the_vtl_subset_and_refuse_directives() -> None:
    rendered = api_mapping.render(
        '{"id": "$input.params(\'id\')", "n": $input.json(\'$.items[1].n\'), "raw": $input.body, "ctx": "$context.stage",'
        ' "env": "${stageVariables.env}", "h": "$input.params().header.get(\'X-A\')", "q": "$!{input.path(\'$.nope\')}",'
        ' "esc": "$util.escapeJavaScript($input.params(\'q\'))"}',
        body='{"items": [{"n": 1}, {"n": 2}]}', params={"path": {"id": "7"}, "querystring": {"q": 'say "hi"'}, "header": {"X-A": "b"}},
        context={"stage": "prod"}, stage_variables={"env": "dev"})
    assert json.loads(rendered) == {"id": "7", "n": 2, "raw": {"items": [{"n": 1}, {"n": 2}]}, "ctx": "prod", "env": "dev",
                                    "h": "b", "q": "", "esc": 'say "hi"'}
    with pytest.raises(api_mapping.TemplateError, match="#foreach"):
        api_mapping.render("#foreach($x in $input.path('$'))$x#end")
    assert api_mapping.json_path({"a": [{"b": 1}]}, "$.a[0].b") == 1 and api_mapping.json_path({}, "$.x.y") is None


def test_pipeline_steps_run_in_gateway_order_whatever_the_install_order() -> None:
    names = [name for _, name, _ in rest_pipeline._steps]
    assert names.index("authorizer") < names.index("usage plan") < names.index("stage throttling") < names.index("mapping")


def test_openapi_import_still_validates_through_the_stand_in(features: None, aws: Any) -> None:
    gw = aws.client("apigateway")
    good = {"openapi": "3.0.1", "info": {"title": "t", "version": "1", "description": "d"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}
    assert gw.import_rest_api(body=json.dumps(good).encode())["name"] == "t"
    with pytest.raises(gw.exceptions.BadRequestException):
        gw.import_rest_api(body=json.dumps({"openapi": "3.0.1", "info": {"title": "t", "description": "d"}, "paths": {}}).encode(),
                           failOnWarnings=True)
