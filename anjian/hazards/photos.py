"""Photos as evidence: accepted by their content (JPEG, PNG, WebP), the original kept with its
SHA-256, a copy at most 1600 px wide shown on pages, and the EXIF time and place read out.

Used by hazards (before/after/evidence photos) and tip-offs alike.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from anjian.hazards.models import MAX_HAZARD_PHOTOS, HazardPhoto

MAX_PHOTO_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 60_000_000  # refuse decompression bombs well before Pillow's own limit
DISPLAY_EDGE = 1600
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")


@dataclass
class ProcessedPhoto:
    original: ContentFile
    image: ContentFile
    sha256: str
    content_type: str
    size: int
    width: int
    height: int
    taken_at: datetime.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _gps_degrees(values, ref) -> Decimal | None:
    try:
        d, m, s = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    if ref in ("S", "W", b"S", b"W"):
        value = -value
    return Decimal(f"{value:.6f}")


def _exif_facts(
    img: Image.Image,
) -> tuple[datetime.datetime | None, Decimal | None, Decimal | None]:
    try:
        exif = img.getexif()
    except Exception:
        return None, None, None
    taken_at = None
    sub = exif.get_ifd(ExifTags.IFD.Exif) if exif else {}
    raw = sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if raw:
        try:
            naive = datetime.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
            taken_at = timezone.make_aware(naive)  # cameras record local time
        except (ValueError, OverflowError):
            taken_at = None
    lat = lng = None
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo) if exif else {}
    if gps:
        lat = _gps_degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef))
        lng = _gps_degrees(
            gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef)
        )
        if lat is not None and not -90 <= lat <= 90:
            lat = None
        if lng is not None and not -180 <= lng <= 180:
            lng = None
    return taken_at, lat, lng


def _too_large(name: str, max_pixels: int, field: str) -> ValidationError:
    return ValidationError(
        {
            field: _(
                "The image “%(name)s” is too large: at most %(limit)s megapixels are accepted. "
                "Send a smaller photo."
            )
            % {"name": name, "limit": f"{max_pixels / 1_000_000:g}"}
        },
        code="image_too_large",
    )


def photo_process(upload, *, field: str = "photos", max_pixels: int = MAX_PIXELS) -> ProcessedPhoto:
    """Check and prepare one uploaded photo; raise ValidationError with a Chinese message.
    The size in pixels is read from the file's header and checked against ``max_pixels`` before
    anything is decoded (decoding costs CPU in proportion: about 3 s for 59 megapixels)."""
    name = getattr(upload, "name", "") or ""
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationError({field: _("The photo “%(name)s” is empty.") % {"name": name}})
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {
                field: _("The photo “%(name)s” is %(size).1f MB; at most 15 MB is allowed.")
                % {"name": name, "size": size / 1024 / 1024}
            }
        )
    data = _read(upload)
    not_a_photo = ValidationError(
        {
            field: _(
                "“%(name)s” is not a JPEG, PNG or WebP photo (its content was checked, not its name)."
            )
            % {"name": name}
        }
    )
    if not data.startswith(SIGNATURES):
        raise not_a_photo
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # checked just below
            img = Image.open(io.BytesIO(data))  # reads the header only
    except Image.DecompressionBombError as exc:  # beyond Pillow's own limit: surely too large
        raise _too_large(name, max_pixels, field) from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise not_a_photo from exc
    if img.format not in FORMATS:
        raise not_a_photo
    if img.width * img.height > max_pixels:
        raise _too_large(name, max_pixels, field)
    try:
        img.load()
    except (OSError, Image.DecompressionBombError) as exc:
        raise not_a_photo from exc
    content_type, extension = FORMATS[img.format]
    taken_at, lat, lng = _exif_facts(img)
    shown = ImageOps.exif_transpose(img)
    if shown.mode not in ("RGB", "L"):
        shown = shown.convert("RGB")
    shown.thumbnail((DISPLAY_EDGE, DISPLAY_EDGE))
    out = io.BytesIO()
    shown.save(out, format="JPEG", quality=85, optimize=True)
    stem = uuid.uuid4().hex
    return ProcessedPhoto(
        original=ContentFile(data, name=f"{stem}-original.{extension}"),
        image=ContentFile(out.getvalue(), name=f"{stem}.jpg"),
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=content_type,
        size=len(data),
        width=shown.width,
        height=shown.height,
        taken_at=taken_at,
        latitude=lat,
        longitude=lng,
    )


def photo_fields(processed: ProcessedPhoto) -> dict:
    """Model field values for a HazardPhoto or TipOffPhoto (files saved on model save)."""
    return {
        "image": processed.image,
        "original": processed.original,
        "sha256": processed.sha256,
        "content_type": processed.content_type,
        "size": processed.size,
        "taken_at": processed.taken_at,
        "latitude": processed.latitude,
        "longitude": processed.longitude,
    }


# --- Attaching photos to a hazard ---------------------------------------------------------------


def check_photo_count(photos: Sequence, already: int = 0, field: str = "photos") -> None:
    """At most ``MAX_HAZARD_PHOTOS`` photos of the hazard as found."""
    if len(photos) + already > MAX_HAZARD_PHOTOS:
        raise ValidationError({field: _("At most 9 photos of the hazard as found may be kept.")})


def attach_photos(hazard, uploads, *, kind, actor, report=None, pairs=None) -> list:
    """Check, process and store ``uploads`` as photos of ``hazard``; ``pairs`` maps an upload's
    index to the as-found photo it answers."""
    processed = [photo_process(upload) for upload in uploads]
    photos = []
    for index, item in enumerate(processed):
        photo = HazardPhoto(
            hazard=hazard,
            kind=kind,
            report=report,
            pairs_with_id=(pairs or {}).get(index),
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            width=item.width,
            height=item.height,
            **photo_fields(item),
        )
        photo.save()
        photos.append(photo)
    return photos


# --- Serving a stored photo ------------------------------------------------------------------------


def photo_file_response(photo, *, original: bool, stem: str):
    """The stored photo as a download: the resized JPEG copy, or the original as sent (an
    attachment). 404 when the file is missing. Used by every scoped photo view and operation
    (hazards, tip-offs, inspections); the caller has already checked the scope."""
    from django.http import FileResponse, Http404

    stored = photo.original if original else photo.image
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    extension = stored.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        handle,
        content_type=photo.content_type if original else "image/jpeg",
        as_attachment=original,
        filename=f"{stem}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
