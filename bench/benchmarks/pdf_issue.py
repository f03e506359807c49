"""Issuing a permit letter against WeasyPrint alone on the same HTML, in-process.

Ours, one operation: ``documents.issuing.document_issue`` of the building-permit letter
(``permits/decision.html``) for one approved case, as ``permit_issue_letter``
calls it: a fresh verification code, the template rendered with the letterhead and a QR
code, WeasyPrint as PDF/A-3b, a PAdES signature (pyHanko) with a municipality key pair
configured as in production (an RSA-3072 key and certificate made for the run), the PDF
stored as the next version of the case's decision letter (content-addressed blob on local
files, version row, row history), the IssuedDocument row and the audit event, in one
transaction.

Baseline: ``HTML(string=html).write_pdf(stylesheets=[CSS(filename=letter.css)])`` of that
template rendered once beforehand (same context, same QR code) with the letterhead stylesheet
the template is made for: what rendering the letter costs with nothing around it. Ours keeps
WeasyPrint's font configuration and the parsed stylesheet between letters (documents.pdf);
the baseline makes both afresh, as a plain WeasyPrint call does.

One thread, ``-n`` operations per side in alternating rounds; the figure is the mean
time of one operation, so the ratio ours / baseline is lower-is-better, target at most
1.2x. Afterwards the steps of ours are timed one by one (code and QR code, template,
PDF/A rendering, signature, and the rest: storing, the rows and the audit; medians) to
show where the time goes.
"""

import statistics
import time

from bench import Comparison, register
from bench.load import compare, run_load

TARGET = 1.2
STEPS_SAMPLE = 20


@register("pdf_issue", "Permit letter issued (render + QR + PDF/A + sign + store) vs WeasyPrint alone, same HTML")
def run(ctx):
    from django.conf import settings
    from weasyprint import CSS, HTML

    from documents import signing
    from documents.pdf import LETTER_STYLESHEET

    key, cert = signing.generate_key_pair(ctx.tmp_dir / "signing", name="Bench City Hall")
    settings.MUNIS_SIGNING_KEY, settings.MUNIS_SIGNING_CERT = str(key), str(cert)
    letter = _Letter()
    html = letter.html()

    def ours(_client):
        letter.issue()

    def baseline(_client):
        HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(LETTER_STYLESHEET))])

    if ctx.warmup:
        run_load(ours, [None], ctx.warmup)
        run_load(baseline, [None], ctx.warmup)
    ours_load, baseline_load = compare((ours, [None]), (baseline, [None]), count=ctx.requests, rounds=ctx.rounds)
    ours_ms = statistics.fmean(ours_load.latencies) * 1000
    baseline_ms = statistics.fmean(baseline_load.latencies) * 1000
    steps = letter.steps(STEPS_SAMPLE)
    print(f"  mean per letter: {ours_ms:.1f} ms issued, {baseline_ms:.1f} ms WeasyPrint alone "
          f"({ours_ms / baseline_ms:.2f}x); PDF {letter.size_kb():.0f} KiB signed")
    print("  ours step by step (median of {}): {}".format(
        STEPS_SAMPLE, ", ".join(f"{name} {ms:.1f} ms" for name, ms in steps.items())))
    return Comparison(
        name="pdf_issue", ours=ours_ms, baseline=baseline_ms, target=TARGET, unit="ms mean", lower_is_better=True,
        details={"ours": ours_load.summary(), "baseline": baseline_load.summary(),
                 "steps_ms": {name: round(ms, 2) for name, ms in steps.items()}},
    )


class _Letter:
    """One approved building-permit case and the arguments ``permit_issue_letter`` passes."""

    def __init__(self):
        import datetime

        from django.utils import timezone

        from documents.selectors import document_class
        from eservices.models import Application
        from permits.catalog import ensure_building_permit_service
        from permits.document_classes import DECISION_LETTER
        from tests import cases
        from tests.factories import UserFactory

        ensure_building_permit_service()
        applicant = UserFactory(email="bench-pdf-citizen@bench.local", full_name="Bench Applicant")
        application = cases.submitted(applicant)
        now = timezone.now()
        Application.objects.filter(pk=application.pk).update(status=Application.Status.APPROVED, decided_at=now)
        application.refresh_from_db()
        self.application = application
        self.arguments = dict(
            actor=None, case=application, code="decision_letter", title=f"Building permit {application.reference}",
            document_class=document_class(DECISION_LETTER), template_name="permits/decision.html",
            context={"application": application, "approved": True,
                     "valid_until": now + datetime.timedelta(days=3 * 365)},
            issued_to=applicant.full_name, language="en", owner=application.service_type.department,
            file_name=f"{application.reference}-permit.pdf")
        self.last = None

    def issue(self):
        from documents.issuing import document_issue

        self.last = document_issue(**self.arguments)
        return self.last

    def facts(self):
        from django.utils import timezone

        from core.branding import municipality_name
        from documents.codes import format_code, new_code
        from documents.letters import LetterFacts, qr_data_uri, verify_url

        display = format_code(new_code())
        url = verify_url(display)
        return LetterFacts(code=display.replace("-", ""), display_code=display, verify_url=url, qr=qr_data_uri(url),
                           municipality=municipality_name("en"), title=self.arguments["title"], language="en",
                           issued_at=timezone.now())

    def html(self, facts=None):
        from documents.pdf import render_html

        return render_html(self.arguments["template_name"],
                           {**self.arguments["context"], "issued": facts or self.facts()}, language="en")

    def size_kb(self):
        return self.last.version.size / 1024 if self.last else 0.0

    def steps(self, count):
        """Median milliseconds of each step of ours, timed on its own (medians: this machine is shared)."""
        from documents.pdf import LETTER_STYLESHEET, PDF_A, html_to_pdf
        from documents.signing import configured_signer

        timings = {"code and QR code": [], "template": [], "PDF/A rendering": [], "signature": [], "issue in all": []}
        signer = configured_signer()
        for _ in range(count):
            began = time.perf_counter()
            facts = self.facts()
            timings["code and QR code"].append(time.perf_counter() - began)
            began = time.perf_counter()
            html = self.html(facts)
            timings["template"].append(time.perf_counter() - began)
            began = time.perf_counter()
            pdf = html_to_pdf(html, pdf_variant=PDF_A, stylesheets=[LETTER_STYLESHEET])
            timings["PDF/A rendering"].append(time.perf_counter() - began)
            began = time.perf_counter()
            signer.sign(pdf)
            timings["signature"].append(time.perf_counter() - began)
            began = time.perf_counter()
            self.issue()
            timings["issue in all"].append(time.perf_counter() - began)
        medians = {name: statistics.median(values) * 1000 for name, values in timings.items()}
        parts = sum(ms for name, ms in medians.items() if name != "issue in all")
        medians["store, rows and audit (the rest)"] = medians["issue in all"] - parts
        return medians
