"""Perceptual hashes (DCT pHash) for near-duplicate photos.

A 64-bit hash of the low-frequency structure of the grey image: re-encoding, resizing and
small colour changes barely move it, while a different photo differs in about half its bits.
A mirrored copy has its own hash, so the query side hashes both orientations (``hash_pair``)
and compares the smaller distance; stored hashes are of the image as uploaded.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

HASH_BITS = 64
HASH_HEX_CHARS = HASH_BITS // 4
#: The grey image is reduced to this square before the DCT.
DCT_SIDE = 32
#: The hash keeps this many lowest frequencies per axis (8 x 8 = 64 bits).
LOW_FREQUENCIES = 8


@dataclass(frozen=True, slots=True)
class HashPair:
    """The hash of an image and of its mirror image (left-right flip)."""

    original: str
    mirrored: str


def phash(gray: np.ndarray) -> str:
    """The 64-bit pHash of a 2-D uint8 (or float) grey image, as 16 hex characters."""
    if gray.ndim != 2 or min(gray.shape) < 1:
        raise ValueError("phash needs a non-empty 2-D grey image")
    small = cv2.resize(gray.astype(np.float32), (DCT_SIDE, DCT_SIDE), interpolation=cv2.INTER_AREA)
    low = cv2.dct(small)[:LOW_FREQUENCIES, :LOW_FREQUENCIES].flatten()
    # The DC term only says how bright the image is; the median is taken over the rest.
    bits = low > np.median(low[1:])
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return f"{value:0{HASH_HEX_CHARS}x}"


def hash_pair(rgb: np.ndarray) -> HashPair:
    """Hashes of an RGB (or grey) image as it is and mirrored left to right."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    return HashPair(original=phash(gray), mirrored=phash(np.ascontiguousarray(gray[:, ::-1])))


def hamming(first: str, second: str) -> int:
    """Number of differing bits between two hex hashes of the same length."""
    if len(first) != len(second):
        raise ValueError("hashes of different lengths cannot be compared")
    return (int(first, 16) ^ int(second, 16)).bit_count()


def distance(query: HashPair, stored: str) -> int:
    """The smaller Hamming distance of either orientation of the query to a stored hash."""
    return min(hamming(query.original, stored), hamming(query.mirrored, stored))
