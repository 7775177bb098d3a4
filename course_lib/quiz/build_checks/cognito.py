"""Build-it checks for chapter 10 (Cognito): a user pool set up for an app."""

from __future__ import annotations

from typing import Any

from course_lib.quiz.checks import CheckItem, _near, build_check


def _find_pool(client: Any, name: str) -> dict[str, Any] | None:
    pools = client.list_user_pools(MaxResults=60).get("UserPools", [])
    return next((p for p in pools if p["Name"] == name), None)


def _solve_user_pool_app(
    sandbox: Any, pool_name: str, client_name: str, min_password_length: int, group: str, flows: list[str] | None = None
) -> None:
    idp = sandbox.client("cognito-idp")
    pool_id = idp.create_user_pool(
        PoolName=pool_name, Policies={"PasswordPolicy": {"MinimumLength": min_password_length}}
    )["UserPool"]["Id"]
    idp.create_user_pool_client(UserPoolId=pool_id, ClientName=client_name, ExplicitAuthFlows=list(flows or []))
    idp.create_group(UserPoolId=pool_id, GroupName=group)


@build_check("cognito_user_pool_app", solve=_solve_user_pool_app)
def cognito_user_pool_app(
    sandbox: Any, pool_name: str, client_name: str, min_password_length: int, group: str, flows: list[str] | None = None
) -> list[CheckItem]:
    """A user pool with a password policy, an app client with sign-in flows, and a group."""
    idp = sandbox.client("cognito-idp")
    pool = _find_pool(idp, pool_name)
    if pool is None:
        names = [p["Name"] for p in idp.list_user_pools(MaxResults=60).get("UserPools", [])]
        return [CheckItem(False, f"user pool {pool_name} not found in the sandbox{_near(pool_name, names)}")]
    pool_id = pool["Id"]
    items = [CheckItem(True, f"user pool {pool_name} exists")]
    policy = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("Policies", {}).get("PasswordPolicy", {})
    length = policy.get("MinimumLength")
    items.append(
        CheckItem(True, f"minimum password length is {length}")
        if length == min_password_length
        else CheckItem(False, f"minimum password length is {length}, expected {min_password_length}")
    )
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60).get("UserPoolClients", [])
    match = next((c for c in clients if c["ClientName"] == client_name), None)
    if match is None:
        names = [c["ClientName"] for c in clients]
        items.append(CheckItem(False, f"app client {client_name} not found in the pool{_near(client_name, names)}"))
    else:
        items.append(CheckItem(True, f"app client {client_name} exists"))
        got = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=match["ClientId"])["UserPoolClient"]
        have = set(got.get("ExplicitAuthFlows") or [])
        for flow in flows or []:
            items.append(
                CheckItem(True, f"app client allows {flow}") if flow in have else CheckItem(False, f"app client does not allow {flow}")
            )
    groups = [g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id).get("Groups", [])]
    items.append(
        CheckItem(True, f"group {group} exists")
        if group in groups
        else CheckItem(False, f"group {group} not found in the pool{_near(group, groups)}")
    )
    return items
