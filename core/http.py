"""Small readings of a request that must never fail on what a client sent."""


def declared_content_length(request):
    """The body length the client announced (0 when absent or not a number)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0
