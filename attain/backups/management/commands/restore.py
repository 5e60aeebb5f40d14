"""`manage.py restore FILE [--yes]`: load a backup into an empty, migrated database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from attain.backups.services import backup_inspect, backup_restore
from attain.core.commands import RowBar


class Command(BaseCommand):
    help = (
        "Load a file written by `backup` into this database, all or nothing. The database must "
        "be new: migrated (to the same migrations as the backup) and holding no data. Uploaded "
        "files are not in a backup: copy MEDIA_ROOT (var/media) back yourself."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        with RowBar(path.name, enabled=not options["no_progress"]) as progress:
            try:
                found = backup_inspect(path=path)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        if not options["yes"] and sys.stdin.isatty():
            question = _(
                "Restore %(rows)s rows backed up on %(when)s (%(vendor)s) into the database "
                "%(database)s? [y/N] "
            ) % {
                "rows": f"{found.rows:,}",
                "when": found.created_at.isoformat(timespec="seconds"),
                "vendor": found.vendor,
                "database": connection.settings_dict["NAME"],
            }
            if input(question).strip().lower() not in {"y", "yes"}:
                raise CommandError(_("Nothing was restored."))
        try:
            summary = backup_restore(path=path, progress=progress)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        width = max(len(table) for table in summary.tables)
        for table, rows in summary.tables.items():
            self.stdout.write(f"  {table:<{width}} {rows:>12,}")
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored %(rows)s rows of %(tables)s tables from %(path)s.")
                % {"rows": f"{summary.rows:,}", "tables": len(summary.tables), "path": path}
            )
        )
