# Large report exports move onto people's BackgroundJob (issue 14): each ExportJob row becomes a BackgroundJob of
# kind "report_export" about its programme (none for the cross-programme report), keyed by the requester, the
# format and the filters (so the one-unfinished-export rule holds on the new table), its built file kept where
# it is in the default storage; then ExportJob goes.

from urllib.parse import urlencode

from django.db import migrations

FAILED = "The export failed. Try again; if it fails again, tell an administrator."  # what the old page said


def export_key(actor_id, fmt, filters):
    # As evaluation.services.exports.export_key at the time of this migration (a migration keeps its own copy).
    return f"{actor_id}:{fmt}:{urlencode(sorted(filters.items()))}"


def exports_to_jobs(apps, schema_editor):
    ExportJob = apps.get_model("evaluation", "ExportJob")
    BackgroundJob = apps.get_model("people", "BackgroundJob")
    ContentType = apps.get_model("contenttypes", "ContentType")
    programme_type = None
    for old in ExportJob.objects.order_by("pk").iterator():
        if old.programme_id is not None and programme_type is None:
            programme_type, _created = ContentType.objects.get_or_create(app_label="programmes", model="programme")
        filters = old.filters or {}
        BackgroundJob.objects.create(
            kind="report_export",
            task="evaluation.tasks.build_export",
            requested_by_id=old.requested_by_id,
            target_type=programme_type if old.programme_id is not None else None,
            target_id=old.programme_id,
            key=export_key(old.requested_by_id, old.format, filters),
            state=old.state,
            stage="building" if old.state == "running" else "",
            done=min(old.rows_done, old.rows_total),
            total=old.rows_total,
            message=FAILED if old.state == "failed" else "",
            params={"format": old.format, "filters": filters, "rows": old.rows_total},
            result={"rows": old.rows_total} if old.state == "done" else {},
            file=old.file.name if old.file else "",
            file_name=old.filename,
            created_at=old.created_at,
            started_at=old.started_at,
            updated_at=old.finished_at or old.started_at or old.created_at,
            finished_at=old.finished_at,
        )


def jobs_to_exports(apps, schema_editor):
    """Back again (a rolled-back deploy): exports of a person who still has an account return to ExportJob."""
    ExportJob = apps.get_model("evaluation", "ExportJob")
    BackgroundJob = apps.get_model("people", "BackgroundJob")
    jobs = BackgroundJob.objects.filter(kind="report_export")
    for job in jobs.exclude(requested_by=None).order_by("pk").iterator():
        ExportJob.objects.create(
            requested_by_id=job.requested_by_id,
            programme_id=job.target_id,
            format=job.params.get("format", "csv"),
            filters=job.params.get("filters", {}),
            state=job.state,
            rows_total=job.total,
            rows_done=job.done,
            file=job.file.name if job.file else "",
            filename=job.file_name,
            error=job.message if job.state == "failed" else "",
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )
    jobs.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('evaluation', '0005_one_unfinished_export'),
        ('people', '0008_jobs_take_imports'),
    ]

    operations = [
        migrations.RunPython(exports_to_jobs, jobs_to_exports),
        migrations.DeleteModel(
            name='ExportJob',
        ),
    ]
