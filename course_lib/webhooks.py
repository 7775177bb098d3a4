"""Signed webhooks, as SaaS providers send them: the sending side, for chapter 07's receiver.

    from course_lib import webhooks
    provider = webhooks.Provider(secret="whsec_demo_only")
    status, body = provider.deliver(url, {"type": "charge.succeeded", "data": {...}})
    webhooks.verify(body_text, secret, signature)      # what a receiver checks

What it emulates. Payment providers, Git hosts and CRMs POST a JSON payload to the URL you
registered and sign it with a secret you share: an HMAC-SHA256 of the raw body, hex-encoded,
in a header (Stripe, GitHub and Shopify each name and format it a little differently; this
uses ``X-Signature: <hex>``). Providers retry a delivery that fails or times out, so the same
event can arrive twice. :class:`Provider` signs, sends with ``requests`` (which reaches the
sandbox's API Gateway URLs in-process) and records what it delivered.

Differs from real providers: no timestamp in the signature (real ones add one to stop replays),
no automatic retries; the payload shapes are the course's own.

Importing this module also skips an expensive grammar build that moto's API Gateway import
triggers through ``jsonschema`` (``rfc3987_syntax``: several seconds on a busy machine, for an
IRI format check nothing here uses); the chapter-10 wiring does the same.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from course_lib.import_speed import skip_iri_grammar

SIGNATURE_HEADER = "X-Signature"

skip_iri_grammar()  # see course_lib.import_speed


def sign(body: str | bytes, secret: str) -> str:
    """The hex HMAC-SHA256 of the raw body, keyed with the shared secret."""
    raw = body.encode() if isinstance(body, str) else body
    return hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def verify(body: str | bytes, secret: str, signature: str | None) -> bool:
    """What a receiver checks, in constant time (a plain ``==`` leaks timing)."""
    return bool(signature) and hmac.compare_digest(sign(body, secret), str(signature))


@dataclass
class Provider:
    """A SaaS provider that sends signed webhooks to one URL."""

    secret: str
    header: str = SIGNATURE_HEADER
    sent: list[tuple[str, int]] = field(default_factory=list)  # (event type, HTTP status)

    def deliver(self, url: str, payload: dict[str, Any], *, secret: str | None = None) -> tuple[int, Any]:
        """POST ``payload`` signed with ``secret`` (default: the shared one); returns (status, JSON body)."""
        import requests

        body = json.dumps(payload)
        headers = {"Content-Type": "application/json", self.header: sign(body, secret or self.secret)}
        response = requests.post(url, data=body, headers=headers, timeout=10)
        self.sent.append((str(payload.get("type", "")), response.status_code))
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.text
