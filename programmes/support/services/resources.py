"""The programme's resource library: uploads checked by size, extension and their own first bytes, and links."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.errors import DomainError
from programmes.models import (
    Programme,
    Resource,
)

from ..models.support import RESOURCE_MAX_BYTES, RESOURCE_TYPES


def validate_upload(upload: UploadedFile) -> tuple[str, str]:
    """Size, extension and the file's own first bytes; returns (clean file name, content type)."""
    name = os.path.basename(upload.name or "").strip()
    extension = os.path.splitext(name)[1].lower()
    if extension not in RESOURCE_TYPES:
        allowed = ", ".join(sorted(RESOURCE_TYPES))
        raise DomainError(_("Files of this type cannot be shared; use one of %(types)s.") % {"types": allowed})
    if not upload.size:
        raise DomainError(_("The file is empty."))
    if upload.size > RESOURCE_MAX_BYTES:
        raise DomainError(_("The file is larger than %(mb)d MB.") % {"mb": RESOURCE_MAX_BYTES // (1024 * 1024)})
    content_type, magic = RESOURCE_TYPES[extension]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if magic is not None and not head.startswith(magic):
        raise DomainError(_("The file's contents do not match its name (%(ext)s).") % {"ext": extension})
    if magic is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the 2,048th byte is still text.
            if exc.start < len(head) - 4:
                raise DomainError(_("A text file must be UTF-8 text.")) from exc
        if b"\x00" in head:
            raise DomainError(_("A text file must be UTF-8 text."))
    return name[:200], content_type


@dataclass(frozen=True)
class ResourceInput:
    title: str
    kind: str
    audience: str
    description: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    upload: UploadedFile | None = None


@transaction.atomic
def resource_create(*, actor: User, programme: Programme, data: ResourceInput) -> Resource:
    """Add a link or a validated file to the programme's library (files go to the default storage)."""
    resource = Resource(
        programme=programme,
        title=data.title.strip(),
        description=data.description.strip(),
        kind=data.kind,
        audience=data.audience,
        tags=sorted({t.strip().lower() for t in data.tags if t.strip()}),
        created_by=actor,
    )
    if data.kind == Resource.Kind.LINK:
        resource.url = data.url.strip()
    else:
        if data.upload is None:
            raise DomainError(_("Choose a file to upload."))
        resource.filename, resource.content_type = validate_upload(data.upload)
        resource.size = data.upload.size or 0
        resource.file = data.upload
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def resource_delete(*, actor: User, resource: Resource) -> None:
    """Remove a resource and, after the commit, its stored file."""
    stored = resource.file.name if resource.file else ""
    storage = resource.file.storage if resource.file else None
    resource.delete()
    if stored and storage is not None:
        transaction.on_commit(lambda: storage.delete(stored))
