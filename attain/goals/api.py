"""HTTP API of the goals app."""

from ninja import Router

router = Router(tags=["goals"])
