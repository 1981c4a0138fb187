"""Adapter choice from settings, the key scheme, and safe file names."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.shared.config import get_settings
from backend.shared.filenames import MAX_FILENAME_BYTES
from backend.shared.storage.factory import (
    clear_storage_cache,
    get_storage,
    image_key,
    safe_filename,
)
from backend.shared.storage.local import LocalImageStorage
from backend.shared.storage.s3 import S3ImageStorage
from tests.corpus.manifest import CASES


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("IMAGINEAI_LOCAL_STORAGE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    get_settings.cache_clear()
    clear_storage_cache()
    yield monkeypatch
    get_settings.cache_clear()
    clear_storage_cache()


def test_local_is_the_default(fresh_settings: pytest.MonkeyPatch, tmp_path: Path) -> None:
    storage = get_storage(get_settings())
    assert isinstance(storage, LocalImageStorage)
    assert storage.root == (tmp_path / "store").resolve()
    assert get_storage(get_settings()) is storage, "built once per configuration"


def test_s3_is_chosen_by_settings(fresh_settings: pytest.MonkeyPatch) -> None:
    fresh_settings.setenv("IMAGINEAI_STORAGE_BACKEND", "s3")
    fresh_settings.setenv("IMAGINEAI_S3_BUCKET", "product-images")
    fresh_settings.setenv("IMAGINEAI_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    fresh_settings.setenv("IMAGINEAI_S3_REGION", "eu-central-1")
    get_settings.cache_clear()
    storage = get_storage(get_settings())
    assert isinstance(storage, S3ImageStorage)
    assert storage.bucket == "product-images"
    assert storage.client.meta.region_name == "eu-central-1"
    assert storage.client.meta.endpoint_url == "http://127.0.0.1:9000"


def test_image_key_scheme() -> None:
    user, product, image = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    key = image_key(user, product, str(image), "../../etc/Photo.JPG")
    assert key == f"users/{user}/products/{product}/{image}/Photo.jpg"


@pytest.mark.parametrize("bad_id", ["../x", "", "1; DROP TABLE", "users/../x"])
def test_image_key_takes_only_uuids(bad_id: str) -> None:
    with pytest.raises(ValueError, match=r"UUID|hexadecimal"):
        image_key(bad_id, uuid.uuid4(), uuid.uuid4(), "a.jpg")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.jpg", "photo.jpg"),
        ("Photo.JPEG", "Photo.jpeg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\Desktop\\shoe.png", "shoe.png"),
        ("/absolute/path/to/bag.webp", "bag.webp"),
        ("", "image"),
        ("..", "image"),
        (".jpg", "image.jpg"),
        (".htaccess", "image.htaccess"),
        ("   ", "image"),
        ("\x00\x01\x1f", "image"),
        ("a\x00b.jpg", "ab.jpg"),
        ("line\nbreak.png", "linebreak.png"),
        ("report\u202egpj.exe", "reportgpj.exe"),
        ("zero\u200bwidth.jpg", "zerowidth.jpg"),
        ("e\u0301te\u0301.jpg", "été.jpg"),
        ("商品 写真.heic", "商品 写真.heic"),
        ('a<b>c:d"e|f?g*h.jpg', "a_b_c_d_e_f_g_h.jpg"),
        ("name.with.dots.png", "name.with.dots.png"),
        ("archive.tar.gz", "archive.tar.gz"),
        ("noext", "noext"),
        ("weird.ext!", "weird.ext"),
        ("toolongextension.abcdefghij", "toolongextension.abcdefghij"),
        ("trailing. . .", "trailing"),
        ("NUL.png", "_NUL.png"),
        ("com1", "_com1"),
        ("  spaced   out  .jpg", "spaced out.jpg"),
        ("%2e%2e%2f.jpg", "2e_2e_2f.jpg"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_long_names_keep_their_extension_within_the_byte_limit() -> None:
    result = safe_filename("写" * 500 + ".jpeg")
    assert result.endswith(".jpeg")
    assert len(result.encode("utf-8")) <= MAX_FILENAME_BYTES
    assert result == "写" * 38 + ".jpeg"


@pytest.mark.parametrize(
    "name",
    [case.client_filename for case in CASES]
    + ["..\\..", "a/b/c/", "\u0000", "\ufeffbom.jpg", "x" * 5000, ".." * 300, "🙂" * 100],
)
def test_safe_filename_invariants(name: str) -> None:
    result = safe_filename(name)
    assert result
    assert safe_filename(result) == result, "idempotent"
    assert "/" not in result
    assert "\\" not in result
    assert not result.startswith(".")
    assert result not in {".", ".."}
    assert len(result.encode("utf-8")) <= MAX_FILENAME_BYTES
    assert unicodedata.is_normalized("NFC", result)
    assert all(unicodedata.category(char)[0] != "C" for char in result)
