def add_domain_errors(form, exc):
    """Show a service's ValidationFailed on the form it came from."""
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
    if not exc.fields:
        form.add_error(None, exc.message)
