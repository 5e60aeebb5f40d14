"""Signing webhook deliveries, and how a receiver checks a signature.

Every POST carries the header

    Attain-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the secret>

plus `Attain-Event` (the event name) and `Attain-Delivery` (the delivery id; the same on every
retry). A receiver verifies a request like this (what `webhook_signature_verify` does):

1. split the header on "," into `key=value` pairs; take `t` and every `v1`;
2. compute HMAC-SHA256 with the webhook's secret (UTF-8) over the bytes `<t>.` followed by
   the raw request body exactly as received (before any JSON parsing);
3. compare the hex digest with each `v1` in constant time (`hmac.compare_digest`);
4. refuse a `t` more than five minutes away from its own clock (a replayed request).

The body is JSON: `{"id": <event id>, "event": <name>, "occurred_at": <ISO time>, "data": …}`.
The event id is unique per event: a receiver that sees it twice (a retry after a lost answer)
can ignore the repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Attain-Signature"
EVENT_HEADER = "Attain-Event"
DELIVERY_HEADER = "Attain-Delivery"
TOLERANCE_SECONDS = 300


def webhook_signature(secret: str, body: bytes, timestamp: int) -> str:
    """The `Attain-Signature` header value for `body` sent at `timestamp` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def webhook_signature_verify(
    secret: str,
    header: str,
    body: bytes,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Whether `header` signs `body` with `secret` at a time within `tolerance` seconds of
    `now` (the current time when not given)."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in (header or "").split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = webhook_signature(secret, body, timestamp).partition(",v1=")[2]
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
