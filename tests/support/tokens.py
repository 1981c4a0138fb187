"""Forging signed tokens in tests."""

from __future__ import annotations


def flip_last_signature_char(token: str) -> str:
    """``token`` with its last character changed, whatever that character was."""
    replacement = "A" if token[-1] != "A" else "B"
    return token[:-1] + replacement
