"""Template filters for the admin's own pages."""

from __future__ import annotations

from django import template

register = template.Library()

MS_PER_SECOND = 1000
SECONDS_PER_MINUTE = 60


@register.filter
def duration(milliseconds: int | float | None) -> str:
    """``850 ms``, ``12.4 s`` or ``3 min 05 s``; an em dash when unknown."""
    if milliseconds is None:
        return "—"
    if milliseconds < MS_PER_SECOND:
        return f"{round(milliseconds)} ms"
    seconds = milliseconds / MS_PER_SECOND
    if seconds < SECONDS_PER_MINUTE:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), SECONDS_PER_MINUTE)
    return f"{minutes} min {rest:02d} s"


@register.filter
def percent(probability: float | None) -> str:
    if probability is None:
        return "—"
    return f"{probability * 100:.1f}%"
