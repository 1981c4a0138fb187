from __future__ import annotations

import sys

import pytest

from backend.shared.memory import return_large_buffers_to_os


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator only")
def test_glibc_takes_the_threshold() -> None:
    assert return_large_buffers_to_os(1024 * 1024) is True


def test_zero_leaves_the_allocator_alone() -> None:
    assert return_large_buffers_to_os(0) is False
