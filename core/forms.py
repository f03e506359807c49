def add_domain_errors(form, exc):
    """Show a service's ValidationFailed on the form it came from; returns the status the page
    answers with: 400, or the error's own (503 when a file could not be checked for viruses, so
    the citizen and any client retrying know to try again later)."""
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
    if not exc.fields:
        form.add_error(None, exc.message)
    return exc.status
