"""The CSV files of an import: a ZIP's mapping of file names to products, or a list of URLs.

Both are UTF-8 (a BOM is accepted) with a header row. Columns, case-insensitive:
``filename`` (or ``file``, ``image``) / ``url`` (or ``image_url``), then optional ``title``,
``description`` and ``category``. Rows sharing a title become one product with several
photos; a row without a title gets one named after its file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from backend.domain.errors import InvalidInputError

FILENAME_COLUMNS = ("filename", "file", "image", "file_name")
URL_COLUMNS = ("url", "image_url", "image")
MAX_TITLE_CHARS = 300
MAX_DESCRIPTION_CHARS = 20_000
MAX_CATEGORY_CHARS = 100


@dataclass(frozen=True)
class ProductFields:
    title: str
    description: str = ""
    category: str | None = None


@dataclass(frozen=True)
class ManifestRow:
    source: str  # a file name in the archive, or a URL
    product: ProductFields | None  # None: named after the file


def parse(data: bytes, *, source_columns: tuple[str, ...], max_rows: int) -> list[ManifestRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError("csv_not_utf8", "The CSV file must be UTF-8.") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = {name.strip().lower(): name for name in reader.fieldnames or []}
    source_column = next((columns[c] for c in source_columns if c in columns), None)
    if source_column is None:
        raise InvalidInputError(
            "csv_missing_column",
            f"The CSV needs a header with a {' / '.join(source_columns)} column.",
        )
    rows: list[ManifestRow] = []
    try:
        for record in reader:
            source = (record.get(source_column) or "").strip()
            if not source:
                continue
            if len(rows) >= max_rows:
                raise InvalidInputError(
                    "too_many_rows", f"The CSV may list at most {max_rows} images."
                )
            rows.append(ManifestRow(source=source, product=_product(record, columns)))
    except csv.Error as exc:
        raise InvalidInputError("csv_malformed", f"The CSV cannot be read: {exc}.") from exc
    return rows


def _product(record: dict[str, str | None], columns: dict[str, str]) -> ProductFields | None:
    def cell(name: str, limit: int) -> str:
        column = columns.get(name)
        return ((record.get(column) or "") if column else "").strip()[:limit]

    title = cell("title", MAX_TITLE_CHARS)
    if not title:
        return None
    return ProductFields(
        title=title,
        description=cell("description", MAX_DESCRIPTION_CHARS),
        category=cell("category", MAX_CATEGORY_CHARS) or None,
    )


def title_from_name(name: str) -> str:
    """``photos/red_coffee-cup.JPG`` -> ``Red coffee cup``; a URL's last path segment."""
    if "://" in name:
        name = unquote(urlsplit(name).path)
    stem = PurePosixPath(name).stem.replace("_", " ").replace("-", " ").strip()
    words = " ".join(stem.split())
    return (words[:1].upper() + words[1:])[:MAX_TITLE_CHARS] or "Imported product"
