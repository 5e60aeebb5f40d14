"""The admin site opens to sales operations (by role, not only by Django's staff flag)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from attain.core.visibility import is_admin


def _has_permission(request: HttpRequest) -> bool:
    return bool(request.user.is_active and is_admin(request.user))


admin.site.has_permission = _has_permission  # type: ignore[method-assign]
admin.site.site_header = "Attain administration (read-only)"
admin.site.site_title = "Attain"
