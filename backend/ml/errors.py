"""Errors raised by the ML pipeline.

``permanent`` tells a worker whether retrying can help: a file that does not decode never will,
while a model that failed to load may load after a deploy.
"""

from __future__ import annotations


class MLError(Exception):
    permanent: bool = False


class ImageDecodeError(MLError):
    """The bytes are not an image we can analyse; the message says why, in plain words."""

    permanent = True


class ModelNotAvailableError(MLError):
    """A model file or manifest entry is missing or does not match its recorded sha256."""

    permanent = False
