"""The fact hook in core: handlers registered per kind, before/after calls, suspension."""

from __future__ import annotations

from attain.core import facts


def test_handlers_get_sorted_unique_ids_and_the_phase():
    calls: list[tuple[list[int], bool]] = []

    def handler(ids: list[int], *, before: bool) -> None:
        calls.append((ids, before))

    facts.register_fact_handler("test-kind", handler)
    facts.register_fact_handler("test-kind", handler)  # idempotent
    try:
        facts.facts_changing("test-kind", ids=[3, 1, 3])
        facts.facts_changed("test-kind", ids=[2])
        facts.facts_changed("test-kind", ids=[])  # nothing to tell
        facts.facts_changed("other-kind", ids=[1])  # no handler: ignored
        with facts.facts_suspended():
            facts.facts_changed("test-kind", ids=[9])
        assert calls == [([1, 3], True), ([2], False)]
    finally:
        facts._handlers.pop("test-kind", None)


def test_analytics_registers_its_handlers():
    for kind in ("order", "deal", "activity", "lead", "account"):
        assert facts._handlers[kind], kind
