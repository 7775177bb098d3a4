"""The Cognito authorizer: the front door refuses what API Gateway refuses, and passes claims on."""

from __future__ import annotations

import json

import pytest
import requests

from course_lib import cognito_tokens as tokens
from course_lib.runtime import deploy_function
from course_lib.wiring import apigateway, cognito_authorizer

HANDLER = """
import json

def handler(event, context):
    claims = event["requestContext"].get("authorizer", {}).get("claims", {})
    return {"statusCode": 200, "body": json.dumps({"user": claims.get("cognito:username") or claims.get("username"),
                                                  "groups": claims.get("cognito:groups"), "scope": claims.get("scope")})}
"""


@pytest.fixture
def api(aws):
    cognito_authorizer.install()
    idp = aws.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="shop")["UserPool"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="web", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=client_id, Username="ada", Password="Secret123!")
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username="ada")
    idp.create_group(UserPoolId=pool["Id"], GroupName="admins")
    idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username="ada", GroupName="admins")
    auth = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "ada", "PASSWORD": "Secret123!"}
    )["AuthenticationResult"]
    deploy_function("whoami", HANDLER)
    fn_arn = aws.client("lambda").get_function(FunctionName="whoami")["Configuration"]["FunctionArn"]
    gw = aws.client("apigateway")
    api_id = gw.create_rest_api(name="orders")["id"]
    root = gw.get_resources(restApiId=api_id)["items"][0]["id"]
    authorizer = gw.create_authorizer(
        restApiId=api_id, name="users", type="COGNITO_USER_POOLS", providerARNs=[pool["Arn"]],
        identitySource="method.request.header.Authorization",
    )["id"]
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn_arn}/invocations"
    for part, scopes in (("me", None), ("reports", ["orders/read"]), ("open", "NONE")):
        rid = gw.create_resource(restApiId=api_id, parentId=root, pathPart=part)["id"]
        kwargs = {"authorizationType": "NONE"} if scopes == "NONE" else {
            "authorizationType": "COGNITO_USER_POOLS", "authorizerId": authorizer, **({"authorizationScopes": scopes} if scopes else {})}
        gw.put_method(restApiId=api_id, resourceId=rid, httpMethod="GET", **kwargs)
        gw.put_integration(restApiId=api_id, resourceId=rid, httpMethod="GET", type="AWS_PROXY",
                           integrationHttpMethod="POST", uri=uri)
    gw.create_deployment(restApiId=api_id, stageName="prod")
    return {"url": apigateway.invoke_url(api_id, "prod"), "auth": auth, "pool": pool, "idp": idp}


def test_no_token_is_401_and_the_function_never_runs(api):
    response = requests.get(api["url"] + "/me")
    assert response.status_code == 401 and response.json() == {"message": "Unauthorized"}
    assert cognito_authorizer.last_rejection() == "no token in the identity source header"


def test_id_token_passes_and_claims_reach_the_handler(api):
    response = requests.get(api["url"] + "/me", headers={"Authorization": api["auth"]["IdToken"]})
    assert response.status_code == 200
    assert response.json() == {"user": "ada", "groups": "admins", "scope": None}
    bearer = requests.get(api["url"] + "/me", headers={"Authorization": "Bearer " + api["auth"]["IdToken"]})
    assert bearer.status_code == 200


def test_tampered_token_and_access_token_without_scopes_are_refused(api):
    forged = tokens.tamper(api["auth"]["IdToken"], {"cognito:username": "admin"})
    assert requests.get(api["url"] + "/me", headers={"Authorization": forged}).status_code == 401
    assert "bad signature" in cognito_authorizer.last_rejection()
    access = requests.get(api["url"] + "/me", headers={"Authorization": api["auth"]["AccessToken"]})
    assert access.status_code == 401 and "token_use" in cognito_authorizer.last_rejection()


def test_scoped_method_needs_an_access_token_with_the_scope(api):
    idp, pool = api["idp"], api["pool"]
    user_access = requests.get(api["url"] + "/reports", headers={"Authorization": api["auth"]["AccessToken"]})
    assert user_access.status_code == 401 and "none of the scopes" in cognito_authorizer.last_rejection()
    idp.create_resource_server(UserPoolId=pool["Id"], Identifier="orders", Name="orders",
                               Scopes=[{"ScopeName": "read", "ScopeDescription": "read orders"}])
    client = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="reporting", GenerateSecret=True, AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["orders/read"], AllowedOAuthFlowsUserPoolClient=True)["UserPoolClient"]
    token = tokens.client_credentials_token(pool["Id"], client["ClientId"], client["ClientSecret"]).access_token
    response = requests.get(api["url"] + "/reports", headers={"Authorization": token})
    assert response.status_code == 200 and response.json()["scope"] == "orders/read"


def test_token_from_another_pool_is_refused_and_open_routes_stay_open(api):
    idp = api["idp"]
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=other, ClientName="x", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])[
        "UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=client_id, Username="eve", Password="Secret123!")
    idp.admin_confirm_sign_up(UserPoolId=other, Username="eve")
    foreign = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "eve", "PASSWORD": "Secret123!"})["AuthenticationResult"]["IdToken"]
    assert requests.get(api["url"] + "/me", headers={"Authorization": foreign}).status_code == 401
    assert "does not trust" in cognito_authorizer.last_rejection()
    assert requests.get(api["url"] + "/open").json() == {"user": None, "groups": None, "scope": None}
