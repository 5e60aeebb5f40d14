"""The interface in five languages: every string translated, compiled catalogues that match their
sources, pages, numbers and dates in the chosen language, the language picker, and what the
per-user language costs."""

from __future__ import annotations

import gettext
import os
import shutil
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.template import Context, Template
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from attain.core.middleware import (
    PREFERENCE_SESSION_KEY,
    UserLanguageMiddleware,
)
from attain.core.models import UserPreference
from attain.core.services import user_preference_set
from attain.pipeline.tests.factories import make_deal

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl", "nb", "ro", "tl"]
BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "attain" / "locale"
MIDDLEWARE = "attain.core.middleware.UserLanguageMiddleware"

# One hand-picked string per page and language, exactly as the catalogues translate it.
HOME_STRING = {
    "en": "Open the dashboard",
    "nl": "Dashboard openen",
    "nb": "Åpne dashbordet",
    "ro": "Deschideți tabloul de bord",
    "tl": "Buksan ang dashboard",
}
DASHBOARD_STRING = {
    "en": "Named periods ignore the from/to dates; choose Custom to use them.",
    "nl": "Vaste periodes negeren de van/tot-datums; kies Aangepast om ze te gebruiken.",
    "nb": "Navngitte perioder ser bort fra fra/til-datoene; velg Egendefinert for å bruke dem.",
    "ro": "Perioadele predefinite ignoră datele de la/până la; alegeți Personalizat pentru a le "
    "folosi.",
    "tl": "Hindi pinapansin ng mga nakapangalang panahon ang mga petsang mula/hanggang; piliin "
    "ang Custom para gamitin ang mga ito.",
}
# money of Decimal("1234567.5") in each locale (nb groups with a no-break space, U+00A0).
MONEY = {
    "en": "1,234,567.50",
    "nl": "1.234.567,50",
    "nb": "1\xa0234\xa0567,50",
    "ro": "1.234.567,50",
    "tl": "1,234,567.50",
}
# The dashboard's period line for 1–31 May 2025 (DATE_FORMAT of each locale) and the first label
# of its trend chart ("j M").
MAY_2025 = {
    "en": "May 1, 2025 – May 31, 2025",
    "nl": "1 mei 2025 – 31 mei 2025",
    "nb": "1. mai 2025 – 31. mai 2025",
    "ro": "1 Mai 2025 – 31 Mai 2025",
    "tl": "May 1, 2025 – May 31, 2025",
}
FIRST_CHART_LABEL = {"en": "1 May", "nl": "1 Mei", "nb": "1 Mai", "ro": "1 Mai", "tl": "1 May"}


# --- the catalogues ----------------------------------------------------------------------


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def parse_po(text: str) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (index → text), fuzzy.
    Obsolete entries (#~) are left out; the header is the entry with msgid ""."""
    entries: list[dict] = []
    entry: dict = {}
    field: str | int | None = None

    def flush() -> None:
        nonlocal entry
        if "msgid" in entry:
            entries.append(entry)
        entry = {}

    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            continue
        entry.setdefault("msgstr", {})
        entry.setdefault("fuzzy", False)
        if line.startswith("#,"):
            entry["fuzzy"] = entry["fuzzy"] or "fuzzy" in {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgctxt ", "msgid_plural ", "msgid ")):
            if line.startswith("msgid ") and "msgid" in entry:
                flush()
                entry = {"msgstr": {}, "fuzzy": False}
            field, _space, value = line.partition(" ")
            entry[field] = _unquote(value)
        elif line.startswith("msgstr"):
            key, _space, value = line.partition(" ")
            field = int(key[7:-1]) if key.startswith("msgstr[") else 0
            entry["msgstr"][field] = _unquote(value)
        elif line.startswith('"') and field is not None:
            if isinstance(field, int):
                entry["msgstr"][field] += _unquote(line)
            else:
                entry[field] += _unquote(line)
    return entries


def nplurals(entries: list[dict]) -> int:
    header = next((e for e in entries if e["msgid"] == ""), None)
    text = header["msgstr"].get(0, "") if header else ""
    for line in text.splitlines():
        if line.startswith("Plural-Forms:") and "nplurals=" in line:
            return int(line.split("nplurals=")[1].split(";")[0])
    return 2


def untranslated(text: str) -> list[str]:
    """Every msgid of a .po text that is fuzzy, has an empty msgstr or misses a plural form."""
    entries = parse_po(text)
    forms = nplurals(entries)
    missing = []
    for entry in entries:
        if entry["msgid"] == "":
            continue
        wanted = range(forms) if "msgid_plural" in entry else range(1)
        if entry["fuzzy"] or any(not entry["msgstr"].get(i) for i in wanted):
            missing.append(entry["msgid"])
    return missing


def _require_gettext() -> None:
    missing = [tool for tool in ("xgettext", "msgmerge", "msguniq") if shutil.which(tool) is None]
    if missing:
        reason = f"GNU gettext ({', '.join(missing)}) is not installed: apt-get install gettext"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()
    }


def check_catalogues(tmp_path: Path, monkeypatch, extra: dict[str, str] | None = None):
    """Run makemessages for the four languages over a copy of the source tree, starting from a
    copy of the committed catalogues, and return the untranslated msgids per language.

    makemessages writes work files next to the templates it reads and rewrites the catalogues,
    so it runs on copies only; `extra` adds files (path → text) to the copied tree.
    """
    tree = tmp_path / "tree"
    skip = shutil.ignore_patterns("locale", "__pycache__", "*.pyc")
    for name in ("attain", "config"):
        shutil.copytree(BASE_DIR / name, tree / name, ignore=skip)
    shutil.copytree(LOCALE_DIR, tree / "attain" / "locale")
    for relative, text in (extra or {}).items():
        (tree / relative).parent.mkdir(parents=True, exist_ok=True)
        (tree / relative).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tree)
    with override_settings(LOCALE_PATHS=[tree / "attain" / "locale"]):
        call_command("makemessages", locale=LANGUAGES, no_obsolete=True, verbosity=0)
    report = {}
    for language in LANGUAGES:
        po = tree / "attain" / "locale" / language / "LC_MESSAGES" / "django.po"
        missing = untranslated(po.read_text(encoding="utf-8"))
        if missing:
            report[language] = missing
    return report


def test_every_string_has_a_translation(tmp_path, monkeypatch):
    _require_gettext()
    committed = _files(LOCALE_DIR)
    report = check_catalogues(tmp_path, monkeypatch)
    assert _files(LOCALE_DIR) == committed, "the check must never change the real catalogues"
    listing = "\n".join(
        f"  [{language}] {msgid!r}" for language, msgids in report.items() for msgid in msgids
    )
    assert not report, (
        "Untranslated or fuzzy messages; run `make messages`, translate them in "
        f"attain/locale/<language>/LC_MESSAGES/django.po and compile:\n{listing}"
    )


def test_the_check_reports_a_new_untranslated_template_string(tmp_path, monkeypatch):
    _require_gettext()
    probe = "A sentence no translator has seen yet"
    template = f'{{% load i18n %}}<p>{{% translate "{probe}" %}}</p>\n'
    report = check_catalogues(
        tmp_path, monkeypatch, extra={"attain/templates/probe/new_string.html": template}
    )
    assert sorted(report) == sorted(LANGUAGES)
    assert all(probe in report[language] for language in LANGUAGES)


def test_the_check_counts_fuzzy_entries_and_missing_plural_forms():
    text = "\n".join(
        [
            'msgid ""',
            'msgstr ""',
            '"Language: ro\\n"',
            '"Plural-Forms: nplurals=3; plural=(n==1?0:(((n%100>19)||((n%100==0)&&(n!=0)))?2:1));\\n"',
            "",
            'msgid "Done"',
            'msgstr "Gata"',
            "",
            "#, fuzzy",
            'msgid "Guessed"',
            'msgstr "Ghicit"',
            "",
            'msgid "Empty"',
            'msgstr ""',
            "",
            "#, python-format",
            'msgid "%(n)s deal"',
            'msgid_plural "%(n)s deals"',
            'msgstr[0] "%(n)s oportunitate"',
            'msgstr[1] "%(n)s oportunități"',
            "",
            'msgid "Long"',
            'msgstr ""',
            '"two "',
            '"lines"',
        ]
    )
    assert untranslated(text) == ["Guessed", "Empty", "%(n)s deal"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_mo_files_match_po_files(language):
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    entries = parse_po((folder / "django.po").read_text(encoding="utf-8"))
    expected: dict[object, str] = {}
    for entry in entries:
        if entry["msgid"] == "" or entry["fuzzy"]:
            continue
        key = entry["msgid"]
        if "msgctxt" in entry:
            key = f"{entry['msgctxt']}\x04{key}"
        if "msgid_plural" in entry:
            expected.update({(key, i): text for i, text in entry["msgstr"].items() if text})
        elif entry["msgstr"].get(0):
            expected[key] = entry["msgstr"][0]
    with (folder / "django.mo").open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    messages = {key: text for key, text in compiled._catalog.items() if key != ""}  # type: ignore[attr-defined]
    assert messages == expected, "django.mo is stale: run `make messages` (compilemessages)"
    assert compiled.info()["language"] == language
    assert compiled.info()["content-type"] == "text/plain; charset=UTF-8"
    assert nplurals(entries) == (3 if language == "ro" else 2)


# --- pages in each language --------------------------------------------------------------


def _money(language: str) -> str:
    with translation.override(language):
        return Template("{% load attain %}{{ v|money }}").render(
            Context({"v": Decimal("1234567.5")})
        )


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_money_is_formatted_in_the_active_locale(language):
    assert _money(language) == MONEY[language]


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_pages_render_in_the_users_language(world, login_as, language):
    make_deal(owner=world.rep, amount="1234567.50")
    user_preference_set(user=world.rep.user, language=language)
    client = login_as(world.rep)

    home = client.get("/", HTTP_ACCEPT_LANGUAGE="de")
    html = home.content.decode()
    assert home.status_code == 200
    assert f'<html lang="{language}">' in html
    assert home["Content-Language"] == language
    assert language == home.wsgi_request.LANGUAGE_CODE
    assert HOME_STRING[language] in html
    assert f'<div class="value">{MONEY[language]}</div>' in html  # open pipeline, reporting EUR

    dashboard = client.get(
        f"/dashboards/sellers/{world.rep.pk}/?period=custom&start=2025-05-01&end=2025-05-31"
    )
    html = dashboard.content.decode()
    assert dashboard.status_code == 200
    assert f'<html lang="{language}">' in html
    assert DASHBOARD_STRING[language] in html
    assert MAY_2025[language] in html
    assert f'{{"labels": ["{FIRST_CHART_LABEL[language]}", ' in html


def test_date_inputs_keep_iso_values_in_every_language(world, login_as):
    from attain.catalog.tests.factories import make_product
    from attain.core.periods import today

    product = make_product()
    user_preference_set(user=world.admin.user, language="nl")
    client = login_as(world.admin)
    html = client.get(f"/catalog/products/{product.pk}/prices/new/").content.decode()
    assert '<html lang="nl">' in html
    assert f'name="valid_from" value="{today().isoformat()}"' in html  # type="date" needs ISO


def test_the_preference_wins_over_cookie_and_browser(world, login_as):
    user_preference_set(user=world.rep.user, language="ro")
    client = login_as(world.rep)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="nl")
    assert '<html lang="ro">' in response.content.decode()
    assert response["Content-Language"] == "ro"


def test_without_a_preference_the_browser_language_applies(world, login_as):
    client = login_as(world.rep)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="nb,en;q=0.5")
    assert '<html lang="nb">' in response.content.decode()
    assert response["Content-Language"] == "nb"
    assert not UserPreference.objects.filter(user=world.rep.user).exists()


def test_sign_in_page_offers_the_picker_and_follows_the_cookie(world, client):
    page = client.get("/login/").content.decode()
    assert 'action="/i18n/setlang/"' in page
    for name in ("English", "Nederlands", "Norsk (bokmål)", "Română", "Tagalog"):
        assert f">{name}</option>" in page
    response = client.post("/i18n/setlang/", {"language": "tl", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    page = client.get("/login/").content.decode()
    assert '<html lang="tl">' in page and "Mag-sign in" in page


# --- the picker --------------------------------------------------------------------------


def test_account_page_offers_every_language_in_its_own_name(world, login_as):
    html = login_as(world.rep).get("/account/").content.decode()
    assert 'action="/account/language/"' in html
    assert '<option value="" selected>Browser default</option>' in html
    for code, name in [
        ("en", "English"),
        ("nl", "Nederlands"),
        ("nb", "Norsk (bokmål)"),
        ("ro", "Română"),
        ("tl", "Tagalog"),
    ]:
        assert f'<option value="{code}" lang="{code}">{name}</option>' in html


def test_picker_stores_the_choice_and_the_next_page_follows_it(world, login_as):
    client = login_as(world.rep)
    assert '<html lang="en">' in client.get("/").content.decode()
    response = client.post("/account/language/", {"language": "nl"})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert UserPreference.objects.get(user=world.rep.user).language == "nl"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    page = client.get("/account/").content.decode()
    assert '<html lang="nl">' in page
    assert "Taal opgeslagen." in page  # the confirmation is already in the new language
    assert '<option value="nl" lang="nl" selected>Nederlands</option>' in page


def test_picker_back_to_browser_default(world, login_as):
    user_preference_set(user=world.rep.user, language="ro")
    client = login_as(world.rep)
    response = client.post(
        "/account/language/", {"language": ""}, HTTP_ACCEPT_LANGUAGE="nb", follow=True
    )
    assert UserPreference.objects.get(user=world.rep.user).language == ""
    assert '<html lang="nb">' in response.content.decode()
    assert "Språket er lagret." in response.content.decode()


def test_picker_rejects_an_unknown_language_and_stores_nothing(world, login_as):
    client = login_as(world.rep)
    response = client.post("/account/language/", {"language": "xx", "next": "/"})
    assert response.status_code == 400
    form = response.context["language_form"]
    assert form.errors == {"language": ["“xx” is not one of the languages Attain is available in."]}
    html = response.content.decode()
    assert '<label for="id_language">Language</label>' in html
    assert "“xx” is not one of the languages Attain is available in." in html
    assert not UserPreference.objects.exists()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_service_rejects_an_unknown_language_naming_the_field(world):
    with pytest.raises(ValidationError) as caught:
        user_preference_set(user=world.rep.user, language="klingon")
    assert caught.value.message_dict == {
        "language": ["“klingon” is not one of the languages Attain is available in."]
    }
    assert not UserPreference.objects.exists()


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/dashboards/?period=last_month", "/dashboards/?period=last_month"),
        ("https://evil.example/", "/account/"),
        ("//evil.example/path", "/account/"),
        ("javascript:alert(1)", "/account/"),
        ("", "/account/"),
    ],
)
def test_picker_redirects_only_to_a_safe_next(world, login_as, next_url, location):
    response = login_as(world.rep).post("/account/language/", {"language": "tl", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == location
    assert UserPreference.objects.get(user=world.rep.user).language == "tl"


def test_header_picker_posts_to_the_account_language_view(world, login_as):
    html = login_as(world.rep).get("/orders/").content.decode()
    assert '<form class="lang" action="/account/language/" method="post">' in html
    assert '<input name="next" type="hidden" value="/orders/">' in html
    assert "<script>" not in html  # strict CSP: no inline scripts


# --- what it costs -----------------------------------------------------------------------


def _request(rf, user):
    request = rf.get("/")
    request.user = user
    request.session = SessionStore()
    return request


def test_middleware_costs_one_query_then_none(world, rf, django_assert_max_num_queries):
    user_preference_set(user=world.rep.user, language="nb")
    middleware = UserLanguageMiddleware(lambda request: HttpResponse("ok"))
    request = _request(rf, world.rep.user)
    with django_assert_max_num_queries(1):  # first request of the session: one indexed read
        response = middleware(request)
    assert request.LANGUAGE_CODE == "nb" and response["Content-Language"] == "nb"
    with django_assert_max_num_queries(0):  # afterwards: the copy in the session
        response = middleware(request)
    assert response["Content-Language"] == "nb"


def test_middleware_costs_nothing_for_anonymous_visitors(rf, django_assert_max_num_queries):
    from django.contrib.auth.models import AnonymousUser

    middleware = UserLanguageMiddleware(lambda request: HttpResponse("ok"))
    request = _request(rf, AnonymousUser())
    with django_assert_max_num_queries(0):
        response = middleware(request)
    assert "Content-Language" not in response
    assert PREFERENCE_SESSION_KEY not in request.session


def test_sign_in_copies_the_preference_into_the_session(world, client):
    from attain.organization.tests.factories import PASSWORD

    user_preference_set(user=world.rep.user, language="tl")
    client.post("/login/", {"username": "rep", "password": PASSWORD})
    copy = client.session[PREFERENCE_SESSION_KEY]
    assert copy["user"] == world.rep.user.pk and copy["language"] == "tl"


def test_pages_cost_no_extra_query_for_the_language(world, django_assert_max_num_queries):
    user_preference_set(user=world.rep.user, language="nl")
    without = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    with override_settings(MIDDLEWARE=without):
        plain = Client()
        plain.force_login(world.rep.user)
        with CaptureQueriesContext(connection) as baseline:
            plain.get("/")
        budget = len(baseline)  # read now: the next request clears the connection's query log
    client = Client()
    client.force_login(world.rep.user)  # sign-in reads the preference into the session
    for _ in range(2):  # the first page after sign-in, and the next
        with django_assert_max_num_queries(budget):
            response = client.get("/")
        assert '<html lang="nl">' in response.content.decode()


def test_a_choice_made_elsewhere_shows_once_the_session_copy_expires(world, login_as):
    client = login_as(world.rep)
    user_preference_set(user=world.rep.user, language="ro")  # e.g. in another browser
    assert '<html lang="en">' in client.get("/").content.decode()  # the copy still holds
    session = client.session
    session[PREFERENCE_SESSION_KEY] = {**session[PREFERENCE_SESSION_KEY], "until": time.time() - 1}
    session.save()
    assert '<html lang="ro">' in client.get("/").content.decode()
