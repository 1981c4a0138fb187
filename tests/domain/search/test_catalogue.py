"""Catalogue indexes follow the embeddings table: new rows, re-analyses, purges, other sellers."""

from __future__ import annotations

import uuid

import numpy as np
from sqlalchemy.orm import Session

from backend.domain.images import repository as images_repository
from backend.domain.search import repository
from backend.domain.search.catalogue import CatalogueIndexes
from backend.ml.embeddings import embedding_space, to_bytes
from backend.shared.config import get_settings
from backend.shared.db.models import ProductImage, User
from tests.factories import make_image, make_product, make_user

DIMENSIONS = 32
VERSION = "1.0.0-fp32"
SPACE = embedding_space(VERSION)


def _vector(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(DIMENSIONS).astype(np.float32)
    return vector / np.linalg.norm(vector)


def _embed(session: Session, owner: User, image: ProductImage, seed: int) -> None:
    repository.save_embedding(
        session,
        image_id=image.id,
        user_id=owner.id,
        model_version=VERSION,
        vector=to_bytes(_vector(seed)),
        dimensions=DIMENSIONS,
        perceptual_hash="0" * 16,
    )
    session.commit()


def _indexes(ann_min_vectors: int = 5000) -> CatalogueIndexes:
    settings = get_settings().model_copy(update={"search_ann_min_vectors": ann_min_vectors})
    return CatalogueIndexes(settings)


def _found(indexes: CatalogueIndexes, session: Session, owner: User, seed: int) -> list[uuid.UUID]:
    index = indexes.index_for(session, user_id=owner.id, space=SPACE)
    assert index is not None
    return [item.key for item in index.search(_vector(seed), 10)]


def test_index_follows_new_rows_reanalyses_and_purges(session: Session) -> None:
    alice = make_user(session)
    product = make_product(session, owner=alice)
    images = [make_image(session, product=product) for _ in range(4)]
    for seed, image in enumerate(images[:3]):
        _embed(session, alice, image, seed)
    indexes = _indexes()
    assert _found(indexes, session, alice, 1)[0] == images[1].id
    assert len(_found(indexes, session, alice, 1)) == 3

    _embed(session, alice, images[3], 42)  # analysed in a worker after the index was built
    assert _found(indexes, session, alice, 42)[0] == images[3].id

    _embed(session, alice, images[0], 77)  # re-analysis overwrites the vector
    assert _found(indexes, session, alice, 77)[0] == images[0].id

    images_repository.purge(session, image_ids=[images[1].id])  # the row goes with the image
    session.commit()
    assert images[1].id not in _found(indexes, session, alice, 1)
    assert len(_found(indexes, session, alice, 1)) == 3


def test_sellers_never_see_each_others_vectors(session: Session) -> None:
    alice, bob = make_user(session), make_user(session)
    alices = make_image(session, product=make_product(session, owner=alice))
    bobs = make_image(session, product=make_product(session, owner=bob))
    _embed(session, alice, alices, 1)
    _embed(session, bob, bobs, 1)  # the very same vector
    indexes = _indexes()
    assert _found(indexes, session, alice, 1) == [alices.id]
    assert _found(indexes, session, bob, 1) == [bobs.id]
    carol = make_user(session)
    assert indexes.index_for(session, user_id=carol.id, space=SPACE) is None


def test_rebuild_reloads_from_the_table_and_large_catalogues_use_ivf(session: Session) -> None:
    alice = make_user(session)
    product = make_product(session, owner=alice)
    images = [make_image(session, product=product) for _ in range(40)]
    for seed, image in enumerate(images):
        _embed(session, alice, image, seed)
    indexes = _indexes(ann_min_vectors=30)
    index = indexes.index_for(session, user_id=alice.id, space=SPACE)
    assert index is not None
    assert index.uses_ann
    assert _found(indexes, session, alice, 5)[0] == images[5].id
    assert indexes.rebuild(session, user_id=alice.id) == 40
    assert indexes.index_for(session, user_id=alice.id, space=SPACE) is not index
