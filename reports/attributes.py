"""Answers to a category's questions (its CategoryAttribute rows, an Open311 service definition's attributes):
checked against each question's kind, whether it is required and, for a list, the answers it offers; and the
W3C date-time (ISO 8601) the questions and Open311's filters are written in."""

import datetime
import math
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.validators import invisible_controls_in, invisible_controls_message

from .models import DESCRIPTION_MAX, CategoryAttribute

Datatype = CategoryAttribute.Datatype
#: the longest short-text answer; a long-text answer may be as long as a description
STRING_MAX = 300


def parse_w3c_datetime(text):
    """An aware datetime from a W3C date-time (``2026-03-01T08:15:30+05:00``, ``…Z``, or a date alone, which
    means its midnight); without an offset, the city's time. None when ``text`` is not one."""
    text = (text or "").strip()
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            moment = datetime.datetime.combine(day, datetime.time()) if day is not None else None
    except ValueError:  # well formed, but no such day or hour
        return None
    if moment is None:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def field_name(code):
    """How Open311 names the answer to a question in a posted form."""
    return f"attribute[{code}]"


def clean_answers(category, answers):
    """The answers to ``category``'s questions, checked: ``{code: value}`` (a list of keys for a question of
    several answers, a number for a number, the W3C text of a date-time), unanswered optional questions left out,
    answers to questions the category does not ask dropped. ValidationFailed naming each wrong answer
    (``attribute[CODE]``) otherwise."""
    answers = answers or {}
    cleaned, problems = {}, {}
    for question in category.attributes.all():
        given = _given(answers.get(question.code))
        if not given:
            if question.required:
                problems[field_name(question.code)] = [_("Answer the question “%(question)s”.")
                                                       % {"question": question.description}]
            continue
        try:
            cleaned[question.code] = _answer(question, given)
        except ValueError as wrong:
            problems[field_name(question.code)] = [str(wrong)]
    if problems:
        raise ValidationFailed(next(iter(problems.values()))[0], code="attribute_invalid", fields=problems)
    return cleaned


def _given(value):
    """The answer as a list of non-empty strings (one for every kind but a list of several)."""
    values = value if isinstance(value, list | tuple) else [value]
    found = []
    for item in values:
        if item is None or isinstance(item, bool):
            continue
        text = str(item).strip()
        if text:
            found.append(text)
    return found


def _answer(question, given):
    if question.datatype == Datatype.MULTI:
        keys = [_listed(question, text) for text in given]
        return list(dict.fromkeys(keys))
    if len(given) > 1:
        raise ValueError(_("Give one answer to “%(question)s”.") % {"question": question.description})
    text = given[0]
    if question.datatype == Datatype.SINGLE:
        return _listed(question, text)
    if question.datatype == Datatype.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not math.isfinite(float(number)):
            raise ValueError(_("The answer to “%(question)s” must be a number.") % {"question": question.description})
        return int(number) if number == number.to_integral_value() else float(number)
    if question.datatype == Datatype.DATETIME:
        moment = parse_w3c_datetime(text)
        if moment is None:
            raise ValueError(_("The answer to “%(question)s” must be a date and time, such as "
                               "2026-03-01T08:15:00+05:00.") % {"question": question.description})
        return moment.isoformat()
    limit = DESCRIPTION_MAX if question.datatype == Datatype.TEXT else STRING_MAX
    if len(text) > limit:
        raise ValueError(_("The answer to “%(question)s” is %(length)d characters long; the limit is %(limit)d.")
                         % {"question": question.description, "length": len(text), "limit": limit})
    found = invisible_controls_in(text)
    if found:
        raise ValueError(invisible_controls_message(found))
    return text


def _listed(question, text):
    keys = [str(value.get("key", "")).strip() for value in question.values or []]
    if text not in keys:
        raise ValueError(_("“%(answer)s” is not one of the answers to “%(question)s”: choose %(keys)s.")
                         % {"answer": text[:50], "question": question.description, "keys": ", ".join(keys)})
    return text
