"""Products and their images, with thumbnails and defect boxes."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import admin
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString

from backend.django_app import images, operations
from backend.django_app.actions import ServiceAction
from backend.django_app.admin.common import RERUN_EXPLANATION, BaseAdmin, admin_link, related_count
from backend.django_app.filters import DeletedFilter, ImageDeletedFilter
from backend.django_app.models import Product, ProductImage
from backend.django_app.operations import Outcome
from backend.django_app.site import admin_site
from backend.shared.db.enums import UploadStatus


def _rerun_products(_request: HttpRequest, product_ids: list[uuid.UUID]) -> Outcome:
    return operations.rerun_products(product_ids)


def _rerun_images(_request: HttpRequest, image_ids: list[uuid.UUID]) -> Outcome:
    return operations.rerun_images(image_ids)


class ProductImageInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ProductImage
    fk_name = "product"
    fields = ("preview", "file", "upload_status", "is_primary", "size", "analysis_status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "images (defect boxes drawn over each)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductImage]:
        return (
            super()
            .get_queryset(request)
            .filter(deleted_at__isnull=True)
            .select_related("analysis")
            .prefetch_related("analysis__defects")
            .order_by("created_at")
        )

    @admin.display(description="image")
    def preview(self, image: ProductImage) -> SafeString:
        return images.annotated_image(image, size="medium")

    @admin.display(description="file")
    def file(self, image: ProductImage) -> str:
        return image.original_filename

    @admin.display(description="size")
    def size(self, image: ProductImage) -> str:
        if image.width and image.height:
            return f"{image.width} x {image.height}"
        return "—"

    @admin.display(description="analysis")
    def analysis_status(self, image: ProductImage) -> SafeString | str:
        analysis = images.analysis_of(image)
        if analysis is None:
            return "not analysed"
        defects = len(analysis.defects.all())
        return admin_link(analysis, f"{analysis.status}, {defects} defect(s)")


@admin.register(Product, site=admin_site)
class ProductAdmin(BaseAdmin):
    list_display = (
        "title",
        "primary_thumbnail",
        "owner",
        "status",
        "category",
        "image_count",
        "created_at",
    )
    list_display_links = ("title", "primary_thumbnail")
    list_filter = (
        DeletedFilter,
        "status",
        "category",
        ("owner", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    )
    list_select_related = ("owner",)
    search_fields = ("title", "category", "owner__email")
    date_hierarchy = "created_at"
    fields = (
        "title",
        "owner_link",
        "status",
        "category",
        "subcategory",
        "description",
        "ai_description",
        "metadata",
        "created_at",
        "updated_at",
        "deleted_at",
    )
    readonly_fields = ("owner_link",)
    inlines = (ProductImageInline,)
    service_actions = (
        ServiceAction(
            name="rerun_products",
            label="Re-run analysis of the selected products",
            button="Re-run analysis",
            explanation=RERUN_EXPLANATION,
            run=_rerun_products,
            applies_to=lambda product: product.deleted_at is None,
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        primary = ProductImage.objects.filter(is_primary=True, deleted_at__isnull=True)
        return (
            super()
            .get_queryset(request)
            .annotate(live_images=related_count(ProductImage, "product", deleted_at__isnull=True))
            .prefetch_related(Prefetch("images", queryset=primary, to_attr="primary_images"))
        )

    @admin.display(description="image")
    def primary_thumbnail(self, product: Any) -> SafeString | str:
        primary: list[ProductImage] = product.primary_images
        return images.thumbnail(primary[0]) if primary else "—"

    @admin.display(description="images", ordering="live_images")
    def image_count(self, product: Any) -> int:
        return int(product.live_images)

    @admin.display(description="owner")
    def owner_link(self, product: Product) -> SafeString:
        return admin_link(product.owner)


@admin.register(ProductImage, site=admin_site)
class ProductImageAdmin(BaseAdmin):
    list_display = (
        "original_filename",
        "thumbnail",
        "product",
        "upload_status",
        "is_primary",
        "analysis_status",
        "created_at",
    )
    list_display_links = ("original_filename", "thumbnail")
    list_filter = (
        ImageDeletedFilter,
        "upload_status",
        "is_primary",
        "analysis__status",
        ("created_at", admin.DateFieldListFilter),
    )
    list_select_related = ("product", "analysis")
    search_fields = ("original_filename", "product__title", "product__owner__email")
    date_hierarchy = "created_at"
    fields = (
        "annotated",
        "product_link",
        "original_filename",
        "content_type",
        "file_size_bytes",
        "width",
        "height",
        "is_primary",
        "upload_status",
        "s3_bucket",
        "s3_key",
        "analysis_link",
        "created_at",
        "deleted_at",
    )
    readonly_fields = ("annotated", "product_link", "analysis_link")
    service_actions = (
        ServiceAction(
            name="rerun_images",
            label="Re-run analysis of the selected images",
            button="Re-run analysis",
            explanation=RERUN_EXPLANATION,
            run=_rerun_images,
            applies_to=lambda image: (
                image.upload_status == UploadStatus.UPLOADED and image.deleted_at is None
            ),
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductImage]:
        return super().get_queryset(request).prefetch_related("analysis__defects")

    @admin.display(description="image")
    def thumbnail(self, image: ProductImage) -> SafeString:
        return images.thumbnail(image)

    @admin.display(description="image with defects")
    def annotated(self, image: ProductImage) -> SafeString:
        return images.annotated_image(image, size="large")

    @admin.display(description="analysis", ordering="analysis__status")
    def analysis_status(self, image: ProductImage) -> str:
        analysis = images.analysis_of(image)
        return analysis.status if analysis else "—"

    @admin.display(description="product")
    def product_link(self, image: ProductImage) -> SafeString:
        return admin_link(image.product)

    @admin.display(description="analysis")
    def analysis_link(self, image: ProductImage) -> SafeString | str:
        analysis = images.analysis_of(image)
        return admin_link(analysis, "Inspect the analysis") if analysis else "not analysed"
