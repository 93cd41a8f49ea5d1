"""Both languages, complete: the Indonesian catalogue, its compiled form, and each person's own choice."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
import sys
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from conftest import Personas, missing_service
from people.middleware import UserPreferencesMiddleware
from people.models import User

BASE_DIR = Path(settings.BASE_DIR)
PO_PATH = BASE_DIR / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")


# A small .po reader: enough for the files makemessages writes (no need for polib). -----------------------


@dataclass
class PoEntry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # index 0 for a singular entry
    flags: set[str] = field(default_factory=set)
    line: int = 0
    obsolete: bool = False

    @property
    def key(self) -> str:
        """The key gettext uses in a compiled catalogue."""
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")\s*$')


def parse_po(path: Path) -> list[PoEntry]:
    """Every entry of a .po file, the header (msgid "") included, obsolete (#~) entries marked.

    Entries are separated by blank lines, as makemessages and msgmerge always write them.
    """
    entries: list[PoEntry] = []
    entry: PoEntry | None = None
    flags: set[str] = set()
    target: tuple[str, int] | None = None
    obsolete = False

    def finish() -> None:
        nonlocal entry, flags, target, obsolete
        if entry is not None:
            entries.append(entry)
        entry, flags, target, obsolete = None, set(), None, False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            obsolete, line = True, line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            value = ast.literal_eval(literal)
            if entry is None:
                entry = PoEntry(msgid="", flags=set(flags), line=number, obsolete=obsolete)
            if keyword == "msgstr":
                target = ("msgstr", int(index or 0))
                entry.msgstr[target[1]] = value
            else:
                target = (keyword, 0)
                setattr(entry, keyword, value)
            continue
        if line.startswith('"') and entry is not None and target is not None:
            value = ast.literal_eval(line)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += value
            else:
                setattr(entry, target[0], (getattr(entry, target[0]) or "") + value)
    finish()
    return entries


def _messages(path: Path = PO_PATH) -> list[PoEntry]:
    return [e for e in parse_po(path) if e.msgid != "" and not e.obsolete]


# The catalogue -------------------------------------------------------------------------------------------


def test_indonesian_catalogue_exists_and_is_substantial() -> None:
    assert PO_PATH.exists(), "run `make messages` to create locale/id/LC_MESSAGES/django.po"
    assert len(_messages()) > 100


def test_every_message_has_an_indonesian_translation() -> None:
    untranslated = [f"line {e.line}: {e.msgid!r}" for e in _messages() if not all(e.msgstr.values()) or not e.msgstr]
    assert untranslated == [], "untranslated messages:\n" + "\n".join(untranslated)


def test_no_translation_is_left_fuzzy() -> None:
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in _messages() if "fuzzy" in e.flags]
    assert fuzzy == [], "fuzzy messages (check and remove the flag):\n" + "\n".join(fuzzy)


def test_placeholders_survive_translation() -> None:
    placeholder = re.compile(r"%\(\w+\)[sdif]|%\(\w+\)\.\d+f|\{\w+\}")
    wrong = []
    for e in _messages():
        source = set(placeholder.findall(e.msgid_plural or e.msgid))
        for translated in e.msgstr.values():
            if set(placeholder.findall(translated)) != source and set(placeholder.findall(translated)) != set(
                placeholder.findall(e.msgid)
            ):
                wrong.append(f"line {e.line}: {e.msgid!r} -> {translated!r}")
    assert wrong == [], "\n".join(wrong)


def test_header_names_the_language_and_its_plural_rule() -> None:
    header = next(e for e in parse_po(PO_PATH) if e.msgid == "")
    assert "Language: id\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    assert "fuzzy" not in header.flags


def test_compiled_catalogue_matches_the_po_file() -> None:
    """The .mo is committed (so `make run` needs no gettext): it must hold exactly what the .po says."""
    assert MO_PATH.exists(), "run `make messages` (compilemessages) and commit django.mo"
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog: dict[object, str] = compiled._catalog  # type: ignore[attr-defined]
    stale = []
    for e in _messages():
        if e.msgid_plural is None:
            if catalog.get(e.key) != e.msgstr[0]:
                stale.append(e.msgid)
        else:
            for index, translated in e.msgstr.items():
                if catalog.get((e.key, index)) != translated:
                    stale.append(e.msgid)
    assert stale == [], f"django.mo is older than django.po for {len(stale)} messages, e.g. {stale[:3]}"
    assert len({k if isinstance(k, str) else k[0] for k in catalog} - {""}) == len(_messages())


@pytest.mark.slow
def test_catalogue_holds_every_translatable_string_in_the_code(tmp_path: Path) -> None:
    """makemessages over a copy of the code finds no string that the committed catalogue lacks."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        missing_service("gettext (xgettext, msgmerge) is not installed")
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns(".venv", "staticfiles", "vendor", "node_modules", "media", "var", "*.pyc", ".git")
    for name in ("mentoring", "people", "programmes", "evaluation", "templates", "static", "locale"):
        if (BASE_DIR / name).exists():
            shutil.copytree(BASE_DIR / name, copy / name, ignore=ignore)
    shutil.copy(BASE_DIR / "manage.py", copy / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "--no-obsolete", "--no-location"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=240,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "mentoring.settings", "PYTHONPATH": str(BASE_DIR)},
    )
    assert result.returncode == 0, result.stderr
    committed = {e.key for e in _messages()}
    regenerated = _messages(copy / "locale" / "id" / "LC_MESSAGES" / "django.po")
    new = sorted(e.msgid for e in regenerated if e.key not in committed)
    assert new == [], (
        f"{len(new)} strings are not in locale/id/LC_MESSAGES/django.po: run `make messages`, translate them, "
        f"and commit the .po and .mo. First ones: {new[:10]}"
    )


# Each person's language ----------------------------------------------------------------------------------


def _log_in(client: Client, user: User, password: str) -> None:
    response = client.post(reverse("people:login"), {"username": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]


def _switch(client: Client, language: str, next_url: str = "/") -> HttpResponse:
    return client.post(reverse("people:set_language"), {"language": language, "next": next_url})


def test_home_page_speaks_english_by_default(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in body
    assert "Programmes you coordinate" in body


def test_language_choice_is_saved_with_the_account_and_remembered_at_the_next_login(
    client: Client, personas: Personas
) -> None:
    _log_in(client, personas.coordinator, personas.password)
    response = _switch(client, "id", next_url=reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    personas.coordinator.refresh_from_db()
    assert personas.coordinator.preferred_language == "id"

    body = client.get(reverse("home")).content.decode()
    assert '<html lang="id">' in body
    assert "Program yang Anda koordinasikan" in body
    assert "Programmes you coordinate" not in body

    client.post(reverse("people:logout"))
    # A new browser without the language cookie: the account's choice still wins once logged in.
    fresh = Client()
    assert "Log in" in fresh.get(reverse("people:login")).content.decode()
    _log_in(fresh, personas.coordinator, personas.password)
    body = fresh.get(reverse("home")).content.decode()
    assert '<html lang="id">' in body
    assert "Senang bertemu Anda" in body
    assert ">Keluar<" in body


def test_saved_language_wins_over_the_browsers_cookie_and_header(client: Client, personas: Personas) -> None:
    personas.mentee.preferred_language = "id"
    personas.mentee.save(update_fields=["preferred_language"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(personas.mentee)
    body = client.get(reverse("home"), headers={"Accept-Language": "en"}).content.decode()
    assert "Mentoring Anda" in body


def test_anonymous_visitor_switches_language_with_a_cookie(client: Client, personas: Personas) -> None:
    response = _switch(client, "id", next_url=reverse("people:login"))
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "id"
    body = client.get(reverse("people:login")).content.decode()
    assert '<html lang="id">' in body
    assert "Lupa kata sandi?" in body
    assert User.objects.filter(preferred_language="id").count() == 0


@pytest.mark.django_db
def test_anonymous_visitor_gets_the_browsers_language(client: Client) -> None:
    body = client.get(reverse("people:login"), headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"}).content
    assert b"Masuk" in body
    assert b"Forgotten your password?" not in body


def test_switching_to_an_unknown_language_changes_nothing(client: Client, personas: Personas) -> None:
    client.force_login(personas.mentor)
    response = _switch(client, "fr")
    assert response.status_code == 302
    personas.mentor.refresh_from_db()
    assert personas.mentor.preferred_language == "en"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_language_switch_never_redirects_to_another_site(client: Client, personas: Personas) -> None:
    client.force_login(personas.mentor)
    response = _switch(client, "id", next_url="https://evil.example.com/phish")
    assert response["Location"] == reverse("home")


def test_language_switch_needs_a_post(client: Client, personas: Personas) -> None:
    client.force_login(personas.mentor)
    assert client.get(reverse("people:set_language") + "?language=id").status_code == 405
    personas.mentor.refresh_from_db()
    assert personas.mentor.preferred_language == "en"


def test_switcher_offers_each_language_in_its_own_name(client: Client, personas: Personas) -> None:
    personas.mentor.preferred_language = "id"
    personas.mentor.save(update_fields=["preferred_language"])
    client.force_login(personas.mentor)
    body = client.get(reverse("home")).content.decode()
    assert '<option value="en" lang="en">English</option>' in body
    assert '<option value="id" lang="id" selected>Bahasa Indonesia</option>' in body


def test_preferences_page_changes_language_and_time_zone(client: Client, personas: Personas) -> None:
    client.force_login(personas.mentor)
    response = client.post(
        reverse("people:preferences"), {"preferred_language": "id", "time_zone": "Asia/Makassar"}, follow=True
    )
    personas.mentor.refresh_from_db()
    assert (personas.mentor.preferred_language, personas.mentor.time_zone) == ("id", "Asia/Makassar")
    assert "Preferensi Anda sudah disimpan." in response.content.decode()


def test_preferences_page_refuses_an_unknown_time_zone_with_a_message(client: Client, personas: Personas) -> None:
    client.force_login(personas.mentor)
    response = client.post(reverse("people:preferences"), {"preferred_language": "en", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "Mars/Olympus is not a known time zone." in response.content.decode()
    personas.mentor.refresh_from_db()
    assert personas.mentor.time_zone == "Asia/Jakarta"


# The middleware ------------------------------------------------------------------------------------------


def _seen_by_view(user: object) -> tuple[str, str, str]:
    """Run the middleware around a view that reports the language and time zone it ran under."""
    seen: dict[str, str] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["language"] = translation.get_language()
        seen["time_zone"] = timezone.get_current_timezone_name()
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = user  # type: ignore[assignment]
    with translation.override("en"):
        UserPreferencesMiddleware(view)(request)
        after = timezone.get_current_timezone_name()
    return seen["language"], seen["time_zone"], after


def test_middleware_activates_the_persons_language_and_time_zone_for_one_request(personas: Personas) -> None:
    personas.mentee.preferred_language = "id"
    personas.mentee.time_zone = "Asia/Jayapura"
    language, zone, after = _seen_by_view(personas.mentee)
    assert (language, zone) == ("id", "Asia/Jayapura")
    assert after == settings.TIME_ZONE  # nothing leaks into the next request on this thread


def test_middleware_falls_back_to_the_site_time_zone_when_a_stored_one_is_unknown(personas: Personas) -> None:
    personas.mentee.time_zone = "Not/AZone"
    language, zone, _ = _seen_by_view(personas.mentee)
    assert zone == settings.TIME_ZONE
    assert language == "en"


def test_middleware_leaves_anonymous_visitors_to_the_locale_middleware() -> None:
    from django.contrib.auth.models import AnonymousUser

    language, zone, _ = _seen_by_view(AnonymousUser())
    assert language == "en"
    assert zone == settings.TIME_ZONE


def test_dates_on_the_page_use_the_persons_time_zone(client: Client, personas: Personas) -> None:
    personas.coordinator.time_zone = "Pacific/Kiritimati"  # UTC+14: the date differs from Jakarta's most hours
    personas.coordinator.save(update_fields=["time_zone"])
    client.force_login(personas.coordinator)
    body = client.get(reverse("home")).content.decode()
    expected = timezone.now().astimezone(zoneinfo.ZoneInfo("Pacific/Kiritimati"))
    assert f"{expected:%A}, {expected.day} {expected:%B} {expected.year}" in body
