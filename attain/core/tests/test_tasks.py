"""Background work runs through django.tasks and the database-backed worker, on either database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from attain.core.models import LoginFailure
from attain.core.services import login_failure_record

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_failed_sign_in_enqueues_pruning_that_the_worker_runs(settings):
    settings.LOGIN_LOCKOUT_SECONDS = 600
    old = LoginFailure.objects.create(username="old", ip_address="10.0.0.1")
    LoginFailure.objects.filter(pk=old.pk).update(failed_at=timezone.now() - dt.timedelta(hours=2))
    login_failure_record(username="Rep", ip_address="10.0.0.2")  # commits: the task is enqueued
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["rep"]
    result = DBTaskResult.objects.get()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == 1


def test_pruning_twice_is_harmless():
    from attain.core.services import login_failures_prune

    LoginFailure.objects.create(username="a")
    assert login_failures_prune() == 0
    assert login_failures_prune() == 0
    assert LoginFailure.objects.count() == 1
