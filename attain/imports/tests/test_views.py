"""The import pages and API: upload, check, preview of problems, import, mapping, permissions."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from attain.customers.models import Account
from attain.imports.models import ImportJob, ImportMapping, ImportStatus


def upload(client, text: str, *, entity: str = "accounts", name: str = "a.csv", **extra):
    data = {"entity": entity, "file": SimpleUploadedFile(name, text.encode()), "encoding": "auto"}
    data.update(extra)
    return client.post("/imports/new/", data)


GOOD = "external_id,name,segment\nA1,Acme,enterprise\nA2,Bolt,consumer\n"
BAD = "external_id,name,segment\nA1,Acme,enterprise\nA2,,galactic\n"


def test_only_sales_operations_may_import(world, login_as):
    for person in (world.rep, world.leader, world.manager):
        client = login_as(person)
        assert client.get("/imports/").status_code == 403
        assert client.get("/imports/new/").status_code == 403
        assert upload(client, GOOD).status_code == 403
        assert client.get("/api/v1/imports/jobs").status_code == 403
    assert ImportJob.objects.count() == 0


def test_upload_checks_the_file_and_shows_what_importing_will_do(world, login_as):
    client = login_as(world.admin)
    response = upload(client, GOOD)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    assert (job.status, job.rows, job.created_count) == (ImportStatus.CHECKED, 2, 2)
    assert Account.objects.count() == 0  # a check keeps nothing
    page = client.get(job.get_absolute_url()).content.decode()
    assert "2 rows: 2 new, 0 changed, 0 unchanged, 0 skipped" in page
    assert 'data-testid="import-now"' in page
    response = client.post(f"/imports/{job.pk}/run/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert sorted(Account.objects.values_list("external_ref", flat=True)) == ["A1", "A2"]
    assert client.post(f"/imports/{job.pk}/run/").status_code == 302  # not run twice
    assert Account.objects.count() == 2


def test_problems_are_listed_by_row_and_column_and_the_import_is_refused(world, login_as):
    client = login_as(world.admin)
    upload(client, BAD)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.INVALID
    page = client.get(job.get_absolute_url()).content.decode()
    assert "2 problems" in page
    assert '<td class="num">3</td><td>name</td><td>is required.</td>' in page
    assert 'data-testid="import-now"' not in page
    client.post(f"/imports/{job.pk}/run/")
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID and Account.objects.count() == 0
    export = client.get(f"/imports/{job.pk}/problems/").content.decode("utf-8").lstrip("\ufeff")
    assert export.splitlines() == [
        "Row,Column,Problem",
        "3,name,is required.",
        '3,segment,"“galactic” is not one of: enterprise, mid_market, small_business, public_sector, consumer."',
    ]


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        ("", "empty.csv", "The submitted file is empty."),
        ("a,b,a\n1,2,3\n", "dup.csv", "The column “a” appears twice in the header row."),
        ("not a workbook", "fake.xlsx", "The file is named .xlsx but is not an Excel workbook."),
    ],
)
def test_files_that_cannot_be_read_are_refused_on_the_form(world, login_as, text, name, message):
    client = login_as(world.admin)
    response = upload(client, text, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_a_preset_and_a_mapping_file_together_are_refused(world, login_as):
    client = login_as(world.admin)
    mapping = SimpleUploadedFile("m.toml", b'[columns]\nname = "Company"\n')
    response = upload(client, GOOD, preset="salesforce", mapping_file=mapping)
    assert "Choose a preset or a mapping, not both." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_mapping_the_columns_on_the_page_and_saving_the_mapping(world, login_as):
    client = login_as(world.admin)
    upload(client, "Company,Size\nAcme,enterprise\n")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.INVALID  # name and segment have no column
    form = client.get(f"/imports/{job.pk}/mapping/").content.decode()
    assert 'name="col__name"' in form and 'value="Company"' in form
    response = client.post(
        f"/imports/{job.pk}/mapping/",
        {
            "col__name": "Company",
            "col__segment": "Size",
            "const__country": "NO",
            "name": "Company list",
        },
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    assert job.mapping_spec["columns"] == {"name": "Company", "segment": "Size"}
    assert job.mapping_spec["constants"] == {"country": "NO"}
    saved = ImportMapping.objects.get(name="Company list")
    assert saved.spec["columns"] == {"name": "Company", "segment": "Size"}
    download = client.get(f"/imports/mappings/{saved.pk}/download/")
    assert download["Content-Type"] == "application/json; charset=utf-8"
    assert b'"Company list"' in download.content


def test_the_template_of_an_entity_names_its_columns(world, login_as):
    response = login_as(world.admin).get("/imports/templates/accounts/")
    header = response.content.decode("utf-8").lstrip("\ufeff").splitlines()[0]
    assert header.split(",")[:3] == ["external_id", "name", "segment"]


def test_the_api_uploads_checks_and_imports(world, login_as):
    client = login_as(world.admin)
    entities = client.get("/api/v1/imports/entities").json()
    accounts = next(e for e in entities if e["name"] == "accounts")
    assert accounts["columns"][1] == {
        "name": "name",
        "label": "name",
        "kind": "text",
        "required": True,
        "help": "",
        "choices": [],
        "refers_to": "",
    }
    assert client.get("/api/v1/imports/presets").json()["salesforce"][:2] == [
        "accounts",
        "activities",
    ]
    response = client.post(
        "/api/v1/imports/jobs",
        {"entity": "accounts", "file": io.BytesIO(GOOD.encode())},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    job = response.json()
    assert (job["status"], job["rows"], job["created"], job["problem_count"]) == (
        "checked",
        2,
        2,
        0,
    )
    ran = client.post(f"/api/v1/imports/jobs/{job['id']}/run")
    assert ran.status_code == 200 and ran.json()["status"] == "done"
    assert Account.objects.count() == 2
    again = client.post(f"/api/v1/imports/jobs/{job['id']}/run")
    assert again.status_code == 422  # only a checked file is imported
    bad = client.post(
        "/api/v1/imports/jobs",
        {"entity": "accounts", "file": io.BytesIO(BAD.encode())},
        format="multipart",
    )
    assert bad.json()["problems"][0] == {"row": 3, "column": "name", "message": "is required."}
    refused = client.post(
        "/api/v1/imports/jobs",
        {"entity": "unicorns", "file": io.BytesIO(GOOD.encode())},
        format="multipart",
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "entity"
