"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from attain.organization.tests.factories import PASSWORD, World, make_world

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture
def login_as(client: Client):
    """`login_as(person)` signs the test client in as that person and returns the client."""

    def _login(person) -> Client:
        client.logout()
        assert client.login(username=person.user.username, password=PASSWORD)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
