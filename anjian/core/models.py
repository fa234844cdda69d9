"""Base models shared by every app, and core's own tables: the working-day calendar the office
enters, the scheduler's record of enqueued slots, and the jobs a user can follow."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.scoping import ScopedQuerySet


class TimeStampedModel(models.Model):
    """Adds creation and modification times."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


# --- The working-day calendar (anjian.core.calendar) ----------------------------------------------


class CalendarYear(models.Model):
    """A year whose public holidays and make-up working days the office has entered itself.

    When a row exists for a year, its ``CalendarDay`` rows are the whole truth for that year: the
    published data (the chinese_calendar package) is not consulted. ``revision`` changes on every
    save so that cached copies of the year are never mistaken for the current one.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"))
    revision = models.UUIDField(_("revision"), default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday (day off)")
    WORKDAY = "workday", _("Make-up working day")


class CalendarDay(models.Model):
    """One day of an entered year that differs from the plain week: a holiday (also a holiday
    on a weekend, to show the whole period) or a make-up working day on a weekend (调休上班)."""

    calendar_year = models.ForeignKey(
        CalendarYear, verbose_name=_("year"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CalendarDayKind.values), name="calendar_day_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


# --- The scheduler (anjian.core.scheduler) ---------------------------------------------------


class ScheduledRun(models.Model):
    """One slot of one periodic job that a scheduler has enqueued. The unique constraint is what
    makes the scheduler idempotent across restarts and across two schedulers running at once."""

    job_name = models.CharField(_("job"), max_length=80)
    slot = models.DateTimeField(_("slot"))
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)
    task_result_id = models.CharField(_("task result id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-slot"]
        constraints = [
            models.UniqueConstraint(fields=["job_name", "slot"], name="scheduled_run_unique_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.job_name} @ {self.slot:%Y-%m-%d %H:%M}"


# --- Jobs a user can follow (anjian.core.jobs) ----------------------------------------------------


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class JobQuerySet(ScopedQuerySet):
    """A job is seen by the officials whose region covers it and, always, by its owner."""

    scope_path = "region__path"
    scope_user = "owner_id"
    view_action = "jobs.view"

    def unfinished(self) -> JobQuerySet:
        return self.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])


def job_result_path(job: Job, filename: str) -> str:
    return f"jobs/{job.created_at:%Y/%m}/{job.pk or 'new'}/{filename}"


class Job(TimeStampedModel):
    """A long piece of work a user started (an import, an export, a report): its progress, its
    log and its result file, so that the user can follow it and find the result later."""

    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    label = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=JobStatus.choices,
        default=JobStatus.QUEUED,
        editable=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, editable=False)
    log = models.JSONField(_("log"), default=list, blank=True, editable=False)
    result = models.FileField(
        _("result file"), upload_to=job_result_path, null=True, blank=True, max_length=300
    )
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="job_status_valid"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return self.label or self.kind

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED}


# --- Imports of spreadsheets (anjian.core.imports) ------------------------------------------------


class ImportState(models.TextChoices):
    CHECKING = "checking", _("Checking the file")
    CHECKED = "checked", _("Checked: waiting for confirmation")
    APPLYING = "applying", _("Importing")
    APPLIED = "applied", _("Imported")
    FAILED = "failed", _("Failed")


class ImportRunQuerySet(ScopedQuerySet):
    """An import is seen by those who may import in its region (a town, or a district); each
    import reads only its own kind (``anjian.core.import_runs.ImportFlow.runs_for``)."""

    scope_path = "region__path"


def import_source_path(run: ImportRun, filename: str) -> str:
    return f"imports/{timezone.now():%Y/%m}/{run.pk}/{filename}"


class ImportRun(models.Model):
    """One uploaded file: its dry run (what would be created, updated, rejected), then its
    application (``anjian.core.import_runs``; ``kind`` names the import). Shares its primary key
    with the job that follows the work, so that the import page and the job page name the same
    number."""

    job = models.OneToOneField(
        Job,
        verbose_name=_("job"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="import_run",
    )
    kind = models.CharField(_("kind"), max_length=40)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.FileField(_("uploaded file"), upload_to=import_source_path, max_length=300)
    source_name = models.CharField(_("file name"), max_length=200)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ImportState.choices,
        default=ImportState.CHECKING,
        editable=False,
    )
    # {"rows", "create", "update", "unchanged", "reject", "skipped"} of the last pass over the file.
    summary = models.JSONField(_("summary"), default=dict, blank=True, editable=False)
    # The first rejections [{"row", "column", "message"}] and the first planned changes.
    rejects = models.JSONField(_("rejections"), default=list, blank=True, editable=False)
    preview = models.JSONField(_("preview"), default=list, blank=True, editable=False)
    # What the import was asked beyond the file, read by its flow (for the import of assigned ids:
    # {"system", "replace", "batch"}); {} for an import that takes no options.
    options = models.JSONField(_("options"), default=dict, blank=True, editable=False)
    # How the dry run read the file (``ImportResult.report``): the sheet, the values for the whole
    # file, unknown headers, rows carried from merged cells, rows kept with a warning.
    report = models.JSONField(_("reading report"), default=dict, blank=True, editable=False)
    error_file = models.FileField(
        _("error sheet"), upload_to=import_source_path, blank=True, max_length=300
    )
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    # The job that writes the rows once the user confirms (the dry run is ``job``).
    apply_job = models.OneToOneField(
        Job,
        verbose_name=_("import job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-job"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ImportState.values), name="import_run_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.source_name

    @property
    def current_job(self) -> Job:
        """The job of the latest step: the confirmed import's once confirmed, else the dry run's."""
        return self.apply_job or self.job


class ImportHeaderMapping(models.Model):
    """A town's own name for a column of an import (“企业名” → the unit's name), or a column the
    town ignores (``field`` empty): remembered for its next import of the same kind."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=40)
    header = models.CharField(_("header"), max_length=200)  # normalised (normalize_header)
    field = models.CharField(_("field"), max_length=60, blank=True)  # "" = ignore the column
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("import header mapping")
        verbose_name_plural = _("import header mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "header"], name="import_header_mapping_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.header} → {self.field or '-'}"
