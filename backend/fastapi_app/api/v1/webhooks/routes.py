from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from backend.domain.pagination import PageRequest
from backend.domain.webhooks import service as webhooks_service
from backend.domain.webhooks.service import DeliveryDispatcher
from backend.fastapi_app.api.v1.common import problems
from backend.fastapi_app.api.v1.webhooks.presenters import (
    delivery_detail,
    delivery_public,
    webhook_public,
    webhook_with_secret,
)
from backend.fastapi_app.api.v1.webhooks.schemas import (
    DeliveriesPublic,
    DeliveryDetail,
    DeliveryStatusFilter,
    WebhookCreate,
    WebhookPublic,
    WebhooksPublic,
    WebhookUpdate,
    WebhookWithSecret,
)
from backend.fastapi_app.deps import CurrentUser, SessionDep, SettingsDep
from backend.workers.webhooks import get_delivery_dispatcher

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

DeliveryDispatcherDep = Annotated[DeliveryDispatcher, Depends(get_delivery_dispatcher)]


@router.post(
    "",
    response_model=WebhookWithSecret,
    status_code=status.HTTP_201_CREATED,
    responses=problems(401, 409, 422),
)
def create_webhook(
    body: WebhookCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> WebhookWithSecret:
    """Register an endpoint; the answer holds its signing secret, shown only this once."""
    endpoint = webhooks_service.create_endpoint(
        session,
        settings,
        owner_id=user.id,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        is_active=body.is_active,
    )
    return webhook_with_secret(endpoint)


@router.get("", response_model=WebhooksPublic, responses=problems(401, 422))
def list_webhooks(
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> WebhooksPublic:
    page = webhooks_service.list_endpoints(
        session, owner_id=user.id, page=PageRequest(limit=limit, offset=offset)
    )
    return WebhooksPublic(
        data=[webhook_public(endpoint) for endpoint in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{webhook_id}", response_model=WebhookPublic, responses=problems(401, 404, 422))
def get_webhook(webhook_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> WebhookPublic:
    return webhook_public(
        webhooks_service.get_endpoint_or_raise(session, owner_id=user.id, endpoint_id=webhook_id)
    )


@router.patch("/{webhook_id}", response_model=WebhookPublic, responses=problems(401, 404, 422))
def update_webhook(
    webhook_id: uuid.UUID,
    body: WebhookUpdate,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
) -> WebhookPublic:
    endpoint = webhooks_service.update_endpoint(
        session,
        settings,
        owner_id=user.id,
        endpoint_id=webhook_id,
        changes=body.model_dump(exclude_unset=True),
    )
    return webhook_public(endpoint)


@router.delete(
    "/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(401, 404, 422)
)
def delete_webhook(webhook_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> None:
    webhooks_service.delete_endpoint(session, owner_id=user.id, endpoint_id=webhook_id)


@router.post(
    "/{webhook_id}/rotate-secret",
    response_model=WebhookWithSecret,
    responses=problems(401, 404, 422),
)
def rotate_webhook_secret(
    webhook_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> WebhookWithSecret:
    """A new signing secret; deliveries from now on are signed with it."""
    endpoint = webhooks_service.rotate_secret(session, owner_id=user.id, endpoint_id=webhook_id)
    return webhook_with_secret(endpoint)


@router.post(
    "/{webhook_id}/ping",
    response_model=DeliveryDetail,
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(401, 404, 422),
)
def ping_webhook(
    webhook_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    dispatcher: DeliveryDispatcherDep,
) -> DeliveryDetail:
    """Queue a signed ``webhook.ping`` delivery to the endpoint."""
    delivery = webhooks_service.ping(session, dispatcher, owner_id=user.id, endpoint_id=webhook_id)
    return delivery_detail(delivery)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=DeliveriesPublic,
    responses=problems(401, 404, 422),
)
def list_webhook_deliveries(
    webhook_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    status_filter: Annotated[DeliveryStatusFilter | None, Query(alias="status")] = None,
) -> DeliveriesPublic:
    """The endpoint's deliveries, newest first."""
    page = webhooks_service.list_deliveries(
        session,
        owner_id=user.id,
        endpoint_id=webhook_id,
        status=status_filter,
        page=PageRequest(limit=limit, offset=offset),
    )
    return DeliveriesPublic(
        data=[delivery_public(delivery) for delivery in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/{webhook_id}/deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    responses=problems(401, 404, 422),
)
def get_webhook_delivery(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> DeliveryDetail:
    delivery = webhooks_service.get_delivery_or_raise(
        session, owner_id=user.id, endpoint_id=webhook_id, delivery_id=delivery_id
    )
    return delivery_detail(delivery)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/replay",
    response_model=DeliveryDetail,
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(401, 404, 409, 422),
)
def replay_webhook_delivery(
    webhook_id: uuid.UUID,
    delivery_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    dispatcher: DeliveryDispatcherDep,
) -> DeliveryDetail:
    """Send a recorded event again, as a new delivery with the same event id and body."""
    delivery = webhooks_service.replay(
        session, dispatcher, owner_id=user.id, endpoint_id=webhook_id, delivery_id=delivery_id
    )
    return delivery_detail(delivery)
