"""Near-duplicates: the thresholds on real photos and their copies, clusters, keeping one."""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np
import pytest
from sqlalchemy.orm import Session

from backend.domain.analysis import repository as analysis_repository
from backend.domain.errors import ConflictError, NotFoundError
from backend.domain.pagination import PageRequest
from backend.domain.search import duplicates, repository
from backend.ml.embeddings import normalize, to_bytes
from backend.ml.inference import prepare
from backend.ml.perceptual_hash import HashPair, distance, hash_pair
from backend.shared.config import get_settings
from tests.factories import make_image, make_product, make_user
from tests.ml.conftest import photo_bytes
from tests.ml.test_perceptual_hash import DISTINCT
from tests.support.photo_variants import VARIANTS


@cache
def _signature(data: bytes) -> tuple[np.ndarray, HashPair]:
    prepared = prepare(data)
    return normalize(prepared.outputs.embedding), hash_pair(prepared.rgb)


def _judge(first: bytes, second: bytes) -> str | None:
    vector_a, hashes_a = _signature(first)
    vector_b, hashes_b = _signature(second)
    thresholds = duplicates.Thresholds.from_settings(get_settings())
    return duplicates.judge(
        float(vector_a @ vector_b), distance(hashes_a, hashes_b.original), thresholds
    )


@pytest.mark.parametrize("variant", ["mirrored", "recompressed", "resized"])
def test_mirrored_recompressed_and_resized_copies_are_near_duplicates(variant: str) -> None:
    for name in DISTINCT:
        original = photo_bytes(name)
        assert _judge(VARIANTS[variant](original), original) is not None, name


@pytest.mark.parametrize("variant", ["cropped", "mirrored_cropped_recompressed"])
def test_most_cropped_copies_are_near_duplicates(variant: str) -> None:
    """A crop changes what the photo shows, so some crops are rightly just "similar"."""
    found = [
        _judge(VARIANTS[variant](photo_bytes(name)), photo_bytes(name)) is not None
        for name in DISTINCT
    ]
    assert sum(found) >= 0.8 * len(DISTINCT)


def test_different_real_photos_are_not_near_duplicates() -> None:
    for first, second in itertools.combinations(DISTINCT, 2):
        assert _judge(photo_bytes(first), photo_bytes(second)) is None, (first, second)


def test_the_two_signals() -> None:
    thresholds = duplicates.Thresholds(
        embedding=0.88, hash_max_distance=10, hash_min_similarity=0.6, candidates=10
    )
    assert duplicates.judge(0.9, None, thresholds) == "embedding"
    assert duplicates.judge(0.7, 4, thresholds) == "perceptual_hash"
    assert duplicates.judge(0.5, 0, thresholds) is None  # same layout, different product
    assert duplicates.judge(0.85, 30, thresholds) is None


def test_clusters_list_pending_duplicates_and_keeping_one(session: Session) -> None:
    alice, bob = make_user(session), make_user(session)
    product = make_product(session, owner=alice)
    original, copy, second_copy, other = (make_image(session, product=product) for _ in range(4))
    for image, seed in [(original, 1), (copy, 1), (second_copy, 1), (other, 2)]:
        vector = np.random.default_rng(seed).random(16).astype(np.float32)
        repository.save_embedding(
            session,
            image_id=image.id,
            user_id=alice.id,
            model_version="1.0.0-fp32",
            vector=to_bytes(normalize(vector)),
            dimensions=16,
            perceptual_hash="0" * 16,
        )
    for image in (original, copy, second_copy, other):
        analysis_repository.get_or_create_for_image(session, image_id=image.id)
    for image in (copy, second_copy):
        duplicates.link(
            analysis_repository.get_or_create_for_image(session, image_id=image.id),
            duplicates.DuplicateMatch(original.id, 0.99, 2, "embedding"),
        )
    session.flush()

    page = duplicates.clusters(session, owner_id=alice.id, include_kept=False, page=PageRequest())
    assert page.total == 1
    cluster = page.items[0]
    assert cluster.pending
    assert cluster.members[0].image.id == original.id
    assert cluster.members[0].duplicate_of is None
    assert {member.image.id for member in cluster.members[1:]} == {copy.id, second_copy.id}
    assert all(member.similarity == pytest.approx(1.0) for member in cluster.members[1:])
    assert (
        duplicates.clusters(session, owner_id=bob.id, include_kept=True, page=PageRequest()).total
        == 0
    )

    for image in (copy, second_copy):
        duplicates.set_kept(session, owner_id=alice.id, image_id=image.id, kept=True)
    assert (
        duplicates.clusters(
            session, owner_id=alice.id, include_kept=False, page=PageRequest()
        ).total
        == 0
    )
    kept = duplicates.clusters(session, owner_id=alice.id, include_kept=True, page=PageRequest())
    assert kept.total == 1
    assert all(member.kept for member in kept.items[0].members[1:])

    with pytest.raises(ConflictError):
        duplicates.set_kept(session, owner_id=alice.id, image_id=other.id, kept=True)
    with pytest.raises(NotFoundError):
        duplicates.set_kept(session, owner_id=bob.id, image_id=copy.id, kept=True)
    # A re-analysis that finds another image resets the decision.
    analysis = analysis_repository.get_or_create_for_image(session, image_id=copy.id)
    duplicates.link(analysis, duplicates.DuplicateMatch(other.id, 0.95, None, "embedding"))
    assert analysis.duplicate_kept_at is None
