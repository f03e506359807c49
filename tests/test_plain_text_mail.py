"""E-mails are plain text: a name with apostrophes or a comment with an ampersand reads in the e-mail exactly as it
was typed, never as HTML entities (O&#x27;g&#x27;li, &amp;)."""

import re
from pathlib import Path

from django.conf import settings
from django.core import mail

from accounts.services import user_signup
from core.outbox import outbox_deliver_due

from .cases import check_completeness, submitted
from .factories import UserFactory

COMMENT = "The site plan & the roof plan are unreadable; the owner's signature is missing."


def test_a_correction_email_reads_the_name_and_the_comment_as_typed(db, people):
    applicant = UserFactory(full_name="Ali O'g'li", email="ali@example.org")
    application = check_completeness(submitted(applicant), people.clerk, complete=False, comment=COMMENT)
    outbox_deliver_due()
    [message] = [m for m in mail.outbox if m.to == ["ali@example.org"] and application.reference in m.subject
                 and "correction" in m.body]
    assert "Hello Ali O'g'li," in message.body
    assert COMMENT in message.body
    assert "&#x27;" not in message.body + message.subject and "&amp;" not in message.body + message.subject


def test_the_verification_email_greets_a_name_with_apostrophes_as_written(db):
    user_signup(email="ali@example.org", full_name="Ali O'g'li & Sons", password="a-long-Passphrase-42")
    outbox_deliver_due()
    [message] = mail.outbox
    assert "Hello Ali O'g'li & Sons," in message.body


def test_no_code_renders_a_text_template_with_the_escaping_html_engine():
    """Plain-text templates go through core.mail.render_text (the unescaped "text" engine); rendering one with
    render_to_string would bring the entities back."""
    offenders = []
    for path in Path(settings.BASE_DIR).rglob("*.py"):
        if {".venv", "node_modules", "tests"} & set(path.relative_to(settings.BASE_DIR).parts):
            continue
        if re.search(r"render_to_string\([^)]*\.txt", path.read_text()):
            offenders.append(str(path))
    assert offenders == []
