"""Cognito's JSON Web Tokens: read them, verify them against the pool's JWKS, and see why they fail.

    from course_lib import cognito_tokens as tokens
    header, claims = tokens.peek(id_token)                 # decode WITHOUT verifying (never trust this)
    claims = tokens.verify(id_token, pool_id, client_id=client_id, token_use="id")
    tokens.verify(tokens.tamper(id_token, {"cognito:groups": ["admins"]}), pool_id)   # raises TokenRejected

What it does. A Cognito user pool signs its tokens (RS256) with a private key and publishes the
public half as a JSON Web Key Set at
``https://cognito-idp.<region>.amazonaws.com/<pool id>/.well-known/jwks.json``. :func:`verify`
does what every backend (and API Gateway's Cognito authorizer) must do before trusting a token:

1. fetch the JWKS (with ``requests``; in the sandbox moto serves it) and pick the key by ``kid``;
2. check the RS256 signature (``joserfc``);
3. check the claims: ``iss`` is the pool, ``exp`` is in the future, ``token_use`` is ``id`` or
   ``access`` as expected, and the ``aud`` (ID token) or ``client_id`` (access token) is the app
   client.

Every failure raises :class:`TokenRejected` with a ``reason`` a learner can read.

:func:`client_credentials_token` emulates the one OAuth grant a chapter needs and moto does not
serve: the hosted domain's ``/oauth2/token`` endpoint with ``grant_type=client_credentials``
(machine-to-machine access tokens with custom scopes). It checks the app client's secret, its
allowed flows and scopes as Cognito does, and signs with the pool's key, so :func:`verify` and the
API Gateway authorizer accept it exactly like a token from AWS.

Differs from AWS: moto signs every pool with the same fixed key pair (``kid`` ``dummy``); AWS
gives each pool its own keys (two, for rotation). moto's ID tokens carry no user attributes
(``email``...) unless the pool signs users in by email. Refresh tokens are opaque strings on
both, but moto's never expire and cannot be revoked.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet

REGION = "us-east-1"


class TokenRejected(Exception):
    """A token failed verification; ``reason`` says which check failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def issuer(pool_id: str, region: str | None = None) -> str:
    """The ``iss`` claim of the pool's tokens (also the base of its JWKS URL)."""
    region = region or pool_id.split("_", 1)[0] or REGION
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def jwks_url(pool_id: str, region: str | None = None) -> str:
    return issuer(pool_id, region) + "/.well-known/jwks.json"


def fetch_jwks(pool_id: str, region: str | None = None) -> dict[str, Any]:
    """The pool's public keys, fetched from its well-known URL as a backend would."""
    import requests

    response = requests.get(jwks_url(pool_id, region), timeout=5)
    response.raise_for_status()
    return response.json()


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) decoded WITHOUT checking anything: for reading, never for trusting."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenRejected("not a JWT: expected three dot-separated parts")
    try:
        return json.loads(_b64decode(parts[0])), json.loads(_b64decode(parts[1]))
    except ValueError as err:
        raise TokenRejected(f"not a JWT: {err}") from err


def tamper(token: str, changes: Mapping[str, Any]) -> str:
    """The same token with some claims changed and the ORIGINAL signature kept (an attacker's edit)."""
    head, _, signature = token.split(".")
    _, claims = peek(token)
    claims.update(changes)
    body = _b64encode(json.dumps(claims, separators=(",", ":")).encode())
    return f"{head}.{body}.{signature}"


def verify(
    token: str,
    pool_id: str,
    *,
    client_id: str | None = None,
    token_use: str | Iterable[str] | None = None,
    now: float | None = None,
    jwks: Mapping[str, Any] | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """Verify a Cognito token and return its claims, or raise :class:`TokenRejected`.

    ``now`` lets a demo ask "would this token be accepted at that time?" (expiry) without waiting.
    """
    header, _ = peek(token)
    keys = KeySet.import_key_set(dict(jwks or fetch_jwks(pool_id, region)))  # type: ignore[arg-type]
    if header.get("alg") != "RS256":
        raise TokenRejected(f"algorithm {header.get('alg')!r} refused: Cognito signs with RS256")
    if not any(key.kid == header.get("kid") for key in keys.keys):
        raise TokenRejected(f"no key with kid {header.get('kid')!r} in the pool's JWKS")
    try:
        decoded = jwt.decode(token, keys, algorithms=["RS256"])
    except BadSignatureError as err:
        raise TokenRejected("bad signature: the token was not signed by this pool, or was changed after signing") from err
    except JoseError as err:
        raise TokenRejected(f"malformed token: {err}") from err
    claims = dict(decoded.claims)
    if claims.get("iss") != issuer(pool_id, region):
        raise TokenRejected(f"wrong issuer {claims.get('iss')!r}: the token comes from another user pool")
    moment = time.time() if now is None else now
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= moment:
        raise TokenRejected("expired: exp is in the past")
    use = claims.get("token_use")
    if token_use is not None:
        wanted = {token_use} if isinstance(token_use, str) else set(token_use)
        if use not in wanted:
            raise TokenRejected(f"token_use is {use!r}, expected {' or '.join(sorted(wanted))}")
    if client_id is not None:
        audience = claims.get("aud") if use == "id" else claims.get("client_id")
        if audience != client_id:
            raise TokenRejected(f"issued to app client {audience!r}, not {client_id!r}")
    return claims


def scopes(claims: Mapping[str, Any]) -> list[str]:
    """An access token's scopes (the ``scope`` claim is one space-separated string)."""
    return sorted(str(claims.get("scope", "")).split())


def readable(
    claims: Mapping[str, Any],
    aliases: Mapping[str, str] | None = None,
    drop: Iterable[str] = ("iat", "auth_time", "exp", "jti", "origin_jti", "sub"),
) -> dict[str, Any]:
    """Claims without the per-token random/time values, sorted, with ids replaced by names.

    ``aliases`` maps a random id (the pool id, the client id) to a label, so what a notebook
    prints stays the same run to run: ``{pool_id: "<pool id>"}``.
    """
    skip = set(drop)
    out: dict[str, Any] = {}
    for key in sorted(claims):
        if key in skip:
            continue
        value = claims[key]
        if isinstance(value, str):
            for raw, label in (aliases or {}).items():
                value = value.replace(raw, label)
        out[key] = value
    return out


# -- the hosted domain's token endpoint, client_credentials grant ---------------------------------


@dataclass(frozen=True)
class ClientCredentialsToken:
    access_token: str
    expires_in: int
    token_type: str = "Bearer"


def _pool(pool_id: str, region: str | None = None) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends

    from course_lib.sandbox import ACCOUNT_ID

    region = region or pool_id.split("_", 1)[0] or REGION
    account = os.environ.get("MOTO_ACCOUNT_ID", ACCOUNT_ID)  # a throwaway quiz account sets it
    return cognitoidp_backends[account][region].describe_user_pool(pool_id)


def client_credentials_token(
    pool_id: str, client_id: str, client_secret: str, scope: str | None = None, region: str | None = None
) -> ClientCredentialsToken:
    """``POST /oauth2/token`` with ``grant_type=client_credentials``, checked as Cognito checks it.

    Raises :class:`TokenRejected` with the OAuth error code (``invalid_client``,
    ``unauthorized_client``, ``invalid_scope``) that Cognito would return.
    """
    pool = _pool(pool_id, region)
    client = pool.clients.get(client_id)
    if client is None or not client.generate_secret or client.secret != client_secret:
        raise TokenRejected("invalid_client: unknown app client or wrong client secret")
    config = client.extended_config
    if "client_credentials" not in (config.get("AllowedOAuthFlows") or []):
        raise TokenRejected("unauthorized_client: the app client may not use the client_credentials grant")
    allowed = list(config.get("AllowedOAuthScopes") or [])
    requested = scope.split() if scope else allowed
    if not requested or any(s not in allowed for s in requested):
        raise TokenRejected(f"invalid_scope: the app client may request only {' '.join(allowed) or 'no scopes'}")
    now = int(time.time())
    expires_in = 3600
    claims = {
        "iss": issuer(pool_id, region),
        "sub": client_id,  # no user: the machine client is the subject
        "client_id": client_id,
        "token_use": "access",
        "scope": " ".join(requested),
        "auth_time": now,
        "iat": now,
        "exp": now + expires_in,
        "jti": _b64encode(os.urandom(12)),
    }
    token = jwt.encode({"kid": "dummy", "alg": "RS256"}, claims, pool.json_web_key)
    return ClientCredentialsToken(token, expires_in)
