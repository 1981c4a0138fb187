"""What staff see: users, products and images, analyses and jobs, read-only but for actions.

Importing the package registers every model admin on :data:`backend.django_app.site.admin_site`.
"""

from backend.django_app.admin import analysis, catalogue, jobs, users, webhooks

__all__ = ["analysis", "catalogue", "jobs", "users", "webhooks"]
