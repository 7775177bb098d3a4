"""Fixtures for the wiring tests (helpers live in wiring_support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def invocations(aws: Any) -> Iterator[list[Any]]:
    """Every Lambda invocation made during the test, in order (runtime Invocation objects)."""
    from course_lib.runtime import executor

    seen: list[Any] = []
    executor.add_listener(seen.append)
    yield seen
    executor.remove_listener(seen.append)


_CLIENTS: dict[tuple[str, str | None], Any] = {}


@pytest.fixture(autouse=True)
def reuse_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reuse one boto3 client per service across these tests: creating one costs 5-50 ms and
    the tests (and deploy_function) ask for hundreds. A client holds no account state (that
    lives in moto), so behaviour is unchanged."""
    from course_lib.sandbox import Sandbox

    create = Sandbox.client

    def client(self: Sandbox, service: str, region: str | None = None) -> Any:
        key = (service, region)
        if key not in _CLIENTS:
            _CLIENTS[key] = create(self, service, region)
        return _CLIENTS[key]

    monkeypatch.setattr(Sandbox, "client", client)
