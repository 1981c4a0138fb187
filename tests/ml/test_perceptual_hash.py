"""Perceptual hashes on real photos: copies stay close, different photos stay far apart."""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np
import pytest

from backend.ml.inference import prepare
from backend.ml.perceptual_hash import HashPair, distance, hamming, hash_pair, phash
from tests.ml.conftest import photo_bytes
from tests.support.photo_variants import mirrored, recompressed, resized

#: One photo per source picture (the drawn-defect copies would be near-duplicates).
DISTINCT = [
    "red_coffee_cup.jpg",
    "grey_duffel_bag.jpg",
    "grey_duffel_bag_side.jpg",
    "duffel_bag_carried.jpg",
    "vitamin_bottle.jpg",
    "led_bulb.jpg",
    "led_bulb_pack.jpg",
    "paint_brushes.jpg",
    "wall_shelf.jpg",
    "tealight_candles.jpg",
    "oranges.jpg",
    "apples.jpg",
    "raspberries.jpg",
    "robin.jpg",
    "dog.jpg",
]


@cache
def _hashes(data: bytes) -> HashPair:
    return hash_pair(prepare(data).rgb)


def test_hash_format_and_hamming() -> None:
    gradient = np.tile(np.arange(64, dtype=np.uint8), (48, 1))
    value = phash(gradient)
    assert len(value) == 16
    int(value, 16)
    assert hamming(value, value) == 0
    assert hamming("0" * 16, "f" * 16) == 64
    with pytest.raises(ValueError, match="lengths"):
        hamming("00", "000")
    with pytest.raises(ValueError, match="2-D"):
        phash(np.zeros((4, 4, 3), np.uint8))


def test_mirror_hash_is_the_hash_of_the_mirrored_image() -> None:
    rgb = prepare(photo_bytes("red_coffee_cup.jpg")).rgb
    pair = hash_pair(rgb)
    assert pair.mirrored == hash_pair(np.ascontiguousarray(rgb[:, ::-1])).original
    assert distance(pair, pair.mirrored) == 0


@pytest.mark.parametrize("make_copy", [mirrored, recompressed, resized])
def test_copies_of_real_photos_hash_close(make_copy: object) -> None:
    assert callable(make_copy)
    for name in DISTINCT:
        original = _hashes(photo_bytes(name))
        copy = _hashes(make_copy(photo_bytes(name)))
        assert distance(copy, original.original) <= 10, name


def test_different_real_photos_hash_far_apart() -> None:
    hashes = {name: _hashes(photo_bytes(name)) for name in DISTINCT}
    closest = min(
        distance(hashes[a], hashes[b].original) for a, b in itertools.combinations(DISTINCT, 2)
    )
    assert closest >= 16
