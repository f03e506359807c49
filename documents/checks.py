"""System checks of the signing set-up: a configured key pair that cannot sign
stops the deployment (``manage.py check``, ``migrate``) with the reason, rather
than the first permit. No key at all is not an error: documents are then issued
unsigned, with a warning in the log (see documents.signing)."""

import datetime

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.utils.module_loading import import_string

from .signing import SigningConfigurationError, load_key_pair

EXPIRY_WARNING = datetime.timedelta(days=30)


@register()
def signing_configuration(app_configs, **kwargs):
    problems = []
    if settings.MUNIS_PDF_SIGNER:
        try:
            import_string(settings.MUNIS_PDF_SIGNER)
        except ImportError as exc:
            problems.append(Error(f"MUNIS_PDF_SIGNER = {settings.MUNIS_PDF_SIGNER!r} cannot be imported: {exc}",
                                  hint="Name a class or factory of a documents.signing.Signer, or leave it empty "
                                       "to issue documents unsigned.", id="documents.E001"))
    key_path, cert_path = settings.MUNIS_SIGNING_KEY, settings.MUNIS_SIGNING_CERT
    if not (key_path or cert_path):
        return problems
    if not (key_path and cert_path):
        return [*problems, Error("Only one of MUNIS_SIGNING_KEY and MUNIS_SIGNING_CERT is set.",
                                 hint="Set both (the key file and its certificate), or neither.", id="documents.E002")]
    try:
        pair = load_key_pair(key_path, cert_path, passphrase=settings.MUNIS_SIGNING_KEY_PASSPHRASE,
                             chain_paths=settings.MUNIS_SIGNING_CHAIN)
    except SigningConfigurationError as exc:
        return [*problems, Error(f"The municipality's signing key cannot be used: {exc}", id="documents.E003")]
    left = pair.certificate.not_valid_after_utc - datetime.datetime.now(datetime.UTC)
    if left <= datetime.timedelta(0):
        problems.append(Error(f"The signing certificate {cert_path} expired on "
                              f"{pair.certificate.not_valid_after_utc:%Y-%m-%d}.",
                              hint="Renew it and point MUNIS_SIGNING_CERT at the new one.", id="documents.E004"))
    elif left < EXPIRY_WARNING:
        problems.append(Warning(f"The signing certificate {cert_path} expires on "
                                f"{pair.certificate.not_valid_after_utc:%Y-%m-%d}.",
                                hint="Renew it before then.", id="documents.W001"))
    return problems
