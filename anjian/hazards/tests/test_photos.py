"""Photos as evidence: judged by their content, the original kept with its SHA-256, a copy at most
1600 px shown, the EXIF time and place read, and at most 9 photos of a hazard as found."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from anjian.hazards.models import Hazard, HazardPhoto
from anjian.hazards.photos import DISPLAY_EDGE, MAX_PHOTO_BYTES, photo_process
from anjian.hazards.services import hazard_add_photos
from anjian.hazards.tests.factories import jpeg_bytes, make_hazard, photo
from anjian.hazards.tests.states import footprint

CATALOG = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
NOT_A_PHOTO = "is not a JPEG, PNG or WebP photo"


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def image_bytes(fmt: str, size=(80, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")],
)
def test_jpeg_png_and_webp_are_accepted_whatever_their_name(fmt, content_type, extension):
    data = image_bytes(fmt)
    processed = photo_process(upload(data, name="IMG_0001.dat", content_type="text/plain"))
    assert processed.content_type == content_type
    assert processed.original.name.endswith(f"-original.{extension}")
    assert processed.image.name.endswith(".jpg")
    assert (processed.width, processed.height) == (80, 60)
    assert processed.size == len(data)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        "这是一段文字，不是照片。".encode(),
        b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00" + b"\x00" * 32,  # a WAV sound
        b"\xff\xd8\xff\xe0 truncated jpeg",
        b"GIF89a" + image_bytes("GIF")[6:],
    ],
    ids=["pdf", "text", "wav", "broken-jpeg", "gif"],
)
def test_other_content_named_jpg_is_refused_by_its_content(data):
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        photo_process(upload(data, name="现场.jpg"))
    (message,) = caught.value.message_dict["photos"]
    assert NOT_A_PHOTO in message
    assert "现场.jpg" in message


@pytest.mark.skipif(not CATALOG.exists(), reason="the hazards catalog is not compiled yet")
def test_the_refusal_is_told_in_chinese():
    with pytest.raises(ValidationError) as caught:
        photo_process(upload(b"%PDF-1.4\n", name="整改通知.jpg"))
    (message,) = caught.value.message_dict["photos"]
    assert "整改通知.jpg" in message
    assert re.search("[\u4e00-\u9fff]", message.replace("整改通知", ""))
    assert NOT_A_PHOTO not in message


def test_a_photo_over_15_mb_is_refused():
    data = jpeg_bytes()
    too_big = data + b"\x00" * (MAX_PHOTO_BYTES + 1 - len(data))
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        photo_process(upload(too_big))
    assert "at most 15 MB" in caught.value.message_dict["photos"][0]
    photo_process(upload(data + b"\x00" * (MAX_PHOTO_BYTES - len(data))))  # exactly 15 MB is fine


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        photo_process(upload(b"", name="empty.jpg"))
    assert "is empty" in caught.value.message_dict["photos"][0]


def test_a_large_photo_is_shown_resized_and_its_original_kept_with_its_hash():
    data = jpeg_bytes(size=(4000, 3000))
    processed = photo_process(upload(data))
    assert max(processed.width, processed.height) <= DISPLAY_EDGE
    assert (processed.width, processed.height) == (1600, 1200)
    shown = Image.open(io.BytesIO(processed.image.read()))
    assert shown.size == (1600, 1200)
    assert processed.original.read() == data
    assert processed.sha256 == hashlib.sha256(data).hexdigest()


def test_the_exif_time_and_place_are_read():
    taken = datetime.datetime(2026, 3, 14, 9, 26, 53)  # cameras write local time
    processed = photo_process(upload(jpeg_bytes(taken=taken, gps=(30.05, 119.95))))
    assert processed.taken_at == timezone.make_aware(taken)
    assert abs(float(processed.latitude) - 30.05) < 1e-4
    assert abs(float(processed.longitude) - 119.95) < 1e-4


def test_a_photo_without_exif_has_no_time_or_place():
    processed = photo_process(upload(jpeg_bytes()))
    assert (processed.taken_at, processed.latitude, processed.longitude) == (None, None, None)


def _with_app1(payload: bytes) -> bytes:
    """A valid JPEG with an APP1 (EXIF) segment holding ``payload`` right after the SOI."""
    data = image_bytes("JPEG")
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return data[:2] + segment + data[2:]


@pytest.mark.parametrize(
    "payload",
    [
        b"Exif\x00\x00" + b"\x13\x37garbage-not-a-tiff-header",
        b"Exif\x00\x00MM\x00\x2a\x00\x00\xff\xff",  # IFD offset past the end
        b"Exif\x00\x00II\x2a\x00\x08\x00\x00\x00\x01\x00\x03\x90\x02\x00\xff\xff\x00\x00",
    ],
    ids=["not-tiff", "offset-out-of-range", "truncated-ifd"],
)
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_a_photo_with_broken_exif_is_still_accepted(payload):
    processed = photo_process(upload(_with_app1(payload)))
    assert processed.content_type == "image/jpeg"
    assert processed.taken_at is None


def test_an_impossible_exif_date_is_ignored():
    img = Image.new("RGB", (40, 30))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "0000:00:00 00:00:00"
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    assert photo_process(upload(out.getvalue())).taken_at is None


# --- At most 9 photos of a hazard as found -------------------------------------------------------


@pytest.mark.django_db
def test_a_tenth_photo_is_refused_when_recording(world):
    before = Hazard.objects.count()
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        make_hazard(world.inspector_a, world.unit_a, photos=10)
    assert "At most 9 photos" in caught.value.message_dict["photos"][0]
    assert Hazard.objects.count() == before
    assert HazardPhoto.objects.count() == 0
    hazard = make_hazard(world.inspector_a, world.unit_a, photos=9)
    assert hazard.photos.filter(kind="before").count() == 9


@pytest.mark.django_db
def test_a_tenth_photo_is_refused_when_adding(world):
    hazard = make_hazard(world.inspector_a, world.unit_a, photos=8)
    added = hazard_add_photos(actor=world.inspector_a, hazard_id=hazard.pk, photos=[photo()])
    assert len(added) == 1
    before = footprint(hazard)
    with pytest.raises(ValidationError), translation.override("en"):
        hazard_add_photos(actor=world.inspector_a, hazard_id=hazard.pk, photos=[photo()])
    assert footprint(hazard) == before
    assert hazard.photos.filter(kind="before").count() == 9


@pytest.mark.django_db
def test_photos_added_keep_their_original_and_hash(world):
    hazard = make_hazard(world.inspector_a, world.unit_a, photos=0)
    data = jpeg_bytes(size=(2000, 1000), gps=(30.05, 119.95))
    (saved,) = hazard_add_photos(
        actor=world.inspector_a, hazard_id=hazard.pk, photos=[upload(data, name="现场.jpg")]
    )
    saved.refresh_from_db()
    assert saved.original.read() == data
    assert saved.sha256 == hashlib.sha256(data).hexdigest()
    assert (saved.width, saved.height) == (1600, 800)
    assert saved.latitude is not None
    assert hazard.events.filter(type="hazard.photos_added").count() == 1
