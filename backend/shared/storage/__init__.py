"""Image storage: the :class:`~backend.shared.storage.base.ImageStorage` interface, its S3 and
local-folder adapters, and :func:`~backend.shared.storage.factory.get_storage` to pick one."""
