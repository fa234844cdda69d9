"""Jobs a user can follow: the helpers tasks use, and who sees which job (pages and API)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.audit.models import AuditEntry
from anjian.core.jobs import job_fail, job_finish, job_progress, job_start
from anjian.core.models import Job, JobStatus


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages are asserted in English (the source language), chosen by cookie as a user would."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def jobs(world):
    """A job of town A started by its office, one of town B, and one an enterprise started."""
    return {
        "a": job_start(
            kind="units.export", owner=world.town_office_a, region=world.town_a, label="导出企业"
        ),
        "b": job_start(
            kind="units.export", owner=world.town_office_b, region=world.town_b, label="常安导出"
        ),
        "ent": job_start(
            kind="units.export",
            owner=world.enterprise_a,
            region=world.village_a1,
            label="本企业导出",
        ),
    }


def test_a_job_moves_from_queued_to_running_to_succeeded_with_its_log_and_file(world):
    job = job_start(
        kind="units.import", owner=world.town_office_a, region=world.town_a, label="导入"
    )
    assert job.status == JobStatus.QUEUED
    assert AuditEntry.objects.filter(action="job.created", actor=world.town_office_a).exists()
    job = job_progress(job.pk, 10, "读取文件")
    assert job.status == JobStatus.RUNNING and job.started_at is not None
    job = job_progress(job.pk, 150, "第 500 行")
    assert job.progress == 100
    job = job_finish(job.pk, result_name="result.xlsx", result_content=b"data", line="完成")
    assert job.status == JobStatus.SUCCEEDED and job.finished_at is not None
    assert job.result.read() == b"data"
    assert [row["line"] for row in job.log] == ["读取文件", "第 500 行", "完成"]
    # Finishing twice, failing or reporting progress afterwards changes nothing (idempotent).
    assert job_finish(job.pk).finished_at == job.finished_at
    assert job_fail(job.pk, "late error").status == JobStatus.SUCCEEDED
    assert job_progress(job.pk, 5, "late").log == job.log


def test_a_failed_job_keeps_its_error(world):
    job = job_start(kind="units.import", owner=world.town_office_a, region=world.town_a)
    job = job_fail(job.pk, "第 12 行：统一社会信用代码无效")
    assert job.status == JobStatus.FAILED
    assert job.error == "第 12 行：统一社会信用代码无效"
    assert AuditEntry.objects.filter(action="job.failed", target_id=str(job.pk)).exists()


def test_the_town_office_sees_its_town_jobs_and_not_the_other_towns(client, login, jobs):
    login("town_office_a")
    page = client.get(reverse("core:job_list")).content.decode()
    assert "导出企业" in page and "本企业导出" in page
    assert "常安导出" not in page
    assert client.get(reverse("core:job_detail", args=[jobs["a"].pk])).status_code == 200
    assert client.get(reverse("core:job_detail", args=[jobs["b"].pk])).status_code == 404


def test_an_enterprise_user_sees_only_the_jobs_they_started(client, login, jobs):
    login("enterprise_a")
    page = client.get(reverse("core:job_list")).content.decode()
    assert "本企业导出" in page
    assert "导出企业" not in page
    assert client.get(reverse("core:job_detail", args=[jobs["ent"].pk])).status_code == 200
    assert client.get(reverse("core:job_detail", args=[jobs["a"].pk])).status_code == 404
    login("enterprise_a2")
    assert client.get(reverse("core:job_detail", args=[jobs["ent"].pk])).status_code == 404


def test_the_district_sees_the_jobs_of_every_town(client, login, jobs):
    login("district_officer")
    page = client.get(reverse("core:job_list")).content.decode()
    assert "导出企业" in page and "常安导出" in page


def test_a_running_job_page_refreshes_itself_and_stops_when_finished(client, login, jobs):
    login("town_office_a")
    job = jobs["a"]
    job_progress(job.pk, 40, "第 400 行")
    url = reverse("core:job_detail", args=[job.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert '<progress class="flex-grow-1" max="100" value="40"' in page
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.strip().startswith('<div id="job-progress"')
    assert "第 400 行" in fragment
    job_finish(job.pk, result_name="units.xlsx", result_content=b"xlsx")
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done
    assert reverse("core:job_result", args=[job.pk]) in done


def test_the_result_file_is_downloaded_only_within_scope_and_the_download_is_audited(
    client, login, jobs
):
    job_finish(jobs["a"].pk, result_name="units.xlsx", result_content=b"xlsx-bytes")
    job_finish(jobs["b"].pk, result_name="units.xlsx", result_content=b"other")
    user = login("town_office_a")
    response = client.get(reverse("core:job_result", args=[jobs["a"].pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"xlsx-bytes"
    assert AuditEntry.objects.filter(action="export.downloaded", actor=user).exists()
    assert client.get(reverse("core:job_result", args=[jobs["b"].pk])).status_code == 404
    assert client.get(reverse("core:job_result", args=[jobs["ent"].pk])).status_code == 404


def test_the_job_list_filters_by_status_and_exports_to_excel(client, login, jobs):
    job_fail(jobs["a"].pk, "boom")
    login("town_office_a")
    page = client.get(reverse("core:job_list"), {"status": "failed"}).content.decode()
    assert "导出企业" in page and "本企业导出" not in page
    export = client.get(reverse("core:job_list"), {"export": "xlsx"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_anonymous_visitors_are_sent_to_log_in(client, jobs):
    assert client.get(reverse("core:job_list")).status_code == 302
    assert client.get(reverse("core:job_detail", args=[jobs["a"].pk])).status_code == 302


# --- API ------------------------------------------------------------------------------------------


def test_api_lists_the_jobs_in_scope(client, login, jobs):
    login("town_office_a")
    body = client.get("/api/v1/core/jobs").json()
    labels = {item["label"] for item in body["items"]}
    assert labels == {"导出企业", "本企业导出"}
    assert body["count"] == 2
    failed = client.get("/api/v1/core/jobs", {"status": "failed"}).json()
    assert failed["items"] == []


def test_api_gives_one_job_or_404_outside_the_scope(client, login, jobs):
    job_progress(jobs["a"].pk, 30, "进行中")
    login("town_office_a")
    response = client.get(f"/api/v1/core/jobs/{jobs['a'].pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "running" and body["progress"] == 30
    assert body["log"][0]["line"] == "进行中"
    assert body["result_url"] is None
    other = client.get(f"/api/v1/core/jobs/{jobs['b'].pk}")
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"


def test_api_shows_an_enterprise_user_their_own_jobs_only(client, login, jobs):
    login("enterprise_a")
    body = client.get("/api/v1/core/jobs").json()
    assert [item["id"] for item in body["items"]] == [jobs["ent"].pk]
    assert client.get(f"/api/v1/core/jobs/{jobs['a'].pk}").status_code == 404


def test_api_refuses_anonymous_callers(client, jobs):
    assert client.get("/api/v1/core/jobs").status_code == 401
    assert client.get(f"/api/v1/core/jobs/{jobs['a'].pk}").status_code == 401


def test_the_job_list_query_count_does_not_grow_with_the_jobs(
    client, login, world, django_assert_max_num_queries
):
    for i in range(10):
        job_start(kind="x", owner=world.town_office_a, region=world.town_a, label=f"job {i}")
    login("town_office_a")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("core:job_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/core/jobs").status_code == 200
    assert Job.objects.count() == 10


def test_log_lines_carry_the_local_time_shown_on_the_page(db):
    import time_machine

    from anjian.core.jobs import job_progress, job_start
    from anjian.core.models import Job

    with time_machine.travel("2026-11-29 02:25:00+00:00", tick=False):
        job = job_start(kind="test.local_time", label="本地时间")
        job_progress(job.pk, 10, "第一步")
    line = Job.objects.get(pk=job.pk).log[-1]
    assert line["at"][11:19] == "10:25:00"  # Asia/Shanghai, as on the job page
