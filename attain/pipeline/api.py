"""HTTP API of the pipeline app."""

from ninja import Router

router = Router(tags=["pipeline"])
