"""Client file names made safe to store, show and use as the last segment of a storage key.

A client's file name is untrusted text: it may carry folders (``../../etc/passwd``), Windows
paths, NUL and other control characters, bidirectional overrides that make ``gpj.exe`` read as
``exe.jpg``, device names (``CON``), or thousands of characters. :func:`safe_filename` keeps
what a person would recognise (letters and digits of any script, spaces, a few punctuation
marks, a short extension) and replaces or drops the rest. It is idempotent.
"""

from __future__ import annotations

import re
import unicodedata

FALLBACK_STEM = "image"
MAX_FILENAME_BYTES = 120
MAX_EXTENSION_CHARS = 8

_KEPT_PUNCTUATION = frozenset(" -_.()[]")
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_WINDOWS_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{digit}" for digit in range(10)}
    | {f"lpt{digit}" for digit in range(10)}
)
_EXTENSION = re.compile(rf"[a-z0-9]{{1,{MAX_EXTENSION_CHARS}}}")
_REPEATED_UNDERSCORES = re.compile(r"_{2,}")
_REPEATED_SPACES = re.compile(r" {2,}")


def safe_filename(name: str, *, max_bytes: int = MAX_FILENAME_BYTES) -> str:
    """A clean base name of at most ``max_bytes`` UTF-8 bytes, never empty, never hidden.

    Folders are stripped (``/`` and ``\\`` both count), Unicode is normalised to NFC, control
    and formatting characters are dropped, other unsafe characters become ``_``, and the
    extension is kept only when it is short, ASCII alphanumeric, and lowercased.
    """
    text = unicodedata.normalize("NFC", name)
    text = "".join(char for char in text if unicodedata.category(char) not in _DROPPED_CATEGORIES)
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = unicodedata.normalize("NFC", "".join(_clean_char(char) for char in text))
    text = _REPEATED_SPACES.sub(" ", _REPEATED_UNDERSCORES.sub("_", text))
    stem, extension = _split_extension(text)
    stem = stem.strip(" ._")
    if stem.split(".", 1)[0].lower() in _WINDOWS_DEVICE_NAMES:
        stem = f"_{stem}"
    if not stem:
        stem = FALLBACK_STEM
    suffix = f".{extension}" if extension else ""
    stem = _truncate_utf8(stem, max_bytes - len(suffix)).rstrip(" ._") or FALLBACK_STEM
    return unicodedata.normalize("NFC", stem + suffix)


def with_extension(name: str, extension: str) -> str:
    """``name`` (already safe) ending in ``.extension`` instead of whatever the client wrote.

    The stored name then tells the truth about the bytes (``photo.exe`` that is a PNG becomes
    ``photo.png``), which matters when staff or sellers download it.
    """
    stem, _ = _split_extension(name)
    suffix = f".{extension}"
    return safe_filename(_truncate_utf8(stem, MAX_FILENAME_BYTES - len(suffix)) + suffix)


def _clean_char(char: str) -> str:
    if char in _KEPT_PUNCTUATION:
        return char
    if char.isspace():
        return " "
    if unicodedata.category(char)[0] in "LMN":
        return char
    return "_"


def _split_extension(text: str) -> tuple[str, str]:
    stem, dot, extension = text.rpartition(".")
    if not dot:
        return text, ""
    extension = extension.strip().lower()
    if not _EXTENSION.fullmatch(extension):
        return text, ""
    return stem, extension


def _truncate_utf8(text: str, max_bytes: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[: max(max_bytes, 0)].decode("utf-8", errors="ignore")
