"""What a citizen reads on their case page and in their permit: the facts as they entered them, in their language."""

import io

from django.urls import reverse
from pypdf import PdfReader

from documents.blobs import blob_read
from eservices.forms import application_form_class
from eservices.models import Application
from eservices.schema import ordered_properties
from eservices.selectors import decision_letter_of

from . import cases


def _case_page(client, user, application):
    client.force_login(user)
    return client.get(reverse("eservices:application", args=[application.pk])).content.decode()


def _letter_text(application):
    version = decision_letter_of(application).version
    pdf = blob_read(version.blob_key, sha256=version.sha256, size=version.size)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_whole_area_reads_as_entered_on_the_case_page_and_in_the_permit(client, people):
    client.force_login(people.citizen)
    response = cases.apply_over_http(client, data={"floor_area": "1200"})
    assert response.status_code == 302
    application = Application.objects.get(applicant=people.citizen)
    page = _case_page(client, people.citizen, application)
    assert ">1200</dd>" in page and "1200.0" not in page

    permit = cases.approved(people.other_citizen, people, floor_area=1200.0)  # as the form stores it
    text = _letter_text(permit)
    assert "1200" in text and "1200.0" not in text


def test_a_decimal_area_reads_in_the_readers_language(client, people):
    application = cases.submitted(people.citizen, floor_area=420.5)
    assert ">420.5</dd>" in _case_page(client, people.citizen, application)
    people.citizen.preferred_language = "ru"
    people.citizen.save(update_fields=["preferred_language"])
    assert ">420,5</dd>" in _case_page(client, people.citizen, application)


def test_citizens_and_their_permit_do_not_see_internal_version_numbers(client, people):
    application = cases.approved(people.citizen, people)
    page = _case_page(client, people.citizen, application)
    assert "Service version" not in page and 'id="service-version"' not in page and "process version" not in page
    text = _letter_text(application)
    assert "version" not in text.lower()
    # the staff still read which version a case runs under
    assert 'id="service-version">1</dd>' in _case_page(client, people.supervisor, application)


PERMIT_FIELDS = ["site_address", "cadastral_number", "building_type", "floors", "floor_area"]


def test_the_form_and_the_answers_keep_the_order_the_service_wrote(client, people, permit_service):
    """The schema comes back from the database (PostgreSQL's jsonb sorts an object's keys): the form still asks
    for the site address first, and the case page lists the answers in the same order."""
    version = permit_service.versions.get()
    version.refresh_from_db()
    form = application_form_class(version)()
    assert [name for name in form.fields if name in PERMIT_FIELDS] == PERMIT_FIELDS
    client.force_login(people.citizen)
    application = cases.submitted(people.citizen)
    page = client.get(reverse("eservices:application", args=[application.pk])).content.decode()
    labels = ["Site address", "Cadastral number", "Type of building", "Number of floors", "Total floor area"]
    assert sorted(labels, key=page.index) == labels


def test_a_service_may_give_its_own_order_of_fields():
    schema = {"required": ["b"], "x-order": ["c", "b"], "properties": {"a": {}, "b": {}, "c": {}, "d": {}}}
    assert [name for name, _spec in ordered_properties(schema)] == ["c", "b", "a", "d"]
    assert [name for name, _spec in ordered_properties({"required": ["z"], "properties": {"y": {}, "z": {}}})] == [
        "z", "y"]
