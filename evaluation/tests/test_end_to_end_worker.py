"""End to end with a real Celery worker on Redis (and PostgreSQL): a cycle opens on its date, answers and
metric values arrive, the cycle closes, the worker computes the results, and the report's figures equal an
independent computation from the raw rows with numpy and scipy."""

from __future__ import annotations

import csv
import datetime
import io
import time
import uuid
from typing import Any

import numpy as np
import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from scipy import stats as sps

from evaluation.models import EvaluationCycle, InstrumentResponse, OutcomeResult
from evaluation.services.instruments import instruments_ensure_defaults
from evaluation.tasks import open_and_close_cycles
from evaluation.tests.factories import GoalFactory, MetricFactory
from evaluation.tests.outcome_helpers import make_people, record
from people.tests.factories import UserFactory
from programmes.models import Enrolment, Notification
from programmes.tests.factories import ProgrammeFactory, ProgrammeRoleFactory
from programmes.tests.test_celery_worker import project_app_on, worker_thread_connections_closed  # noqa: F401

MENTORED, COMPARISON = 8, 9


def _wait(condition: Any, finished: list[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert condition(), f"the worker did not get there in {seconds} s (tasks finished: {finished})"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_cycle_runs_end_to_end_on_a_real_worker_and_the_report_matches_scipy(
    redis_url: str,
    worker_thread_connections_closed: list[str],  # noqa: F811
) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the worker's threads need a database they can share: PostgreSQL (CI) runs this test")
    today = timezone.localdate()
    programme = ProgrammeFactory(name="Field sales mentoring", phase="implementation")
    coordinator, hr = UserFactory(), UserFactory(is_hr_analyst=True)
    ProgrammeRoleFactory(programme=programme, user=coordinator, role="coordinator")
    metric = MetricFactory(goal=GoalFactory(programme=programme), name="Sales cycle length", direction="lower")
    mentored, comparison = make_people(programme, MENTORED, COMPARISON)
    rng = np.random.default_rng(42)
    pre = {p.pk: float(round(rng.normal(45, 6), 1)) for p in mentored + comparison}
    for person in mentored:
        record(metric, person, "participant", pre[person.pk], None)
    for person in comparison:
        record(metric, person, "comparison", pre[person.pk], None)
    cycle = EvaluationCycle.objects.create(
        programme=programme, kind="end", opens_on=today, closes_on=today + datetime.timedelta(days=20)
    )
    cycle.instruments.add(instruments_ensure_defaults(programme=programme)["reaction"])

    queue = f"test-{uuid.uuid4().hex}"
    with (
        project_app_on(redis_url, task_default_queue=queue, worker_enable_remote_control=False) as app,
        start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, queues=[queue]),
    ):
        # 1. The cycle opens on its date: the periodic task, run by the worker.
        first = open_and_close_cycles.apply_async(queue=queue).id
        _wait(lambda: first in worker_thread_connections_closed, worker_thread_connections_closed)
        cycle.refresh_from_db()
        assert cycle.state == EvaluationCycle.State.OPEN
        invited = set(Notification.objects.filter(kind="evaluation_invite").values_list("recipient_id", flat=True))
        # The reaction questionnaire asks the mentees and their (shared) mentor.
        mentors = set(Enrolment.objects.filter(programme=programme, role="mentor").values_list("person_id", flat=True))
        assert invited == {p.pk for p in mentored} | mentors

        # 2. Answers arrive: every mentee answers the reaction questionnaire.
        client = Client()
        points: dict[int, list[int]] = {}
        for n, person in enumerate(mentored):
            response = InstrumentResponse.objects.get(cycle=cycle, respondent=person)
            items = list(response.instrument.items.order_by("position"))
            answers = {item.pk: 1 + (n + k) % 5 for k, item in enumerate(items)}
            client.force_login(person)
            assert (
                client.post(
                    reverse("evaluation:respond", args=[response.pk]), {f"q{k}": v for k, v in answers.items()}
                ).status_code
                == 302
            )
            points[person.pk] = [
                6 - answers[i.pk] if i.reverse_scored else answers[i.pk] for i in items if i.scale == "satisfaction"
            ]

        # 3. Metric values arrive: the coordinator imports the cycle's file.
        post = {
            p.pk: pre[p.pk] - (8 if p in mentored else 2) + float(round(rng.normal(0, 3), 1))
            for p in mentored + comparison
        }
        rows = "".join(f"{p.email},{metric.name},{post[p.pk]},{today.isoformat()}\n" for p in mentored + comparison)
        upload = SimpleUploadedFile(
            "values.csv", f"email,metric,value,period_end\n{rows}".encode(), content_type="text/csv"
        )
        client.force_login(coordinator)
        imported = client.post(
            reverse("evaluation:cycle_observation_import", args=[programme.pk, cycle.pk]), {"file": upload}
        )
        assert imported.status_code == 302

        # 4. The window ends: the worker closes the cycle, and the close asks the worker for the results.
        EvaluationCycle.objects.filter(pk=cycle.pk).update(
            opens_on=today - datetime.timedelta(days=21), closes_on=today - datetime.timedelta(days=1)
        )
        second = open_and_close_cycles.apply_async(queue=queue).id
        _wait(lambda: second in worker_thread_connections_closed, worker_thread_connections_closed)
        _wait(
            lambda: EvaluationCycle.objects.filter(pk=cycle.pk, state="analysed").exists(),
            worker_thread_connections_closed,
        )

    result = OutcomeResult.objects.get(metric=metric, cycle=cycle, superseded_at__isnull=True)
    assert result.figures["did"]["n_treated"] == MENTORED

    # 5. The report, as HR reads it, against numpy and scipy on the raw rows.
    t_pre = np.array([pre[p.pk] for p in mentored])
    t_post = np.array([post[p.pk] for p in mentored])
    c_pre = np.array([pre[p.pk] for p in comparison])
    c_post = np.array([post[p.pk] for p in comparison])
    welch = sps.ttest_ind(t_post - t_pre, c_post - c_pre, equal_var=False).confidence_interval(0.95)
    paired = sps.ttest_rel(t_post, t_pre).confidence_interval(0.95)
    client.force_login(hr)
    export = client.get(reverse("evaluation:report_export", args=[programme.pk, "csv"]))
    text = b"".join(export.streaming_content).decode("utf-8")
    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[:2]
    got = dict(zip(header, row, strict=True))
    shown = 0.051  # exports carry the figures rounded as the page shows them (one decimal here)
    assert float(got["Difference in differences"]) == pytest.approx(
        (t_post - t_pre).mean() - (c_post - c_pre).mean(), abs=shown
    )
    assert float(got["DiD CI low"]) == pytest.approx(welch.low, abs=shown)
    assert float(got["DiD CI high"]) == pytest.approx(welch.high, abs=shown)
    assert float(got["Mentored change"]) == pytest.approx((t_post - t_pre).mean(), abs=shown)
    assert (float(got["Change CI low"]), float(got["Change CI high"])) == (
        pytest.approx(paired.low, abs=shown),
        pytest.approx(paired.high, abs=shown),
    )
    assert float(got["Mentored baseline sd"]) == pytest.approx(t_pre.std(ddof=1), abs=shown)
    assert (got["Mentored n"], got["Comparison n"]) == (str(MENTORED), str(COMPARISON))
    page = client.get(reverse("evaluation:report", args=[programme.pk])).content.decode()
    assert f"{MENTORED} mentored, {COMPARISON} not" in page
    scores = np.array([np.mean(v) for v in points.values()])
    assert f"{scores.mean():.2f}" in page  # the reaction questionnaire's satisfaction scale, mean of 8 people
