"""`manage.py import_data <entity> <file> [--preset NAME | --mapping FILE] [--dry-run]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from attain.core.commands import RowBar
from attain.imports.entities import ENTITIES
from attain.imports.models import ImportStatus
from attain.imports.presets import PRESETS
from attain.imports.readers import ENCODINGS
from attain.imports.services import import_file


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file into Attain, all or nothing. Re-importing the same file "
        "changes nothing. Problems are listed with their row, column and reason."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("entity", choices=sorted(ENTITIES), help="what the file holds")
        parser.add_argument("file", type=Path)
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--preset", choices=sorted(PRESETS), default="")
        source.add_argument("--mapping", type=Path, help="a mapping file (TOML or JSON)")
        parser.add_argument("--dry-run", action="store_true", help="check only; keep nothing")
        parser.add_argument("--encoding", choices=ENCODINGS, default="auto")
        parser.add_argument("--sheet", default="", help="XLSX: the sheet (default: the first)")
        parser.add_argument(
            "--user", default="", help="the login the import is made by (owner by default)"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no login called {options['user']!r}")
        mapping_text = None
        if options["mapping"]:
            try:
                mapping_text = options["mapping"].read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"{options['mapping']}: {exc}") from exc
        with RowBar(path.name, enabled=not options["no_progress"]) as progress:
            try:
                job = import_file(
                    path=path,
                    entity=options["entity"],
                    user=user,
                    preset=options["preset"],
                    mapping_text=mapping_text,
                    encoding=options["encoding"],
                    sheet=options["sheet"],
                    dry_run=options["dry_run"],
                    progress=progress,
                )
            except ValidationError as exc:
                messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                raise CommandError(
                    "; ".join(
                        f"{k}: {' '.join(v)}" if k else " ".join(v) for k, v in messages.items()
                    )
                ) from exc
        summary = (
            f"{job.rows} rows: {job.created_count} created, {job.updated_count} updated, "
            f"{job.unchanged_count} unchanged, {job.skipped_count} skipped"
        )
        for error in job.errors:
            where = f"row {error['row']}" if error["row"] else "file"
            column = f", column {error['column']}" if error["column"] else ""
            self.stderr.write(f"{where}{column}: {error['message']}")
        if job.error_count > len(job.errors):
            self.stderr.write(f"… and {job.error_count - len(job.errors)} more problems")
        if job.status == ImportStatus.DONE:
            self.stdout.write(self.style.SUCCESS(f"Imported {path.name} ({summary})."))
        elif job.status == ImportStatus.CHECKED:
            self.stdout.write(self.style.SUCCESS(f"Checked {path.name}: no problems ({summary})."))
        else:
            raise CommandError(
                f"{job.error_count} problem(s) in {path.name}; nothing was imported."
            )
