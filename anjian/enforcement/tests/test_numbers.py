"""Document numbers: per town, type and year, in the town's format, never given twice."""

import threading

import pytest
from django.db import connection, transaction

from anjian.core.exceptions import ActionNotPermitted
from anjian.enforcement.models import DocumentType, IssuedDocument, NumberingRule
from anjian.enforcement.services import document_issue

ORDER = DocumentType.RECTIFICATION_ORDER


@pytest.mark.django_db
def test_numbers_run_per_type_and_year_in_the_towns_format(world):
    first = document_issue(actor=world.inspector_a, town=world.town_a, doc_type=ORDER, year=2026)
    second = document_issue(actor=world.inspector_a, town=world.town_a, doc_type=ORDER, year=2026)
    record = document_issue(
        actor=world.inspector_a, town=world.town_a, doc_type=DocumentType.SITE_RECORD, year=2026
    )
    next_year = document_issue(
        actor=world.inspector_a, town=world.town_a, doc_type=ORDER, year=2027
    )
    assert (first.number, second.number, record.number, next_year.number) == (1, 2, 1, 1)
    assert first.label == "场口安监责改〔2026〕1号"
    assert record.label == "场口安监检记〔2026〕1号"
    other_town = document_issue(
        actor=world.town_office_b, town=world.town_b, doc_type=ORDER, year=2026
    )
    assert other_town.number == 1
    assert other_town.label.startswith("常安安监责改")


@pytest.mark.django_db
def test_a_town_sets_its_own_format(world):
    NumberingRule.objects.create(
        town=world.town_a, doc_type=ORDER, pattern="富{town}应急{code}〔{year}〕{number}号"
    )
    document = document_issue(
        actor=world.town_office_a, town=world.town_a, doc_type=ORDER, year=2026
    )
    assert document.label == "富场口应急责改〔2026〕1号"


@pytest.mark.django_db
def test_an_issue_rolled_back_gives_its_number_back(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        document_issue(actor=world.inspector_a, town=world.town_a, doc_type=ORDER, year=2026)
        raise RuntimeError("the Word file could not be written")
    again = document_issue(actor=world.inspector_a, town=world.town_a, doc_type=ORDER, year=2026)
    assert again.number == 1


@pytest.mark.django_db
def test_only_the_towns_officers_issue_its_documents(world):
    for user in (world.enterprise_a, world.leader_a, world.town_office_b):
        with pytest.raises(ActionNotPermitted):
            document_issue(actor=user, town=world.town_a, doc_type=ORDER, year=2026)
    assert not IssuedDocument.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_fifty_documents_issued_at_once_get_fifty_consecutive_numbers(world):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite serialises writers)")
    count = 50
    barrier = threading.Barrier(count)
    numbers, errors = [], []
    lock = threading.Lock()

    def issue():
        try:
            barrier.wait(timeout=30)
            document = document_issue(
                actor=world.inspector_a, town=world.town_a, doc_type=ORDER, year=2026
            )
            with lock:
                numbers.append(document.number)
        except Exception as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, count + 1))
    labels = set(IssuedDocument.objects.values_list("label", flat=True))
    assert len(labels) == count
