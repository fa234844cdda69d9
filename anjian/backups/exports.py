"""An export of everything in open formats, for leaving the system or for the district.

A backup archive needs anjian (or at least SQLite/PostgreSQL) to be read; this export needs
nothing: every model's rows as JSON (Django's serializer, UTF-8 Chinese as it is) and as CSV (one
file per table, text through ``csv_text`` so that no cell becomes a formula in a spreadsheet), the
files under the media root as they are, and a ``manifest.json`` with counts and SHA-256 hashes.

Secrets are left out: password hashes, two-factor keys, API token hashes, sessions and log-in
throttling records are of no use to whoever reads the export and would only put accounts at risk.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from anjian.core.safe_text import csv_text

# Models whose rows are secrets or machinery, not records.
EXCLUDED_MODELS = {
    "sessions.session",
    "otp_totp.totpdevice",
    "accounts.apitoken",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "django_tasks_db.dbtaskresult",
    "admin.logentry",
}
EXCLUDED_FIELDS = {"password"}
README = """anjian 数据导出 / anjian data export
=====================================

json/<app>.<model>.json  每个数据表的全部记录（Django 序列化格式，UTF-8）
csv/<app>.<model>.csv    同样的记录，每表一个 CSV 文件（UTF-8 带 BOM，可用 Excel 打开）
media/                   上传的文件（照片、扫描件、签名、Word 文书），路径与记录中的一致
manifest.json            导出时间、版本、每表记录数、每个文件的 SHA-256

不含：密码哈希、两步验证密钥、API 令牌、会话与登录限制记录。
Left out: password hashes, two-factor keys, API tokens, sessions, log-in throttling records.
"""


def _models():
    for model in apps.get_models():
        if model._meta.label_lower in EXCLUDED_MODELS or model._meta.proxy:
            continue
        yield model


def _cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return csv_text(json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder))
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    return csv_text(str(value))


def export_all(directory: Path | str, *, media_root: Path | str | None = None) -> dict[str, Any]:
    """Write the export into ``directory`` (created; must be empty). Returns the manifest."""
    directory = Path(directory)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        from django.utils.translation import gettext as _

        from anjian.backups.archive import BackupError

        raise BackupError(
            _("The export folder %(path)s is not empty.") % {"path": directory}, code="not_empty"
        )
    (directory / "json").mkdir()
    (directory / "csv").mkdir()
    counts: dict[str, int] = {}
    for model in _models():
        label = model._meta.label_lower
        fields = [f for f in model._meta.concrete_fields if f.name not in EXCLUDED_FIELDS]
        names = [f.name for f in fields if not f.primary_key]
        qs = model._default_manager.order_by("pk")
        with (directory / "json" / f"{label}.json").open("w", encoding="utf-8") as fh:
            serializers.serialize(
                "json", qs.iterator(chunk_size=2000), stream=fh, ensure_ascii=False, fields=names
            )
        count = 0
        with (directory / "csv" / f"{label}.csv").open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([f.attname for f in fields])
            for row in qs.values_list(*[f.attname for f in fields]).iterator(chunk_size=2000):
                writer.writerow([_cell(v) for v in row])
                count += 1
        counts[label] = count
    files: dict[str, str] = {}
    if media_root.is_dir():
        for path in sorted(media_root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                rel = path.relative_to(media_root).as_posix()
                target = directory / "media" / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                files[rel] = hashlib.sha256(target.read_bytes()).hexdigest()
    from anjian.backups.archive import anjian_version

    manifest = {
        "format": "anjian-export",
        "format_version": 1,
        "anjian_version": anjian_version(),
        "exported_at": timezone.now().isoformat(),
        "counts": counts,
        "files": files,
        "left_out": sorted(EXCLUDED_MODELS) + [f"*.{f}" for f in sorted(EXCLUDED_FIELDS)],
    }
    (directory / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
    )
    (directory / "README.txt").write_text(README, encoding="utf-8")
    return manifest
