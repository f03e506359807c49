"""The design system every page is built on (GOV.UK Frontend, compiled with our settings), and who the pages
speak for: the municipality's name, logo and colours are settings, not code."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from . import cases
from .test_browser import _sync_db_from_playwright_thread, browser, logged_in_page  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.django_db

STYLESHEET = Path(settings.BASE_DIR) / "static_build" / "css" / "munis.css"


def test_the_stylesheet_is_the_design_systems_without_govuks_typeface_or_crown():
    css = STYLESHEET.read_text()
    assert ".govuk-error-summary" in css and ".govuk-service-navigation" in css and ".govuk-notification-banner" in css
    assert "GDS Transport" not in css and "@font-face" not in css
    assert "system-ui" in css


def test_every_page_carries_the_municipalitys_name_logo_and_colours(client, settings):
    settings.MUNIS_MUNICIPALITY_NAME = "Samarkand City Hall"
    settings.MUNIS_LOGO = "img/municipality-logo.svg"
    page = client.get(reverse("eservices:catalog")).content.decode()
    assert re.search(r"<title>[^<]* – Samarkand City Hall</title>", page)
    header = page.split("</header>", 1)[0]
    assert "Samarkand City Hall" in header and "/static/img/municipality-logo.svg" in header
    assert "crown" not in page.lower() and "gov.uk" not in page.lower()
    assert f'href="{reverse("theme")}"' in page and "/static/css/munis.css" in page


def test_the_municipalitys_name_per_language(client, settings):
    settings.MUNIS_MUNICIPALITY_NAMES = {"ru": "Самаркандский хокимият"}
    client.get(reverse("language", args=["ru"]))
    assert "Самаркандский хокимият" in client.get(reverse("home")).content.decode().split("</header>", 1)[0]


def test_the_colours_come_from_settings(client, settings):
    settings.MUNIS_BRAND_COLOUR, settings.MUNIS_LINK_COLOUR = "#004d40", "#00574b"
    response = client.get(reverse("theme"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert "--govuk-brand-colour: #004d40;" in css and "--govuk-link-colour: #00574b;" in css


def test_a_colour_that_is_no_colour_fails_the_checks(settings):
    settings.MUNIS_BRAND_COLOUR = "red; } body { display: none"
    with pytest.raises(SystemCheckError, match="MUNIS_BRAND_COLOUR must be a hex colour"):
        call_command("check")


def test_the_language_links_switch_and_return_to_the_page(client):
    page = client.get(reverse("eservices:catalog")).content.decode()
    link = f"{reverse('language', args=['ru'])}?next={reverse('eservices:catalog')}"
    assert f'href="{link}"' in page and 'lang="ru"' in page
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("eservices:catalog")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    page = client.get(reverse("eservices:catalog")).content.decode()
    assert '<html lang="ru"' in page and 'aria-current="true" lang="ru"' in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_the_language_links_never_lead_off_the_site(client, target):
    response = client.get(reverse("language", args=["ru"]), {"next": target})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_an_unknown_language_is_a_404(client):
    assert client.get(reverse("language", args=["xx"])).status_code == 404


def test_a_form_with_errors_says_so_in_the_title_and_its_summary_links_each_field(client):
    response = client.post(reverse("accounts:signup"), {"email": "not-an-address"})
    page = response.content.decode()
    assert re.search(r"<title>Error: ", page)
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert 'href="#id_email"' in summary and 'href="#id_full_name"' in summary
    group = page.split('for="id_email"', 1)[0].rsplit('<div class="govuk-form-group', 1)[1]
    assert group.startswith(" govuk-form-group--error")


def test_a_message_is_a_notification_banner(client, people, permit_service):
    client.force_login(people.citizen)
    assert "govuk-notification-banner" not in client.get(reverse("home")).content.decode()  # none waiting
    response = cases.apply_over_http(client, action="save")
    page = client.get(response["Location"]).content.decode()
    banner = page.split('<div class="govuk-notification-banner govuk-notification-banner--success" role="alert"', 1)[1]
    title, content = banner.split("</h2>", 1)
    assert "Success" in title and "saved" in content.split('class="govuk-notification-banner__heading">', 1)[1].split("</p>")[0]


def _title(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def test_every_page_has_a_title_of_its_own(client, people, permit_service):
    application = cases.in_review(people.citizen, people.clerk)
    task = cases.open_task(application, "review_architecture")
    anonymous = [reverse("home"), reverse("accounts:login"), reverse("accounts:signup"),
                 reverse("accounts:password_reset"), reverse("eservices:catalog"),
                 reverse("eservices:service", args=["building-permit"])]
    citizen = [reverse("eservices:apply", args=["building-permit"]), reverse("eservices:my_applications"),
               reverse("eservices:application", args=[application.pk])]
    staff = [reverse("workflows:inbox"), reverse("workflows:task", args=[task.pk]), reverse("workflows:flows")]
    titles = [_title(client, url) for url in anonymous]
    client.force_login(people.citizen)
    titles += [_title(client, url) for url in citizen]
    client.force_login(people.clerk)
    titles += [_title(client, url) for url in staff]
    assert len(set(titles)) == len(titles), titles
    assert all(title.endswith("– City Hall") for title in titles)


def test_each_kind_of_field_is_drawn_as_its_component():
    from django import forms
    from django.template import Context, Template

    class Choices(forms.Form):
        one = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
        many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple)
        agree = forms.BooleanField()
        note = forms.CharField(widget=forms.Textarea)

    html = Template('{% include "form_fields.html" %}').render(Context({"form": Choices()}))
    assert 'class="govuk-radios__input" type="radio" name="one"' in html
    assert 'class="govuk-checkboxes__input" type="checkbox" name="many"' in html
    assert 'name="agree"' in html.split('<div class="govuk-checkboxes govuk-checkboxes--small"', 1)[1]
    assert '<textarea name="note" cols="40" rows="10" class="govuk-textarea"' in html


@pytest.mark.browser
def test_components_keep_their_own_look_on_a_page(live_server, browser, people):  # noqa: F811
    """The fallback styles for plain HTML never outweigh a component's class: a fieldset's legend and a summary
    list's key are bold, a page's body text is not."""
    page = logged_in_page(browser, live_server, people.citizen)
    page.goto(reverse("accounts:profile"))
    weight = "el => getComputedStyle(el).fontWeight"
    assert page.locator("legend.govuk-fieldset__legend").first.evaluate(weight) == "700"
    assert page.locator("dt.govuk-summary-list__key").first.evaluate(weight) == "700"
    assert page.locator("p.govuk-body").first.evaluate(weight) == "400"
