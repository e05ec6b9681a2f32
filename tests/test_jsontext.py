"""JSON text of the hot paths (`parlour.lib.jsontext`): what Python's json reads and writes, the
same documents, compact and UTF-8."""

import json
import math

import pytest

from parlour.lib import jsontext

pytestmark = pytest.mark.backend_independent

DOCUMENTS = [
    {"type": "text", "text": 'Grüße — 你好 \u2028 "quoted" \\ </script>', "n": [1, -2, 3.25, None, True]},
    {"nested": {"deep": [{"a": []}, {}]}, "empty": ""},
    [1, 2, 3],
    "plain",
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_documents_round_trip_and_match_the_standard_library(document: object) -> None:
    text = jsontext.dumps(document)
    assert jsontext.loads(text) == document == json.loads(text)
    assert text == json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def test_what_orjson_refuses_is_still_written() -> None:
    assert jsontext.loads(jsontext.dumps({"big": 2**70})) == {"big": 2**70}
    assert jsontext.loads(jsontext.dumps({1: "one"})) == {"1": "one"}


def test_numbers_json_has_not_are_read_and_written_as_null() -> None:
    assert math.isnan(jsontext.loads('{"x": NaN}')["x"])  # rows written by Python's json
    assert jsontext.dumps({"x": math.inf}) == '{"x":null}'


def test_bad_text_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        jsontext.loads("{not json")
    with pytest.raises(ValueError):
        jsontext.loads(b"\xff")
