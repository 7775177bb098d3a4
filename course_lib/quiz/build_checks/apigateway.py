"""Build-it checks for chapter 03 (API Gateway): a REST API method proxied to a function, deployed.

``rest_api_proxy`` reads the learner's API the way a reviewer would: the API, the resource path,
the method, its ``AWS_PROXY`` integration and the function it names, the function's permission
for API Gateway, the stage, and optionally the stage's default throttling.
"""

from __future__ import annotations

from typing import Any

from course_lib.quiz.checks import CheckItem, _near, lets_service_invoke, _role_arn, _zip, build_check


def _uri(function_arn: str, region: str = "us-east-1") -> str:
    return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def _solve(sandbox: Any, api: str, path: str, method: str, function: str, stage: str,
           throttle_rate: float | None = None, throttle_burst: int | None = None) -> None:
    lam, apigw = sandbox.client("lambda"), sandbox.client("apigateway")
    arn = lam.create_function(
        FunctionName=function, Runtime="python3.13", Role=_role_arn(sandbox), Handler="app.handler",
        Code={"ZipFile": _zip("def handler(event, context):\n    return {'statusCode': 200, 'body': '{}'}\n")},
    )["FunctionArn"]
    api_id = apigw.create_rest_api(name=api)["id"]
    parent = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    for part in [p for p in path.split("/") if p]:
        parent = apigw.create_resource(restApiId=api_id, parentId=parent, pathPart=part)["id"]
    apigw.put_method(restApiId=api_id, resourceId=parent, httpMethod=method, authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=parent, httpMethod=method, type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=_uri(arn))
    lam.add_permission(FunctionName=function, StatementId="apigateway-invoke", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com")
    apigw.create_deployment(restApiId=api_id, stageName=stage)
    if throttle_rate is not None or throttle_burst is not None:
        ops = []
        if throttle_rate is not None:
            ops.append({"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(throttle_rate)})
        if throttle_burst is not None:
            ops.append({"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(throttle_burst)})
        apigw.update_stage(restApiId=api_id, stageName=stage, patchOperations=ops)


@build_check("rest_api_proxy", solve=_solve)
def rest_api_proxy(sandbox: Any, api: str, path: str, method: str, function: str, stage: str,
                   throttle_rate: float | None = None, throttle_burst: int | None = None) -> list[CheckItem]:
    """A REST API method proxied (AWS_PROXY) to a Lambda function, deployed to a stage."""
    apigw, lam = sandbox.client("apigateway"), sandbox.client("lambda")
    apis = apigw.get_rest_apis().get("items", [])
    found = [a for a in apis if a.get("name") == api]
    if not found:
        return [CheckItem(False, f"REST API {api} not found in the sandbox{_near(api, [a.get('name', '') for a in apis])}")]
    api_id = found[0]["id"]
    items = [CheckItem(True, f"REST API {api} exists")]
    resources = apigw.get_resources(restApiId=api_id).get("items", [])
    resource = next((r for r in resources if r.get("path") == path), None)
    if resource is None:
        paths = [r.get("path", "") for r in resources]
        items.append(CheckItem(False, f"resource {path} not found in the API{_near(path, paths).replace('the sandbox has', 'the API has')}"))
        return items
    items.append(CheckItem(True, f"resource {path} exists"))
    if method not in (resource.get("resourceMethods") or {}):
        have = ", ".join(sorted(resource.get("resourceMethods") or {})) or "none"
        items.append(CheckItem(False, f"method {method} not found on {path} (it has: {have})"))
        return items
    items.append(CheckItem(True, f"method {method} {path} exists"))
    integration = apigw.get_method(restApiId=api_id, resourceId=resource["id"], httpMethod=method).get("methodIntegration")
    if not integration:
        items.append(CheckItem(False, f"method {method} {path} has no integration"))
        return items
    kind = integration.get("type")
    items.append(CheckItem(True, "integration type is AWS_PROXY") if kind == "AWS_PROXY"
                 else CheckItem(False, f"integration type is {kind}, expected AWS_PROXY (Lambda proxy integration)"))
    uri = integration.get("uri") or ""
    named = uri.split(":function:")[-1].split("/")[0].split(":")[0] if ":function:" in uri else None
    items.append(CheckItem(True, f"the integration invokes function {function}") if named == function
                 else CheckItem(False, f"the integration invokes {named or 'no Lambda function'}, expected {function}"))
    try:
        lam.get_function_configuration(FunctionName=function)
        items.append(CheckItem(True, f"function {function} exists"))
        items.append(CheckItem(True, f"function {function} lets API Gateway invoke it") if lets_service_invoke(lam, function, "apigateway.amazonaws.com")
                     else CheckItem(False, f"function {function} has no resource-based policy letting apigateway.amazonaws.com "
                                           "invoke it (lambda add_permission); on AWS every call would fail with 500"))
    except lam.exceptions.ResourceNotFoundException:
        names = [f["FunctionName"] for f in lam.list_functions().get("Functions", [])]
        items.append(CheckItem(False, f"function {function} not found in the sandbox{_near(function, names)}"))
    stages = {s["stageName"]: s for s in apigw.get_stages(restApiId=api_id).get("item", [])}
    if stage not in stages:
        have = ", ".join(sorted(stages)) or "none: create a deployment"
        items.append(CheckItem(False, f"stage {stage} not found (stages: {have})"))
        return items
    items.append(CheckItem(True, f"stage {stage} is deployed"))
    settings = (stages[stage].get("methodSettings") or {}).get("*/*") or {}
    if throttle_rate is not None:
        got = settings.get("throttlingRateLimit")
        items.append(CheckItem(True, f"stage throttling rate is {throttle_rate:g} requests/s")
                     if got is not None and float(got) == float(throttle_rate)
                     else CheckItem(False, f"stage throttling rate is {got if got is not None else 'not set'}, expected {throttle_rate:g} "
                                           "(methodSettings */*)"))
    if throttle_burst is not None:
        got = settings.get("throttlingBurstLimit")
        items.append(CheckItem(True, f"stage burst limit is {throttle_burst}") if got is not None and int(got) == int(throttle_burst)
                     else CheckItem(False, f"stage burst limit is {got if got is not None else 'not set'}, expected {throttle_burst}"))
    return items
