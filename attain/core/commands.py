"""What management commands share: a progress bar of rows for long work."""

from __future__ import annotations

from types import TracebackType

from tqdm import tqdm


class RowBar:
    """A progress report (`done`, `total`) drawn as a bar of rows on the terminal, made on the
    first report (when the total is known) and closed on leaving the `with` block; silent when
    `enabled` is false (`--no-progress`)."""

    def __init__(self, desc: str, *, enabled: bool = True) -> None:
        self.desc = desc
        self.enabled = enabled
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = tqdm(total=total, unit="row", desc=self.desc)
        self.bar.update(done - self.bar.n)

    def __enter__(self) -> RowBar:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.close()
