"""Reference numbers any app can take: gap-free per series and year, given back on rollback."""

import pytest
from django.db import transaction

from core.models import ReferenceSequence
from core.references import number_take_next, reference_take_next


@pytest.mark.django_db
def test_each_series_and_year_counts_from_one_in_its_own_format():
    with transaction.atomic():
        first = reference_take_next(series="MIN-OUT", year=2026, format="{series}-{year}/{number:05d}")
        second = reference_take_next(series="MIN-OUT", year=2026, format="{series}-{year}/{number:05d}")
        other_year = reference_take_next(series="MIN-OUT", year=2027, format="{series}-{year}/{number:05d}")
        permit = reference_take_next(series="BP", year=2026)
    assert (first, second, other_year, permit) == ("MIN-OUT-2026/00001", "MIN-OUT-2026/00002",
                                                   "MIN-OUT-2027/00001", "BP-2026-000001")


@pytest.mark.django_db
def test_a_rolled_back_record_gives_its_number_back():
    with transaction.atomic():
        assert number_take_next(series="PR", year=2026) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert number_take_next(series="PR", year=2026) == 2
        raise RuntimeError("the report could not be saved")
    with transaction.atomic():
        assert number_take_next(series="PR", year=2026) == 2
    assert ReferenceSequence.objects.get(series="PR", year=2026).last_value == 2


@pytest.mark.django_db(transaction=True)
def test_a_number_is_only_taken_inside_the_callers_transaction():
    with pytest.raises(RuntimeError, match="inside the caller's transaction"):
        number_take_next(series="PR", year=2026)
