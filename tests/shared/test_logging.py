from __future__ import annotations

import logging

import pytest

from backend.shared.config import get_settings
from backend.shared.logging import configure_logging


def test_tokens_in_logged_urls_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(get_settings())
    logging.getLogger("uvicorn.error").warning(
        '%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", "/ws?token=eyJhbGciOi.secret.part&x=1"
    )
    output = capsys.readouterr().err
    assert "eyJhbGciOi" not in output
    assert "token=[redacted]&x=1" in output
