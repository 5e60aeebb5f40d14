"""HTTP API of the customers app."""

from ninja import Router

router = Router(tags=["customers"])
