"""The environment readers refuse what they do not understand instead of guessing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list, env_secret, env_str


def test_env_bool_accepts_only_true_and_false(monkeypatch):
    monkeypatch.setenv("ANJIAN_X", "TRUE")
    assert env_bool("ANJIAN_X") is True
    monkeypatch.setenv("ANJIAN_X", "false")
    assert env_bool("ANJIAN_X", True) is False
    monkeypatch.setenv("ANJIAN_X", "yes")
    with pytest.raises(ImproperlyConfigured, match="ANJIAN_X"):
        env_bool("ANJIAN_X")


def test_env_bool_default_when_unset_or_blank(monkeypatch):
    monkeypatch.delenv("ANJIAN_X", raising=False)
    assert env_bool("ANJIAN_X", True) is True
    monkeypatch.setenv("ANJIAN_X", " ")
    assert env_bool("ANJIAN_X", False) is False


def test_env_int_rejects_words(monkeypatch):
    monkeypatch.setenv("ANJIAN_N", " 42 ")
    assert env_int("ANJIAN_N", 1) == 42
    monkeypatch.setenv("ANJIAN_N", "forty")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("ANJIAN_N", 1)


def test_env_list_drops_blanks(monkeypatch):
    monkeypatch.setenv("ANJIAN_L", "a.gov.cn, ,b.gov.cn,")
    assert env_list("ANJIAN_L") == ["a.gov.cn", "b.gov.cn"]
    monkeypatch.delenv("ANJIAN_L")
    assert env_list("ANJIAN_L", ["x"]) == ["x"]


def test_env_choice_names_the_allowed_values(monkeypatch):
    monkeypatch.setenv("ANJIAN_C", "ftp")
    with pytest.raises(ImproperlyConfigured, match="filesystem, s3"):
        env_choice("ANJIAN_C", ("filesystem", "s3"), "filesystem")


def test_env_secret_reads_the_file_first(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("from-file\n", encoding="utf-8")
    monkeypatch.setenv("ANJIAN_S", "from-env")
    monkeypatch.setenv("ANJIAN_S_FILE", str(secret))
    assert env_secret("ANJIAN_S") == "from-file"
    monkeypatch.delenv("ANJIAN_S_FILE")
    assert env_secret("ANJIAN_S") == "from-env"
    monkeypatch.setenv("ANJIAN_S_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="unreadable"):
        env_secret("ANJIAN_S")


def test_env_str_default(monkeypatch):
    monkeypatch.delenv("ANJIAN_T", raising=False)
    assert env_str("ANJIAN_T", "d") == "d"
