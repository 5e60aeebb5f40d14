"""Backups: a dump of every table that restores into an empty database with identical content
(every row, every column, ids included), and the refusals that leave a database untouched."""

from __future__ import annotations

import datetime as dt
import gzip
import importlib
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command

from attain.analytics.tests.factories import assert_rollups_fresh, line, make_data
from attain.backups.services import backup_restore, backup_write, migration_state
from attain.core.services import login_failure_record, user_preference_set
from attain.goals.services import goal_acknowledge, goal_create, goal_revise
from attain.orders import services as orders
from attain.orders.models import Order, OrderLine
from attain.pipeline import services as pipeline

# transactional: the tests empty the database as a new one would be; the serialized rollback
# puts back what the migrations created for the tests that run after these
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NOT_BACKED_UP = {"sessions.session", "django_tasks_database.dbtaskresult", "core.jobprogress"}
DEFAULTS = importlib.import_module(
    "attain.pipeline.migrations.0002_default_stages_and_lost_reasons"
)


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the transient ones: all columns, ids included, by id."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or model._meta.label_lower in NOT_BACKED_UP:
            continue
        columns = [f.attname for f in model._meta.concrete_fields]
        found[model._meta.db_table] = list(model._base_manager.order_by("pk").values_list(*columns))
    return found


def make_new_database() -> None:
    """Empty the database and put back what `migrate` creates in a new one: content types and
    permissions (new ids), the rollup state and history stamps, the default stages and lost
    reasons of the data migration."""
    call_command("flush", interactive=False, verbosity=0)
    DEFAULTS.create_defaults(apps, None)
    ContentType.objects.clear_cache()


def rich_data(world) -> dict[str, Any]:
    """Every kind of field: decimals, dates, datetimes, JSON, many-to-many, nullable foreign
    keys, history tables, generic relations (admin log) to a content type whose id is not the
    one a fresh `migrate` gives it."""
    # the order content type gets a new id (as after an app was removed and added again)
    ContentType.objects.filter(app_label="orders", model="order").delete()
    ContentType.objects.clear_cache()
    create_permissions(apps.get_app_config("orders"), verbosity=0)
    order_type = ContentType.objects.get_for_model(Order)
    data = make_data(world)
    deal = pipeline.deal_create(
        name="Both lines",
        account=data.acc1,
        owner=world.rep,
        amount=Decimal("1234.56"),
        currency="EUR",
        created_on=dt.date(2026, 3, 3),
        expected_close_on=dt.date(2026, 4, 30),
        product_lines=[data.l1, data.l2],
        products=[data.p1],
    )
    goal = goal_create(
        scope_kind="person",
        person=world.rep,
        metric="revenue",
        period_kind="month",
        start=dt.date(2026, 3, 1),
        target=Decimal("10000.00"),
        set_by=world.admin,
    )
    goal_revise(
        goal=goal,
        new_target=Decimal("12000.50"),
        reason_kind="economy",
        reason="Market grew",
        revised_by=world.admin,
        effective_from=dt.date(2026, 3, 15),
    )
    goal_acknowledge(goal=goal, person=world.rep, comment="Agreed")
    # the API and imports apps sit beside or above this one (the import contract): their rows
    # are made through the app registry
    apps.get_model("api", "ApiToken").objects.create(
        user=world.admin.user,
        name="nightly export",
        prefix="att_abcdefgh",
        key_hash="5" * 64,
        expires_at=dt.datetime(2099, 1, 1, 6, 30, 15, 123456, tzinfo=dt.UTC),
    )
    apps.get_model("imports", "ImportJob").objects.create(
        entity="product_lines",
        file="imports/2026/03/lines.csv",
        original_name="lines.csv",
        size_bytes=34,
        mapping_spec={"entity": "product_lines", "columns": {"code": "code", "name": "name"}},
        status="invalid",
        created_by=world.admin.user,
        columns=["code", "name"],
        preview=[{"code": "L9", "name": "Line nine", "price": 1.5, "new": True, "note": None}],
        errors=[{"row": 3, "column": "code", "message": "Give the code — “L9”, ünïcode."}],
        error_count=1,
        rows=2,
    )
    user_preference_set(user=world.rep.user, language="nl")
    login_failure_record(username="nobody", ip_address="192.0.2.7")
    managers = Group.objects.create(name="Managers")
    managers.permissions.add(*Permission.objects.filter(content_type=order_type))
    world.manager.user.groups.add(managers)
    world.rep.user.user_permissions.add(Permission.objects.get(codename="view_order"))
    LogEntry.objects.log_actions(
        user_id=world.admin.user.pk,
        queryset=[data.orders["o1"]],
        action_flag=CHANGE,
        change_message=[{"changed": {"fields": ["Status"]}}],
        single_object=True,
    )
    return {"data": data, "deal": deal, "goal": goal, "order_type_id": order_type.pk}


# --- the round trip -----------------------------------------------------------------------------


def test_a_backup_restores_into_a_new_database_with_identical_content(world, tmp_path):
    made = rich_data(world)
    path = tmp_path / "attain.jsonl.gz"
    written = backup_write(path=path)
    before = fingerprint()
    for table, rows in {
        "orders_order": 7,
        "orders_orderline": 8,
        "orders_ordercancellation": 1,
        "orders_orderreturn": 1,
        "pipeline_deal": 5,
        "pipeline_deal_product_lines": 2,
        "pipeline_deal_products": 1,
        "goals_goal": 1,
        "goals_goalrevision": 1,
        "goals_goalacknowledgement": 1,
        "goals_historicalgoal": 2,  # created, then its target revised
        "api_apitoken": 1,
        "imports_importjob": 1,
        "core_userpreference": 1,
        "core_loginfailure": 1,
        "django_admin_log": 1,
        "auth_group": 1,
        "auth_group_permissions": 4,  # add, change, delete, view order
        "auth_user_groups": 1,
        "auth_user_user_permissions": 1,
        "pipeline_stage": 7,
        "pipeline_lostreason": 8,
        "analytics_rollupstate": 1,
    }.items():
        assert (table, written.tables[table]) == (table, rows)
        assert (table, len(before[table])) == (table, rows)
    assert written.tables == {table: len(rows) for table, rows in before.items()}
    assert not {"django_session", "core_jobprogress", "django_tasks_database_dbtaskresult"} & set(
        written.tables
    )
    assert written.migrations == migration_state()

    make_new_database()
    fresh_order_type = ContentType.objects.get_for_model(Order).pk
    assert fresh_order_type != made["order_type_id"]  # the new database numbers it otherwise
    assert Order.objects.count() == 0

    restored = backup_restore(path=path)

    assert restored.tables == written.tables
    assert fingerprint() == before  # every table, the rollup tables among them
    entry = LogEntry.objects.get()
    assert entry.content_type_id == made["order_type_id"]
    assert entry.get_edited_object() == made["data"].orders["o1"]
    assert ContentType.objects.get_for_model(Order).pk == made["order_type_id"]
    assert made["data"].world.rep.user.has_perm("orders.view_order")


def test_new_rows_after_a_restore_get_fresh_ids_and_keep_the_rollups_current(world, tmp_path):
    made = rich_data(world)
    data = made["data"]
    path = tmp_path / "attain.jsonl.gz"
    backup_write(path=path)
    last_order = Order.objects.order_by("pk").last().pk
    last_line = OrderLine.objects.order_by("pk").last().pk
    make_new_database()
    backup_restore(path=path)

    order = orders.order_create(
        account=data.acc4,
        owner=data.world.rep,
        currency="EUR",
        ordered_on=dt.date(2026, 4, 6),
        lines=[line(data.p1, "2", "250.00"), line(data.p2, "1", "50.00")],
    )

    assert order.pk == last_order + 1
    assert sorted(order.lines.values_list("pk", flat=True)) == [last_line + 1, last_line + 2]
    assert order.net_total == Decimal("550.00")
    assert_rollups_fresh()  # the fact hooks run again after the restore


def test_the_commands_write_and_restore_a_backup(world, tmp_path):
    path = tmp_path / "out" / "attain.jsonl.gz"
    out = io.StringIO()
    call_command("backup", "--output", str(path), "--no-progress", stdout=out)
    before = fingerprint()
    rows = sum(len(r) for r in before.values())
    lines = out.getvalue().splitlines()
    assert lines[-1] == f"Backed up {rows:,} rows of {len(before)} tables to {path}."
    assert "  organization_person " in "\n".join(lines)
    make_new_database()
    out = io.StringIO()
    call_command("restore", str(path), "--yes", "--no-progress", stdout=out)
    assert out.getvalue().splitlines()[-1] == (
        f"Restored {rows:,} rows of {len(before)} tables from {path}."
    )
    assert fingerprint() == before


def test_a_plain_jsonl_backup_restores_too(world, tmp_path):
    path = tmp_path / "attain.jsonl"
    backup_write(path=path)
    before = fingerprint()
    assert path.read_text(encoding="utf-8").startswith('{"format":"attain-backup","version":1,')
    make_new_database()
    backup_restore(path=path)
    assert fingerprint() == before


# --- refusals: nothing changes ----------------------------------------------------------------


def rewrite(source: Path, target: Path, edit) -> None:
    """Copy a backup, passing its lines through `edit(lines) -> lines`."""
    with gzip.open(source, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines(keepends=True)
    with gzip.open(target, "wt", encoding="utf-8") as fh:
        fh.writelines(edit(lines))


def refusal(path: Path) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        backup_restore(path=path)
    return exc.value.messages


def test_a_database_with_data_is_refused_and_unchanged(world, tmp_path):
    path = tmp_path / "attain.jsonl.gz"
    backup_write(path=path)
    before = fingerprint()
    assert refusal(path) == [
        "This database already holds data (in auth_user, organization_orgunit, "
        "organization_person, organization_membership, organization_employment). Restore only "
        "into a new database that has just been migrated."
    ]
    assert fingerprint() == before


def test_one_extra_stage_is_data_and_the_restore_is_refused(world, tmp_path):
    path = tmp_path / "attain.jsonl.gz"
    backup_write(path=path)
    make_new_database()
    pipeline_stage = apps.get_model("pipeline", "Stage")
    pipeline_stage.objects.create(code="pilot", name="Pilot", position=60, probability=80)
    before = fingerprint()
    assert refusal(path) == [
        "This database already holds data (in pipeline_stage). Restore only into a new "
        "database that has just been migrated."
    ]
    assert fingerprint() == before


def test_a_truncated_file_is_refused_and_nothing_is_restored(world, tmp_path):
    rich_data(world)
    path = tmp_path / "attain.jsonl.gz"
    backup_write(path=path)
    make_new_database()
    empty = fingerprint()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    assert refusal(cut) == [
        "cut.jsonl.gz is incomplete or damaged: the file ends in the middle of the data. "
        "Nothing was restored."
    ]
    assert fingerprint() == empty

    # cut at a line: a valid gzip stream that stops before the end of the backup
    short = tmp_path / "short.jsonl.gz"
    rewrite(path, short, lambda lines: lines[: len(lines) // 2])
    assert refusal(short) == [
        "short.jsonl.gz is incomplete or damaged: the file ends before the end of the backup. "
        "Nothing was restored."
    ]
    assert fingerprint() == empty

    # an uncompressed backup cut in the middle of a line
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        text = fh.read()
    middle = text.index("\n", len(text) // 2) - 3
    plain = tmp_path / "plain.jsonl"
    plain.write_text(text[:middle], encoding="utf-8")
    assert refusal(plain) == [
        "plain.jsonl is incomplete or damaged: the file ends in the middle of the data. "
        "Nothing was restored."
    ]
    assert fingerprint() == empty


def test_a_bad_row_late_in_the_file_is_refused_and_nothing_is_restored(world, tmp_path):
    path = tmp_path / "attain.jsonl.gz"
    backup_write(path=path)
    make_new_database()
    empty = fingerprint()
    bad = tmp_path / "bad.jsonl.gz"
    found: dict[str, int] = {}

    def spoil(lines: list[str]) -> list[str]:
        # the first employment row: its start date is not a date
        start = next(i for i, x in enumerate(lines) if '"table":"organization_employment"' in x)
        header = json.loads(lines[start])
        row = json.loads(lines[start + 1])
        row[header["columns"].index("started_on")] = "the first of May"
        lines[start + 1] = json.dumps(row) + "\n"
        found["line"] = start + 2
        return lines

    rewrite(path, bad, spoil)
    assert refusal(bad) == [
        f"bad.jsonl.gz is incomplete or damaged: line {found['line']} holds a value "
        "organization_employment cannot take (Invalid isoformat string: 'the first of May'). "
        "Nothing was restored."
    ]
    assert fingerprint() == empty


def test_a_backup_of_other_migrations_is_refused(world, tmp_path):
    path = tmp_path / "attain.jsonl.gz"
    backup_write(path=path)
    make_new_database()
    empty = fingerprint()
    other = tmp_path / "other.jsonl.gz"

    def older(lines: list[str]) -> list[str]:
        header = json.loads(lines[0])
        header["migrations"]["auth"] = "0011_update_proxy_permissions"
        header["migrations"]["gone"] = "0003_retired"
        return [json.dumps(header) + "\n", *lines[1:]]

    rewrite(path, other, older)
    assert refusal(other) == [
        "The backup was made at migration 0011_update_proxy_permissions of app auth; this "
        "database is at 0012_alter_user_first_name_max_length — migrate to the same version "
        "first.",
        "The backup was made at migration 0003_retired of app gone; this database is at "
        "(none) — migrate to the same version first.",
    ]
    assert fingerprint() == empty


def test_a_file_that_is_not_a_backup_or_is_too_new_is_refused(db, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("order 1: shipped\n", encoding="utf-8")
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)))
    newer = tmp_path / "newer.jsonl.gz"
    with gzip.open(newer, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"format": "attain-backup", "version": 2}) + "\n")
    before = fingerprint()

    assert refusal(text) == ["notes.txt is not an Attain backup."]
    assert refusal(binary) == ["photo.jpg is not an Attain backup."]
    assert refusal(tmp_path / "missing.jsonl.gz") == [
        f"{tmp_path / 'missing.jsonl.gz'}: no such file."
    ]
    assert refusal(newer) == [
        "newer.jsonl.gz was made by a newer version of Attain (backup format 2; this version "
        "reads format 1 and older). Upgrade Attain first."
    ]
    assert fingerprint() == before
