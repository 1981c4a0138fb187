"""How the jobs service hands work to the task queue; the workers package implements it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Protocol


class JobDispatcher(Protocol):
    def dispatch(self, *, job_id: uuid.UUID, image_ids: Sequence[uuid.UUID]) -> None:
        """Queue the analysis of ``image_ids`` within ``job_id``.

        The rows are committed before this is called. If the broker cannot take the message,
        the steps stay pending and the recovery sweep queues them again.
        """
        ...
