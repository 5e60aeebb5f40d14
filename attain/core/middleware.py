"""The signed-in user's interface language, on top of what `LocaleMiddleware` chose.

`LocaleMiddleware` picks a language from the language cookie or the browser's Accept-Language
header. `UserLanguageMiddleware` (right after `AuthenticationMiddleware`) replaces that choice with
the user's `UserPreference.language` when one is set.

Cost: the preference is read once at sign-in (`remember_language`, connected to
`user_logged_in` in `CoreConfig.ready`) and kept in the session, so pages cost no query for it.
The copy is re-read at most once every `PREFERENCE_CACHE_SECONDS` (one indexed query and the
session save that stores it), so that a choice made in another browser shows there too;
`user_preference_set` drops the copy of the session it is given, so that the very next page of
that session follows the new choice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from attain.core.models import UserPreference

# The session holds {"user": pk, "language": code or "", "until": epoch seconds}.
PREFERENCE_SESSION_KEY = "attain_language"
PREFERENCE_CACHE_SECONDS = 300


def _stored_language(user_pk: Any) -> str:
    return (
        UserPreference.objects.filter(user_id=user_pk).values_list("language", flat=True).first()
        or ""
    )


def _remember(session: SessionBase, user_pk: Any, language: str) -> None:
    session[PREFERENCE_SESSION_KEY] = {
        "user": user_pk,
        "language": language,
        "until": int(time.time()) + PREFERENCE_CACHE_SECONDS,
    }


def remember_language(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """`user_logged_in` receiver: copy the user's preference into the new session."""
    session = getattr(request, "session", None)
    if session is not None and user is not None:
        _remember(session, user.pk, _stored_language(user.pk))


def preferred_language(request: HttpRequest) -> str:
    """The signed-in user's chosen language code, or "" (anonymous, or no choice: the browser's).

    Reads the copy in the session; only when it is missing, stale or another user's does it cost
    one indexed query.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    session = request.session
    cached = session.get(PREFERENCE_SESSION_KEY)
    if (
        isinstance(cached, dict)
        and cached.get("user") == user.pk
        and int(cached.get("until", 0)) > time.time()
    ):
        language = str(cached.get("language", ""))
    else:
        language = _stored_language(user.pk)
        _remember(session, user.pk, language)
    return language if language in dict(settings.LANGUAGES) else ""


class UserLanguageMiddleware:
    """Activate the signed-in user's preferred language for the request.

    Sets `request.LANGUAGE_CODE` and the response's Content-Language to it; without a preference
    (or for anonymous visitors) `LocaleMiddleware`'s choice stands untouched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        language = preferred_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            response.headers["Content-Language"] = language
        return response
