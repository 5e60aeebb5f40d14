"""Accounts and security: Argon2, sign-in throttling, CSRF, headers, CSP, API tokens."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from attain.api.models import ApiToken
from attain.core.models import LoginFailure
from attain.organization.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from config import settings as project_settings

    assert (
        project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_sign_in_is_locked_after_repeated_failures(world, client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        response = client.post("/login/", {"username": "rep", "password": "wrong"})
        assert response.status_code == 200
    assert LoginFailure.objects.filter(username="rep").count() == 3
    locked = client.post("/login/", {"username": "rep", "password": PASSWORD})
    assert locked.status_code == 200
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_successful_sign_in_clears_failures(world, client):
    client.post("/login/", {"username": "rep", "password": "wrong"})
    response = client.post("/login/", {"username": "rep", "password": PASSWORD})
    assert response.status_code == 302
    assert LoginFailure.objects.filter(username="rep").count() == 0


def test_pages_require_sign_in(world, client):
    for url in ["/", "/organization/people/", "/account/", "/area/plan/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_security_headers_and_csp(world, login_as):
    response = login_as(world.rep).get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_csrf_is_enforced_on_forms_and_session_api(world):
    client = Client(enforce_csrf_checks=True)
    client.login(username="admin", password=PASSWORD)
    assert client.post("/account/", {"name": "x"}).status_code == 403
    api = client.post("/api/v1/tokens/", json.dumps({"name": "x"}), content_type="application/json")
    assert api.status_code in (401, 403)
    assert ApiToken.objects.count() == 0


def test_api_token_acts_as_its_person(world, login_as):
    client = login_as(world.rep)
    created = client.post(
        "/api/v1/tokens/", json.dumps({"name": "script"}), content_type="application/json"
    )
    assert created.status_code == 201
    raw = created.json()["token"]
    assert raw.startswith("att_")
    token = ApiToken.objects.get()
    assert token.key_hash != raw and raw not in token.key_hash
    anonymous = Client()
    me = anonymous.get(
        f"/api/v1/organization/people/{world.rep.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert me.status_code == 200
    other = anonymous.get(
        f"/api/v1/organization/people/{world.rep2.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert other.status_code == 404
    client.delete(f"/api/v1/tokens/{token.pk}")
    revoked = anonymous.get(
        f"/api/v1/organization/people/{world.rep.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert revoked.status_code == 401


def test_api_without_credentials_is_401(world):
    response = Client().get("/api/v1/organization/people")
    assert response.status_code == 401
    assert response.json()["detail"][0]["message"]


def test_openapi_document_is_published(world, login_as):
    response = login_as(world.rep).get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/organization/people" in paths


def test_cannot_revoke_someone_elses_token(world, login_as):
    client = login_as(world.rep)
    raw_id = client.post(
        "/api/v1/tokens/", json.dumps({"name": "mine"}), content_type="application/json"
    ).json()["id"]
    other = login_as(world.rep2)
    assert other.delete(f"/api/v1/tokens/{raw_id}").status_code == 404
    assert ApiToken.objects.get(pk=raw_id).revoked_at is None


def test_settings_reporting_currency_default():
    assert settings.REPORTING_CURRENCY == "EUR"
