# The HRIS import's own ImportJob moves onto BackgroundJob (issue 14): the jobs gain what imports and exports
# need (a file in the default storage, the name a person knows it by, and a key that says which starts are
# "the same job"), each ImportJob row becomes a BackgroundJob of kind "people_import" (its file, kept in the
# database until now, goes to the default storage), and ImportJob goes.

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models

FAILED = "The import failed and nothing was written. Try again; if it fails again, tell an administrator."
IMPORTED = (  # what the old page showed for a finished import, in the words of the job's message
    "Imported: {people_created} people created, {people_updated} updated, {people_unchanged} unchanged; "
    "{units_created} org units created, {units_updated} updated; "
    "{ratings_created} ratings recorded, {ratings_updated} updated."
)
_SUMMARY = (
    "people_created", "people_updated", "people_unchanged", "units_created", "units_updated",
    "ratings_created", "ratings_updated",
)


def imports_to_jobs(apps, schema_editor):
    ImportJob = apps.get_model("people", "ImportJob")
    BackgroundJob = apps.get_model("people", "BackgroundJob")
    for old in ImportJob.objects.order_by("pk").iterator(chunk_size=20):  # a file may be 20 MB
        result = old.result or {}
        message = ""
        if old.state == "failed":
            message = FAILED
        elif old.state == "done" and result.get("ok") and not old.dry_run:
            message = IMPORTED.format(**{**dict.fromkeys(_SUMMARY, 0), **result.get("summary", {})})
        job = BackgroundJob(
            kind="people_import",
            task="people.tasks.run_import_job",
            requested_by_id=old.requested_by_id,
            state=old.state,
            stage="checking" if old.state == "running" else "",
            done=min(old.progress, 100),
            total=100,
            message=message,
            params={"dry_run": old.dry_run},
            result=result,
            file_name=old.file_name,
            created_at=old.created_at,
            started_at=None if old.state == "queued" else old.created_at,
            updated_at=old.finished_at or old.created_at,
            finished_at=old.finished_at,
        )
        if old.content is not None:
            job.file = default_storage.save(f"jobs/{secrets.token_hex(16)}.csv", ContentFile(bytes(old.content)))
        job.save(force_insert=True)



def jobs_to_imports(apps, schema_editor):
    """Back again (a rolled-back deploy): imports of a person who still has an account return to ImportJob."""
    ImportJob = apps.get_model("people", "ImportJob")
    BackgroundJob = apps.get_model("people", "BackgroundJob")
    for job in BackgroundJob.objects.filter(kind="people_import").order_by("pk").iterator(chunk_size=20):
        content = None
        if job.file:
            with default_storage.open(job.file.name, "rb") as stored:
                content = stored.read()
            default_storage.delete(job.file.name)
        if job.requested_by_id is not None:
            ImportJob.objects.create(
                requested_by_id=job.requested_by_id,
                file_name=job.file_name,
                content=content,
                dry_run=bool(job.params.get("dry_run")),
                state=job.state,
                progress=100 * job.done // job.total if job.total else 0,
                result=job.result,
                created_at=job.created_at,
                finished_at=job.finished_at,
            )
    BackgroundJob.objects.filter(kind="people_import").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('people', '0007_background_job'),
    ]

    operations = [
        migrations.AddField(
            model_name='backgroundjob',
            name='file',
            field=models.FileField(blank=True, max_length=200, upload_to='jobs/'),
        ),
        migrations.AddField(
            model_name='backgroundjob',
            name='file_name',
            field=models.CharField(blank=True, max_length=255, verbose_name='file'),
        ),
        migrations.AddField(
            model_name='backgroundjob',
            name='key',
            field=models.CharField(blank=True, default='', editable=False, max_length=200),
        ),
        migrations.AlterField(
            model_name='backgroundjob',
            name='kind',
            field=models.CharField(choices=[('match_run', 'Match run'), ('invitations', 'Invitations'), ('people_import', 'People import'), ('report_export', 'Report export')], max_length=30, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='backgroundjob',
            name='stage',
            field=models.CharField(blank=True, choices=[('loading', 'Loading the pool'), ('scoring', 'Scoring every pair'), ('solving', 'Finding the best matches'), ('explaining', 'Explaining each match'), ('saving', 'Saving the proposals'), ('sending', 'Sending the invitations'), ('checking', 'Checking the file'), ('writing', 'Writing the directory'), ('building', 'Building the file')], max_length=20, verbose_name='stage'),
        ),
        migrations.AddIndex(
            model_name='backgroundjob',
            index=models.Index(fields=['requested_by', 'kind', '-created_at'], name='people_back_request_144779_idx'),
        ),
        migrations.RemoveConstraint(
            model_name='backgroundjob',
            name='one_unfinished_job_per_kind_and_target',
        ),
        migrations.AddConstraint(
            model_name='backgroundjob',
            constraint=models.UniqueConstraint(condition=models.Q(('state__in', ('queued', 'running'))), fields=('kind', 'target_type', 'target_id', 'key'), name='one_unfinished_job_per_kind_target_and_key', nulls_distinct=False),
        ),
        migrations.RunPython(imports_to_jobs, jobs_to_imports),
        migrations.DeleteModel(
            name='ImportJob',
        ),
    ]
