from django import template

from eservices.selectors import documents_of_application

register = template.Library()


@register.filter
def application_documents(application):
    """The application's documents, named in the reader's language (eservices.selectors)."""
    return documents_of_application(application)
