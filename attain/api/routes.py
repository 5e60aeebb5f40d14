"""API endpoints for the caller's own API tokens."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from attain.api.models import ApiToken
from attain.api.services import api_token_create, api_token_revoke

router = Router(tags=["tokens"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIn(Schema):
    name: str
    expires_at: dt.datetime | None = None


class TokenCreated(TokenOut):
    token: str


@router.get("/", response=list[TokenOut], operation_id="api_token_list")
def api_token_list(request: HttpRequest) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user_id=request.user.pk or 0))


@router.post("/", response={201: TokenCreated}, operation_id="api_token_create")
def api_token_create_view(request: HttpRequest, payload: TokenIn) -> Status:
    token, raw = api_token_create(
        user=request.user, name=payload.name, expires_at=payload.expires_at
    )
    data = TokenOut.from_orm(token).dict()
    return Status(201, {**data, "token": raw})


@router.delete("/{token_id}", response={204: None}, operation_id="api_token_revoke")
def api_token_revoke_view(request: HttpRequest, token_id: int) -> Status:
    api_token_revoke(token=get_object_or_404(ApiToken, pk=token_id, user_id=request.user.pk))
    return Status(204, None)
