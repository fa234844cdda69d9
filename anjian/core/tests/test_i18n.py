"""Simplified Chinese by default, English on request; every catalog complete and compiled."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
CATALOGS = sorted(
    [*ROOT.glob("locale/*/LC_MESSAGES/*.po"), *ROOT.glob("anjian/*/locale/*/LC_MESSAGES/*.po")]
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}")


def _switch_to_english(client, next_url: str):
    return client.post(reverse("set_language"), {"language": "en", "next": next_url})


# --- The pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_page_is_in_chinese_by_default(client, world):
    client.force_login(world.town_office_a)
    response = client.get(reverse("core:home"))
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "首页" in html
    assert "退出登录" in html


@pytest.mark.django_db
def test_home_page_is_in_english_after_switching_language(client, world):
    client.force_login(world.town_office_a)
    response = _switch_to_english(client, reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    html = client.get(reverse("core:home")).content.decode()
    assert '<html lang="en">' in html
    assert "Home" in html
    assert "Log out" in html
    assert "首页" not in html
    assert "待我复查" not in html
    assert "Awaiting my re-check" in html


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_the_user_switches(client, world):
    client.force_login(world.town_office_a)
    english_browser = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    assert "首页" in client.get(reverse("core:home"), **english_browser).content.decode()
    _switch_to_english(client, reverse("core:home"))
    assert "首页" not in client.get(reverse("core:home"), **english_browser).content.decode()


@pytest.mark.django_db
def test_switching_back_to_chinese_works(client, world):
    client.force_login(world.town_office_a)
    _switch_to_english(client, reverse("core:home"))
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("core:home")})
    assert "首页" in client.get(reverse("core:home")).content.decode()


@pytest.mark.django_db
def test_login_page_is_in_chinese_by_default(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "登录" in html
    assert 'lang="zh-hans"' in html


@pytest.mark.django_db
def test_login_page_is_in_english_after_switching_language(client):
    _switch_to_english(client, reverse("accounts:login"))
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'lang="en"' in html
    assert "登录" not in html
    assert "Log in" in html


@pytest.mark.django_db
def test_language_switch_is_offered_on_every_page(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'data-testid="language-form"' in html
    assert "简体中文" in html
    assert "English" in html


# --- The catalogs -------------------------------------------------------------------------------


def test_the_project_catalog_exists():
    assert ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po" in CATALOGS


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalog_is_complete(po_path: Path):
    po = polib.pofile(str(po_path))
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy: msgfmt would drop it"
    assert po.metadata.get("Plural-Forms"), "the header has no Plural-Forms"
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {po_path.relative_to(ROOT)}: {untranslated}"
    assert not fuzzy, f"fuzzy in {po_path.relative_to(ROOT)}: {fuzzy}"


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_translations_keep_their_placeholders(po_path: Path):
    """A translation that drops or renames %(name)s breaks the page that shows it."""
    po = polib.pofile(str(po_path))
    wrong = []
    for entry in po.translated_entries():
        wanted = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        if "python-format" not in entry.flags and "python-brace-format" not in entry.flags:
            continue
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        wrong += [entry.msgid for t in translations if set(PLACEHOLDER.findall(t)) != wanted]
    assert not wrong, f"placeholders differ in {po_path.relative_to(ROOT)}: {wrong}"


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalog_is_up_to_date(po_path: Path):
    """The committed .mo holds exactly what the .po says (run compilemessages after editing)."""
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(ROOT)} is missing: run compilemessages"
    po = polib.pofile(str(po_path))
    expected = gettext.GNUTranslations(io.BytesIO(po.to_binary()))
    with mo_path.open("rb") as fp:
        committed = gettext.GNUTranslations(fp)
    expected_catalog = {k: v for k, v in expected._catalog.items() if k != ""}
    committed_catalog = {k: v for k, v in committed._catalog.items() if k != ""}
    stale = sorted(str(k) for k in expected_catalog.keys() ^ committed_catalog.keys()) + sorted(
        str(k)
        for k in expected_catalog.keys() & committed_catalog.keys()
        if expected_catalog[k] != committed_catalog[k]
    )
    assert not stale, f"{mo_path.relative_to(ROOT)} is stale: run compilemessages ({stale[:5]})"
    assert committed._charset == "UTF-8" or str(committed._charset).lower() == "utf-8"
    assert committed.plural(5) == expected.plural(5)
