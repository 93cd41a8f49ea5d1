"""The HR outcome report, per programme and across programmes: page, print page, PDF, CSV and XLSX.

Every view reads the same report generator (evaluation.reports.outcome_report) with the reader's filters,
so the page, the print page, the PDF and the exports always agree, and suppression holds in all of them.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from mentoring.page_cache import cached_page
from people.models import User
from people.services.jobs import JobBusy
from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.core.figures_cache import programme_version_keys
from programmes.core.selectors.programmes import unread_count_for_request
from programmes.models import Programme

from ..exports import csv_lines, row_count, table, xlsx_bytes
from ..forms_cycles import ReportFilterForm
from ..reports import ProgrammeReport, ReportFilters, outcome_report, programmes_for_reports
from ..services.exports import FORMATS, export_job_create, inline_limit

logger = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request: AuthedRequest, programmes: Any) -> tuple[ReportFilterForm, ReportFilters]:
    form = ReportFilterForm(request.GET or None, programmes=programmes)
    if not form.is_bound:
        return form, ReportFilters()
    form.is_valid()  # invalid fields are shown on the form and left out of the filters
    return form, form.filters()


def _cross_programmes(user: User) -> list[Programme]:
    programmes = list(programmes_for_reports(user=user).order_by("name"))
    if not programmes:
        raise PermissionDenied
    return programmes


def _context(
    request: AuthedRequest, programmes: list[Programme], single: Programme | None, access: Standing | None
) -> dict[str, Any]:
    form, filters = _filters(request, programmes)
    reports = outcome_report(programmes=programmes, filters=filters)
    return {
        "programme": single,
        "access": access,
        "reports": reports,
        "form": form,
        "filters": filters,
        "query": request.GET.urlencode(),
        "now": timezone.now(),
    }


@allowed(Action.READ_STAFF_PAGES)
def report(request: AuthedRequest, access: Standing) -> HttpResponse:
    """One programme's outcome report: goals → metrics → results, with charts and sentences."""
    return _report_page(request, [access.programme], access.programme, access)


def reports(request: AuthedRequest) -> HttpResponse:
    """Every programme the reader may see, in one report."""
    return _report_page(request, _cross_programmes(request.user), None, None)


def _report_page(
    request: AuthedRequest, programmes: list[Programme], single: Programme | None, access: Standing | None
) -> HttpResponse:
    """The report's page, kept under the programmes' data versions (mentoring.page_cache): a reader who comes
    back, or reloads it, gets it without the figures being read and laid out again."""
    ids = [p.pk for p in programmes]

    def render_page() -> HttpResponse:
        return render(request, "evaluation/report.html", _context(request, programmes, single, access))

    return cached_page(
        request, "report", [*ids, unread_count_for_request(request)], render_page, watch=programme_version_keys(ids)
    )


@allowed(Action.READ_STAFF_PAGES)
def report_print(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The report laid out for paper (and for the PDF)."""
    return render(
        request, "evaluation/report_print.html", _context(request, [access.programme], access.programme, access)
    )


def reports_print(request: AuthedRequest) -> HttpResponse:
    """The cross-programme report laid out for paper."""
    return render(
        request, "evaluation/report_print.html", _context(request, _cross_programmes(request.user), None, None)
    )


def _pdf(request: AuthedRequest, context: dict[str, Any], name: str) -> HttpResponse:
    """The print page as a PDF, or a page that says why there is none (never a 500)."""
    try:
        from weasyprint import CSS, HTML
    except (ImportError, OSError):  # WeasyPrint or its Pango libraries are missing on this server
        logger.warning("PDF unavailable: WeasyPrint cannot load", exc_info=True)
        return render(request, "evaluation/pdf_unavailable.html", context, status=503)
    html = render_to_string("evaluation/report_print.html", {**context, "pdf": True}, request=request)
    css_path = finders.find("css/report.css")
    stylesheets = [CSS(filename=str(css_path))] if css_path else []
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/"), url_fetcher=_no_fetch).write_pdf(
        stylesheets=stylesheets
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint fetches nothing: the charts are inline SVG and the styles are passed in."""
    raise ValueError(f"not fetched: {url}")


@allowed(Action.READ_STAFF_PAGES)
def report_pdf(request: AuthedRequest, access: Standing) -> HttpResponse:
    """One programme's report as a PDF."""
    context = _context(request, [access.programme], access.programme, access)
    return _pdf(request, context, f"outcomes-{slugify(access.programme.name) or access.programme.pk}")


def reports_pdf(request: AuthedRequest) -> HttpResponse:
    """The cross-programme report as a PDF."""
    return _pdf(request, _context(request, _cross_programmes(request.user), None, None), "outcomes")


def _export(
    request: AuthedRequest, programmes: list[Programme], single: Programme | None, fmt: str
) -> HttpResponseBase:
    """Stream the table, or hand it to a background job when it is large."""
    if fmt not in FORMATS:
        raise Http404
    _form, filters = _filters(request, programmes)
    built: list[ProgrammeReport] = outcome_report(programmes=programmes, filters=filters)
    rows = row_count(built)
    if rows > inline_limit():
        try:
            job = export_job_create(actor=request.user, fmt=fmt, programme=single, filters=filters, rows_total=rows)
        except JobBusy as exc:  # the same export is being built: follow that one
            messages.info(request, exc.message)
            if exc.job is None:  # it finished in between
                return redirect(request.get_full_path())
            job = exc.job
        return redirect("evaluation:export_job", job.pk)
    name = f"outcomes-{slugify(single.name) if single else 'all'}-{timezone.localdate().isoformat()}"
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            (line.encode("utf-8") for line in csv_lines(table(built))), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(xlsx_bytes(table(built)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@allowed(Action.READ_STAFF_PAGES)
def report_export(request: AuthedRequest, access: Standing, fmt: str) -> HttpResponseBase:
    """One programme's results as CSV (streamed) or XLSX."""
    return _export(request, [access.programme], access.programme, fmt)


def reports_export(request: AuthedRequest, fmt: str) -> HttpResponseBase:
    """Every visible programme's results as CSV or XLSX."""
    return _export(request, _cross_programmes(request.user), None, fmt)
