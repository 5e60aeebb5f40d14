"""Mapping files (TOML, JSON) and presets: what they say, and the messages for bad ones."""

from __future__ import annotations

import pytest

from attain.imports.mappings import (
    MappingProblem,
    mapping_from_dict,
    mapping_from_text,
    preset_mapping,
)

TOML = """
entity = "deals"
[columns]
external_id = "opportunity_id"
owner = "sales_agent"
[values.stage]
Won = "won"
[constants]
currency = "USD"
[defaults]
expected_close_on = "2017-12-31"
[formats]
created_on = "%d/%m/%Y"
[options]
decimal_comma = true
create_missing = ["product_line"]
skip_values = { stage = ["Deleted"] }
divide = { probability = 100 }
"""


def test_a_toml_mapping_reads_every_section():
    mapping = mapping_from_text(TOML)
    assert mapping.entity == "deals"
    assert mapping.columns == {"external_id": "opportunity_id", "owner": "sales_agent"}
    assert mapping.values == {"stage": {"Won": "won"}}
    assert mapping.constants == {"currency": "USD"}
    assert mapping.defaults == {"expected_close_on": "2017-12-31"}
    assert mapping.formats == {"created_on": "%d/%m/%Y"}
    assert mapping.decimal_comma is True
    assert mapping.create_missing == ("product_line",)
    assert mapping.skip_values == {"stage": ("Deleted",)}
    assert mapping.divide == {"probability": 100}


def test_json_and_toml_round_trip_through_as_dict():
    mapping = mapping_from_text(TOML)
    again = mapping_from_dict(mapping.as_dict())
    assert again == mapping
    import json

    assert mapping_from_text(json.dumps(mapping.as_dict()), name="m.json") == mapping


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[colums]\na = 'b'\n", "Unknown section(s) in the mapping: colums."),
        ("columns = 5\n", "“columns” must be a table of names."),
        (
            "[options]\ncreate_missing = 'owner'\n",
            "“options.create_missing” must be a list of column names.",
        ),
        (
            "[options]\ndivide = { minutes = 0 }\n",
            "“options.divide” must map column names to whole numbers above 0.",
        ),
    ],
)
def test_bad_mappings_say_what_is_wrong(text, message):
    with pytest.raises(MappingProblem) as exc:
        mapping_from_text(text)
    assert str(exc.value) == message


def test_unreadable_mapping_file():
    with pytest.raises(MappingProblem, match="The mapping file cannot be read"):
        mapping_from_text("[columns\n")


def test_presets_cover_salesforce_hubspot_and_pipedrive():
    sf = preset_mapping("salesforce", "deals")
    assert sf.columns["external_id"] == "Id"
    assert sf.columns["account"] == "AccountId"
    assert sf.values["stage"]["Closed Won"] == "won"
    assert preset_mapping("hubspot", "deals").columns["name"] == "Deal Name"
    assert preset_mapping("pipedrive", "deals").columns["name"] == "Deal - Title"
    with pytest.raises(MappingProblem, match="Unknown preset “zoho”"):
        preset_mapping("zoho", "deals")
    with pytest.raises(MappingProblem, match="The hubspot preset has no mapping for goals"):
        preset_mapping("hubspot", "goals")
