"""Corrections and the custom head's training, against the real database."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from sqlalchemy.orm import Session

from backend.domain.analysis import repository as analysis_repository
from backend.domain.corrections import repository, service
from backend.domain.errors import ConflictError, InvalidInputError, NotFoundError
from backend.domain.pagination import PageRequest
from backend.domain.search import repository as search_repository
from backend.ml.embeddings import to_bytes
from backend.ml.few_shot import FewShotHead
from backend.shared.config import Settings, get_settings
from backend.shared.db.enums import UploadStatus
from backend.shared.db.models import ProductImage, User
from tests.factories import make_image, make_product, make_user

DIMENSIONS = 16


def _settings(**changes: object) -> Settings:
    return get_settings().model_copy(
        update={"custom_min_examples_per_label": 3, "custom_auto_train_every": 4, **changes}
    )


class _Requests:
    """Records the trainings the service asks for (the API queues a Celery task instead)."""

    def __init__(self) -> None:
        self.users: list[uuid.UUID] = []

    def __call__(self, user_id: uuid.UUID) -> None:
        self.users.append(user_id)


def _analysed_image(session: Session, owner: User, direction: int, seed: int) -> ProductImage:
    image = make_image(session, product=make_product(session, owner=owner))
    vector = np.random.default_rng(seed).normal(0, 0.1, DIMENSIONS).astype(np.float32)
    vector[direction] += 1.0
    search_repository.save_embedding(
        session,
        image_id=image.id,
        user_id=owner.id,
        model_version="1.0.0-fp32",
        vector=to_bytes(vector / np.linalg.norm(vector)),
        dimensions=DIMENSIONS,
        perceptual_hash="0" * 16,
    )
    analysis = analysis_repository.get_or_create_for_image(session, image_id=image.id)
    analysis.classification_label = "kitchen/mugs"
    analysis.classification_confidence = 0.8
    analysis.classification_scores = {"category": "kitchen", "subcategory": "mugs"}
    session.flush()
    return image


def test_a_correction_shows_on_the_analysis_and_can_be_taken_back(session: Session) -> None:
    alice, bob = make_user(session), make_user(session)
    image = _analysed_image(session, alice, 0, 1)
    requests = _Requests()
    settings = _settings()

    def label(image_id: uuid.UUID, text: str, owner: User = alice) -> None:
        service.set_correction(
            session,
            owner_id=owner.id,
            image_id=image_id,
            label=text,
            settings=settings,
            request_training=requests,
        )

    def unlabel(image_id: uuid.UUID) -> None:
        service.remove_correction(
            session,
            owner_id=alice.id,
            image_id=image_id,
            settings=settings,
            request_training=requests,
        )

    label(image.id, "  Kitchen/Tableware ")
    correction = service.get_correction(session, owner_id=alice.id, image_id=image.id)
    assert correction.label == "kitchen/tableware"
    analysis = analysis_repository.get_by_image(session, image_id=image.id)
    assert analysis is not None
    assert (analysis.classification_label, analysis.classification_confidence) == (
        "kitchen/tableware",
        1.0,
    )
    assert analysis.classification_scores["subcategory"] == "tableware"
    assert analysis.classification_scores["correction"]["model_label"] == "kitchen/mugs"
    label(image.id, "espresso cups")
    assert analysis.classification_scores["category"] == "espresso cups"
    assert analysis.classification_scores["correction"]["model_label"] == "kitchen/mugs"
    page = service.list_corrections(
        session, owner_id=alice.id, label="Espresso Cups", page=PageRequest()
    )
    assert [item.label for item in page.items] == ["espresso cups"]

    unlabel(image.id)
    assert analysis.classification_label == "kitchen/mugs"
    assert analysis.classification_confidence == 0.8
    assert "correction" not in analysis.classification_scores
    assert requests.users == []  # two changes, below custom_auto_train_every

    with pytest.raises(InvalidInputError):
        label(image.id, "../../etc")
    with pytest.raises(NotFoundError):
        label(image.id, "x", owner=bob)
    with pytest.raises(NotFoundError):
        unlabel(image.id)
    pending = make_image(
        session, product=make_product(session, owner=alice), upload_status=UploadStatus.PENDING
    )
    with pytest.raises(ConflictError):
        label(pending.id, "x")


def test_training_after_enough_changes_and_the_trained_head(session: Session) -> None:
    alice = make_user(session)
    requests = _Requests()
    settings = _settings()
    images = [_analysed_image(session, alice, 0, seed) for seed in range(3)]
    images += [_analysed_image(session, alice, 1, seed) for seed in range(10, 12)]
    with pytest.raises(ConflictError):
        service.request_training(session, owner_id=alice.id, settings=settings, request=requests)
    for index, image in enumerate(images):
        service.set_correction(
            session,
            owner_id=alice.id,
            image_id=image.id,
            label="teapots" if index < 3 else "saucers",
            settings=settings,
            request_training=requests,
        )
    assert requests.users == [alice.id]  # after the fourth label, with teapots trainable

    classifier = service.train_head(session, owner_id=alice.id, settings=settings)
    assert classifier is not None
    assert classifier.labels == ["teapots"]  # saucers has 2 of the 3 examples needed
    assert classifier.example_count == 3  # the examples the head learnt from
    assert classifier.metrics["skipped_labels"] == {"saucers": 2}
    assert classifier.version.startswith("custom-")
    head = FewShotHead.from_bytes(classifier.parameters)
    assert head.labels == ("teapots",)
    status = service.head_status(session, owner_id=alice.id, settings=settings)
    assert status.label_counts == {"saucers": 2, "teapots": 3}
    assert status.trainable_labels == ["teapots"]
    assert repository.head_version(session, owner_id=alice.id) == classifier.version

    # The same examples give the same head, and the same version.
    again = service.train_head(session, owner_id=alice.id, settings=settings)
    assert again is not None
    assert again.version == classifier.version

    # Without any trainable label the head goes away.
    for image in images[:2]:
        service.remove_correction(
            session,
            owner_id=alice.id,
            image_id=image.id,
            settings=settings,
            request_training=requests,
        )
    assert service.train_head(session, owner_id=alice.id, settings=settings) is None
    assert repository.get_classifier(session, owner_id=alice.id) is None
    with pytest.raises(NotFoundError):
        service.delete_head(session, owner_id=alice.id)
