"""Writes for API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.api.models import TOKEN_PREFIX_LENGTH, ApiToken, hash_token, new_raw_token


@transaction.atomic
def api_token_create(
    *, user: Any, name: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the token and its raw value (shown once, never stored)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the script that uses it.")})
    if len(name) > 80:
        raise ValidationError({"name": _("Keep the name under 80 characters.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    raw = new_raw_token()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[: TOKEN_PREFIX_LENGTH + 4],
        key_hash=hash_token(raw),
        expires_at=expires_at,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token
