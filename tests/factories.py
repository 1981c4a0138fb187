"""Real rows for tests, made through the services and repositories the application uses."""

from __future__ import annotations

import itertools
import uuid

from sqlalchemy.orm import Session

from backend.domain.images import repository as images_repository
from backend.domain.products import repository as products_repository
from backend.domain.users import service as users_service
from backend.shared.db.enums import UploadStatus
from backend.shared.db.models import Product, ProductImage, User

DEFAULT_PASSWORD = "correct horse battery"
_sequence = itertools.count(1)


def make_user(session: Session, *, email: str | None = None, **fields: bool) -> User:
    email = email or f"user{next(_sequence)}-{uuid.uuid4().hex[:6]}@example.com"
    return users_service.create(session, email=email, password=DEFAULT_PASSWORD, **fields)


def make_product(session: Session, *, owner: User, title: str = "Red ceramic mug") -> Product:
    return products_repository.add(session, Product(user_id=owner.id, title=title))


def make_image(
    session: Session,
    *,
    product: Product,
    filename: str = "mug.jpg",
    upload_status: UploadStatus = UploadStatus.UPLOADED,
) -> ProductImage:
    image_id = uuid.uuid4()
    image = ProductImage(
        id=image_id,
        product_id=product.id,
        s3_key=f"users/{product.user_id}/products/{product.id}/{image_id}/{filename}",
        s3_bucket="test-bucket",
        original_filename=filename,
        content_type="image/jpeg",
        file_size_bytes=1234,
        width=640,
        height=480,
        upload_status=upload_status,
    )
    return images_repository.add(session, image)
