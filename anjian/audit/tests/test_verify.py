"""``verify_audit`` and the verification page find any entry changed or removed behind the
application's back; on PostgreSQL the database itself refuses such changes."""

from __future__ import annotations

import io
import threading
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse

from anjian.audit.models import AuditEntry
from anjian.audit.services import audit_record, audit_verify_chain

needs_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


@contextmanager
def tampering():
    """Lets the test change the table directly, as an intruder with database access would."""
    # ALTER TABLE needs no pending (deferred foreign-key) trigger events in the transaction.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER ALL")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER ALL")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def run_verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def entries_in_order() -> list[AuditEntry]:
    return list(AuditEntry.objects.order_by("pk"))


def test_verify_audit_reports_ok_and_the_count_on_an_intact_chain(world):
    count = AuditEntry.objects.count()
    assert count > 10

    code, out, _err = run_verify()

    assert code == 0
    assert "OK" in out
    assert str(count) in out


def test_changing_an_entrys_reason_makes_verify_audit_fail_and_name_that_entry(world):
    victim = entries_in_order()[5]
    with tampering():
        AuditEntry.objects.filter(pk=victim.pk).update(reason="nothing happened here")

    code, _out, err = run_verify()

    assert code == 1
    assert f"#{victim.pk}" in err
    assert victim.action in err


def test_changing_an_entrys_changes_makes_verify_audit_fail_and_name_that_entry(world):
    victim = entries_in_order()[-3]
    with tampering():
        AuditEntry.objects.filter(pk=victim.pk).update(changes={"name": ["x", "y"]})

    code, _out, err = run_verify()

    assert code == 1
    assert f"#{victim.pk}" in err
    report = audit_verify_chain()
    assert (report.broken_entry_id, report.code) == (victim.pk, "content_changed")


def test_deleting_a_middle_entry_names_the_entry_that_follows_it(world):
    entries = entries_in_order()
    removed, follower = entries[4], entries[5]
    with tampering():
        AuditEntry.objects.filter(pk=removed.pk).delete()

    code, _out, err = run_verify()

    assert code == 1
    assert f"#{follower.pk}" in err
    report = audit_verify_chain()
    assert (report.broken_entry_id, report.code) == (follower.pk, "link_broken")


def test_deleting_the_last_entry_is_detected_through_the_chain_head(world):
    last = entries_in_order()[-1]
    with tampering():
        AuditEntry.objects.filter(pk=last.pk).delete()

    code, _out, err = run_verify()

    assert code == 1
    assert f"#{last.pk}" in err
    report = audit_verify_chain()
    assert (report.broken_entry_id, report.code) == (last.pk, "tail_removed")


def test_the_verify_page_shows_ok_then_the_first_broken_entry(client, login, world):
    login("town_office_a")
    url = reverse("audit:verify")
    assert client.get(url).status_code == 200

    response = client.post(url)
    assert 'data-testid="verify-ok"' in response.text

    victim = (
        AuditEntry.objects.filter(region__path__startswith=world.town_a.path).order_by("pk").first()
    )
    with tampering():
        AuditEntry.objects.filter(pk=victim.pk).update(reason="changed")
    response = client.post(url)
    assert 'data-testid="verify-broken"' in response.text
    assert f"#{victim.pk}" in response.text
    assert reverse("audit:entry_detail", args=[victim.pk]) in response.text


def test_the_verify_page_does_not_describe_a_broken_entry_of_another_town(client, login, world):
    login("town_office_a")
    victim = (
        AuditEntry.objects.filter(region__path__startswith=world.town_b.path).order_by("pk").first()
    )
    with tampering():
        AuditEntry.objects.filter(pk=victim.pk).update(reason="changed")

    response = client.post(reverse("audit:verify"))

    assert 'data-testid="verify-broken"' in response.text
    assert reverse("audit:entry_detail", args=[victim.pk]) not in response.text


def test_the_verify_page_is_refused_to_an_enterprise(client, login, world):
    login("enterprise_a")
    assert client.post(reverse("audit:verify")).status_code == 403


def test_the_verify_api_reports_the_broken_entry(client, login, world):
    login("district_officer")
    assert client.post("/api/v1/audit/verify").json()["ok"] is True
    victim = entries_in_order()[3]
    with tampering():
        AuditEntry.objects.filter(pk=victim.pk).update(reason="changed")

    body = client.post("/api/v1/audit/verify").json()

    assert body["ok"] is False
    assert body["broken_entry_id"] == victim.pk
    assert body["problem_code"] == "content_changed"


@pytest.mark.postgres
@needs_postgresql
@pytest.mark.parametrize("statement", ["update", "delete"])
@pytest.mark.usefixtures("world")
def test_postgresql_refuses_to_update_or_delete_audit_entries(statement):
    entry = AuditEntry.objects.order_by("pk").first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        if statement == "update":
            AuditEntry.objects.filter(pk=entry.pk).update(reason="changed")
        else:
            AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == entry.reason


@pytest.mark.postgres
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_from_separate_connections_do_not_fork_the_chain():
    threads, per_thread = 6, 15
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit_record(actor=None, action="test.concurrent", target_repr=f"{n}-{i}")
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    report = audit_verify_chain()
    assert report.ok, report
    assert report.checked == threads * per_thread
    hashes = list(AuditEntry.objects.values_list("prev_hash", flat=True))
    assert len(hashes) == len(set(hashes)), "two entries share a predecessor: the chain forked"


@pytest.mark.django_db
def test_a_nul_character_a_visitor_sent_is_kept_as_a_replacement_and_the_chain_verifies():
    """PostgreSQL refuses NUL in text and JSON: an export's filters with one (a fuzzed query
    string) answered 500 before."""
    entry = audit_record(
        actor=None,
        action="export.downloaded",
        target_repr="图表\x00.xlsx",
        changes={"filters": {"a\x00": "b\x00c"}},
        reason="原因\x00",
    )
    entry.refresh_from_db()
    assert entry.changes == {"filters": {"a\ufffd": "b\ufffdc"}}
    assert entry.target_repr == "图表\ufffd.xlsx" and entry.reason == "原因\ufffd"
    assert audit_verify_chain().ok
