"""Per-request memo of the history stamps (see history.py): read once per request at most."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from attain.analytics.history import stamps_memo


class HistoryStampMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with stamps_memo():
            return self.get_response(request)
