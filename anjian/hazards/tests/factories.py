"""Test helpers: real JPEG uploads (optionally with EXIF time and GPS) and hazards in a state."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from anjian.hazards.services import hazard_create, hazard_transition


def jpeg_bytes(
    *,
    size: tuple[int, int] = (64, 48),
    color: tuple[int, int, int] = (200, 40, 40),
    taken: datetime.datetime | None = None,
    gps: tuple[float, float] | None = None,
) -> bytes:
    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    if taken is not None:
        exif_ifd = exif.get_ifd(0x8769)
        exif_ifd[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if gps is not None:
        lat, lng = gps

        def dms(value: float):
            d = int(abs(value))
            m = int((abs(value) - d) * 60)
            s = round(((abs(value) - d) * 60 - m) * 60, 2)
            return (d, m, s)

        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1] = "N" if lat >= 0 else "S"
        gps_ifd[2] = dms(lat)
        gps_ifd[3] = "E" if lng >= 0 else "W"
        gps_ifd[4] = dms(lng)
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def photo(name: str = "photo.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


HAZARD_DEFAULTS = {
    "location": "一号车间配电箱",
    "description": "配电箱门未关闭，线路裸露",
    "hazard_type": "unsafe_condition",
    "category": "electrical",
    "level": "general",
    "source": "town_inspection",
    "requirement": "加装防护门并整理线路",
    "responsible_person": "王安全",
}


def make_hazard(actor, unit, *, deadline_days: int | None = 7, photos: int = 1, **fields):
    """A hazard recorded by ``actor``; ordered with a deadline ``deadline_days`` ahead unless None."""
    data = {**HAZARD_DEFAULTS, **fields}
    deadline = (
        timezone.localdate() + datetime.timedelta(days=deadline_days)
        if deadline_days is not None
        else None
    )
    return hazard_create(
        actor=actor,
        unit_id=unit.pk,
        photos=[photo(f"before{i}.jpg") for i in range(photos)],
        deadline=deadline,
        **data,
    )


def act(actor, hazard, action: str, note: str = "", photos=(), **data):
    hazard.refresh_from_db()
    return hazard_transition(
        actor=actor,
        hazard_id=hazard.pk,
        action=action,
        expected_version=hazard.version,
        note=note,
        data=data,
        photos=list(photos),
    )
