"""HTTP API of the organization app."""

from ninja import Router

router = Router(tags=["organization"])
