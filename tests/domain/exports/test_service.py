"""Export encoding: spreadsheet-safe CSV cells and streamed JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest

from backend.domain.exports.service import COLUMNS, csv_cell, csv_chunks, json_chunks


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        ("=1+2", "'=1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("@cmd", "'@cmd"),
        ("-2+3", "'-2+3"),
        ("\tx", "'\tx"),
        (-1.5, "-1.5"),
        (0.25, "0.25"),
        (["scratch", "stain"], "scratch; stain"),
        ("Café ☕", "Café ☕"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_defused(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def _row(title: str) -> dict[str, object]:
    return dict.fromkeys(COLUMNS) | {"title": title, "defect_types": ["dent"]}


def test_csv_and_json_stream_one_row_per_product_in_column_order() -> None:
    rows = [_row('a, "quoted"\nline'), _row("b")]
    chunks = list(csv_chunks(iter(rows), bom=True))
    assert len(chunks) == 3
    assert chunks[0].startswith(b"\xef\xbb\xbfproduct_id,title,")
    parsed = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert parsed[0] == list(COLUMNS)
    assert [line[1] for line in parsed[1:]] == ['a, "quoted"\nline', "b"]
    as_json = json.loads(b"".join(json_chunks(iter(rows))))
    assert [list(item) for item in as_json] == [list(COLUMNS)] * 2
    assert as_json[0]["defect_types"] == ["dent"]
    assert json.loads(b"".join(json_chunks(iter([])))) == []
