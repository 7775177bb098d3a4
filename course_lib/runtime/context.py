"""The ``context`` object a handler receives, with the attributes AWS's Python runtime sets.

Matches ``awslambdaric``'s ``LambdaContext``: ``memory_limit_in_mb`` is a string there too
(it is read from an environment variable), and ``get_remaining_time_in_millis()`` counts down
from the function's Timeout.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CognitoIdentity:
    cognito_identity_id: str | None = None
    cognito_identity_pool_id: str | None = None


@dataclass
class LambdaContext:
    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: str
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    deadline_epoch_ms: int
    identity: CognitoIdentity = field(default_factory=CognitoIdentity)
    client_context: Any = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_epoch_ms - int(time.time() * 1000))

    def log(self, message: str) -> None:
        print(message, end="")
