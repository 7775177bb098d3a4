"""cognito_tokens: real moto tokens verified against the JWKS moto serves; every failure named."""

from __future__ import annotations

import time

import pytest

from course_lib import cognito_tokens as tokens


def _pool(aws):
    idp = aws.client("cognito-idp")
    pool_id = idp.create_user_pool(PoolName="shop")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=client_id, Username="ada", Password="Secret123!")
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="ada")
    result = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "ada", "PASSWORD": "Secret123!"}
    )["AuthenticationResult"]
    return idp, pool_id, client_id, result


def test_valid_id_and_access_tokens_verify(aws):
    _, pool_id, client_id, result = _pool(aws)
    claims = tokens.verify(result["IdToken"], pool_id, client_id=client_id, token_use="id")
    assert claims["cognito:username"] == "ada" and claims["aud"] == client_id
    access = tokens.verify(result["AccessToken"], pool_id, client_id=client_id, token_use="access")
    assert tokens.scopes(access) == ["aws.cognito.signin.user.admin"]


def test_jwks_is_fetched_from_the_well_known_url(aws):
    _, pool_id, _, _ = _pool(aws)
    assert tokens.jwks_url(pool_id).endswith(f"/{pool_id}/.well-known/jwks.json")
    keys = tokens.fetch_jwks(pool_id)["keys"]
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256"


def test_tampered_token_is_rejected_for_its_signature(aws):
    _, pool_id, _, result = _pool(aws)
    forged = tokens.tamper(result["IdToken"], {"cognito:groups": ["admins"]})
    assert tokens.peek(forged)[1]["cognito:groups"] == ["admins"]
    with pytest.raises(tokens.TokenRejected, match="bad signature"):
        tokens.verify(forged, pool_id)


def test_each_claim_check_fails_with_its_reason(aws):
    idp, pool_id, client_id, result = _pool(aws)
    with pytest.raises(tokens.TokenRejected, match="expired"):
        tokens.verify(result["IdToken"], pool_id, now=time.time() + 2 * 3600)
    with pytest.raises(tokens.TokenRejected, match="token_use is 'access'"):
        tokens.verify(result["AccessToken"], pool_id, token_use="id")
    with pytest.raises(tokens.TokenRejected, match="not 'other-client'"):
        tokens.verify(result["IdToken"], pool_id, client_id="other-client")
    other_pool = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    with pytest.raises(tokens.TokenRejected, match="wrong issuer"):
        tokens.verify(result["IdToken"], other_pool)
    with pytest.raises(tokens.TokenRejected, match="not a JWT"):
        tokens.verify("abc.def", pool_id)


def test_algorithm_none_is_refused(aws):
    _, pool_id, _, result = _pool(aws)
    head, body, _ = result["IdToken"].split(".")
    none_header = tokens._b64encode(b'{"alg":"none","kid":"dummy"}')
    with pytest.raises(tokens.TokenRejected, match="algorithm 'none' refused"):
        tokens.verify(f"{none_header}.{body}.", pool_id)


def test_readable_drops_random_claims(aws):
    _, pool_id, _, result = _pool(aws)
    claims = tokens.readable(tokens.verify(result["IdToken"], pool_id))
    assert set(claims) == {"aud", "cognito:username", "iss", "token_use"}


def test_client_credentials_grant_checks_secret_flow_and_scopes(aws):
    idp = aws.client("cognito-idp")
    pool_id = idp.create_user_pool(PoolName="m2m")["UserPool"]["Id"]
    idp.create_resource_server(
        UserPoolId=pool_id, Identifier="orders", Name="orders",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}, {"ScopeName": "write", "ScopeDescription": "w"}],
    )
    client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="reporting", GenerateSecret=True, AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["orders/read"], AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]
    token = tokens.client_credentials_token(pool_id, client["ClientId"], client["ClientSecret"], "orders/read")
    claims = tokens.verify(token.access_token, pool_id, client_id=client["ClientId"], token_use="access")
    assert tokens.scopes(claims) == ["orders/read"] and claims["sub"] == client["ClientId"]
    with pytest.raises(tokens.TokenRejected, match="invalid_client"):
        tokens.client_credentials_token(pool_id, client["ClientId"], "wrong", "orders/read")
    with pytest.raises(tokens.TokenRejected, match="invalid_scope"):
        tokens.client_credentials_token(pool_id, client["ClientId"], client["ClientSecret"], "orders/write")
    public = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web", GenerateSecret=True)["UserPoolClient"]
    with pytest.raises(tokens.TokenRejected, match="unauthorized_client"):
        tokens.client_credentials_token(pool_id, public["ClientId"], public["ClientSecret"])


def test_readable_replaces_ids_with_labels(aws):
    _, pool_id, client_id, result = _pool(aws)
    claims = tokens.readable(tokens.verify(result["IdToken"], pool_id), {pool_id: "<pool>", client_id: "<client>"})
    assert claims["aud"] == "<client>" and claims["iss"].endswith("/<pool>")
