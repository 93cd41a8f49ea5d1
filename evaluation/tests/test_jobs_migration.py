"""The migrations that move the HRIS import's ImportJob and the report export's ExportJob onto BackgroundJob
carry every row over: its state, progress, outcome and file (an import's file, kept in the database until
then, moves to the default storage; an export's stays where it is), with the key that keeps the same export
from being built twice while one builds. Rolled back, the rows return to the old tables."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from evaluation.reports import ReportFilters
from evaluation.services.exports import export_job_create, export_key
from people.models import BackgroundJob, User
from people.services.jobs import JobBusy, job_file_read
from programmes.models import Programme

BEFORE = [("people", "0007_background_job"), ("evaluation", "0005_one_unfinished_export")]
AFTER = [("people", "0008_jobs_take_imports"), ("evaluation", "0006_jobs_take_exports")]
CSV = b"email,full_name\nayu@nn.example,Ayu\n"
SUMMARY = dict.fromkeys(
    (
        "people_created",
        "people_updated",
        "people_unchanged",
        "units_created",
        "units_updated",
        "ratings_created",
        "ratings_updated",
    ),
    1,
)


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_rows(old: Any) -> dict[str, Any]:
    """Imports and exports as the old tables held them, and a match run already on BackgroundJob."""
    person = old.get_model("people", "User").objects.create(email="hr@example.com", full_name="HR")
    programme = old.get_model("programmes", "Programme").objects.create(name="Old programme")
    imports, exports = old.get_model("people", "ImportJob"), old.get_model("evaluation", "ExportJob")
    now = timezone.now()
    done = {"state": "done", "progress": 100, "finished_at": now}
    imports.objects.create(
        requested_by=person, file_name="p.csv", content=CSV, result={"ok": True, "summary": SUMMARY}, **done
    )
    imports.objects.create(
        requested_by=person, file_name="i.csv", dry_run=False, result={"ok": True, "summary": SUMMARY}, **done
    )
    imports.objects.create(requested_by=person, file_name="f.csv", state="failed", progress=20, finished_at=now)
    built = default_storage.save("exports/old.csv", ContentFile(b"\xef\xbb\xbfProgramme\n"))
    exports.objects.create(
        requested_by=person, programme=programme, format="csv", file=built, filename="outcomes.csv", rows_total=3,
        rows_done=3, **{k: v for k, v in done.items() if k != "progress"},
    )  # fmt: skip
    exports.objects.create(
        requested_by=person, programme=programme, format="xlsx", filters={"role": "mentee", "cycle": "7"},
        state="running", rows_total=400, rows_done=100, started_at=now,
    )  # fmt: skip
    exports.objects.create(requested_by=person, format="csv", state="queued")  # the cross-programme report
    ct = old.get_model("contenttypes", "ContentType").objects.get_or_create(app_label="programmes", model="programme")
    old.get_model("people", "BackgroundJob").objects.create(
        kind="match_run",
        task="programmes.tasks.run_match_job",
        state="queued",
        target_type=ct[0],
        target_id=programme.pk,
    )
    return {"person": person.pk, "programme": programme.pk, "built": built}


@pytest.mark.django_db(transaction=True)
def test_imports_and_exports_move_onto_background_jobs_and_back() -> None:
    made = _old_rows(_migrate(BEFORE))
    new = _migrate(AFTER)
    jobs = new.get_model("people", "BackgroundJob").objects.order_by("pk")
    rows = [(j.kind, j.state, j.done, j.total, j.file_name) for j in jobs]
    assert rows == [
        ("match_run", "queued", 0, 0, ""),  # untouched
        ("people_import", "done", 100, 100, "p.csv"),
        ("people_import", "done", 100, 100, "i.csv"),
        ("people_import", "failed", 20, 100, "f.csv"),
        ("report_export", "done", 3, 3, "outcomes.csv"),
        ("report_export", "running", 100, 400, ""),
        ("report_export", "queued", 0, 0, ""),
    ]
    preview, imported, failed, built, running, cross = list(jobs)[1:]
    assert preview.params == {"dry_run": True}
    assert imported.params == {"dry_run": False}
    assert preview.result == {"ok": True, "summary": SUMMARY}
    assert imported.message.startswith("Imported: 1 people created")
    assert "nothing was written" in failed.message
    assert built.file.name == made["built"]
    assert built.result == {"rows": 3}
    assert (built.target_id, cross.target_id, cross.target_type_id) == (made["programme"], None, None)
    assert running.params == {"format": "xlsx", "filters": {"role": "mentee", "cycle": "7"}, "rows": 400}

    # Against the code of today: the preview's file was moved to the storage, and the running export is
    # the same export the service would start (its key), so asking for it again follows it.
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    migrated = BackgroundJob.objects.get(pk=preview.pk)
    assert job_file_read(migrated) == CSV
    person, programme = User.objects.get(pk=made["person"]), Programme.objects.get(pk=made["programme"])
    filters = ReportFilters(role="mentee", cycle_id=7)
    assert running.key == export_key(actor_id=person.pk, fmt="xlsx", filters=filters.as_query())
    with pytest.raises(JobBusy) as busy:
        export_job_create(actor=person, fmt="xlsx", programme=programme, filters=filters, rows_total=1)
    assert busy.value.job is not None
    assert busy.value.job.pk == running.pk

    old = _migrate(BEFORE)
    assert sorted(old.get_model("people", "ImportJob").objects.values_list("file_name", "state")) == [
        ("f.csv", "failed"),
        ("i.csv", "done"),
        ("p.csv", "done"),
    ]
    assert bytes(old.get_model("people", "ImportJob").objects.get(file_name="p.csv").content) == CSV
    exports = old.get_model("evaluation", "ExportJob").objects.order_by("pk")
    assert [(e.format, e.state, e.rows_done, e.file.name) for e in exports] == [
        ("csv", "done", 3, made["built"]),
        ("xlsx", "running", 100, ""),
        ("csv", "queued", 0, ""),
    ]
    assert list(old.get_model("people", "BackgroundJob").objects.values_list("kind", flat=True)) == ["match_run"]
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # the rest of the schema, for the next tests
