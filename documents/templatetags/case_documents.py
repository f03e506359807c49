from django import template

from documents.selectors import documents_of_case

register = template.Library()


@register.filter
def case_documents(case):
    """The case's documents, each with ``versions_newest_first``."""
    return documents_of_case(case) if case is not None and case.pk else []
