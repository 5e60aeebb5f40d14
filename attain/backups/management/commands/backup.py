"""`manage.py backup [--output FILE]`: every row of the database into one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.backups.services import backup_write
from attain.core.commands import RowBar


def default_path() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BASE_DIR) / "var" / "backups" / f"attain-{stamp}.jsonl.gz"


class Command(BaseCommand):
    help = (
        "Write every row of the database to one file (gzip-compressed JSON Lines) that "
        "`restore` loads into an empty database. Not included: sessions, the task queue, job "
        "progress and uploaded files (copy MEDIA_ROOT, var/media, yourself)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help=(
                "the file to write (default: var/backups/attain-YYYYmmdd-HHMMSS.jsonl.gz; "
                "a name not ending in .gz is written uncompressed)"
            ),
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["output"] or default_path()
        with RowBar(path.name, enabled=not options["no_progress"]) as progress:
            try:
                summary = backup_write(path=path, progress=progress)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        width = max(len(table) for table in summary.tables)
        for table, rows in summary.tables.items():
            self.stdout.write(f"  {table:<{width}} {rows:>12,}")
        self.stdout.write(
            self.style.SUCCESS(
                _("Backed up %(rows)s rows of %(tables)s tables to %(path)s.")
                % {"rows": f"{summary.rows:,}", "tables": len(summary.tables), "path": path}
            )
        )
