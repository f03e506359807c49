"""Electronic signatures of issued PDFs, and their check on the verify page.

Who signs is pluggable: ``settings.MUNIS_PDF_SIGNER`` names a class (or any
callable without arguments) that returns a ``Signer``: ``sign(pdf) -> pdf`` and
``describe()`` for what the issued record and the verify page say about it. An
empty setting issues documents unsigned.

The built-in ``PadesSigner`` makes a PAdES baseline signature (B-B: the signing
certificate inside the signed attributes, no time-stamp authority, nothing
fetched from the network) with pyHanko and the municipality's key pair from
``MUNIS_SIGNING_KEY`` / ``MUNIS_SIGNING_CERT``. Without them it makes a
self-signed development certificate once under ``MUNIS_SIGNING_DEV_DIR`` when
``MUNIS_SIGNING_DEV_CERTIFICATE`` is on (``make run``, the tests); in production
it is off, and documents are issued unsigned with a warning in the log: the
hash recorded at issue and the verify page still prove what was issued (see
README, "Issued documents and /verify/").

The key is loaded once per process and signs through pyca/cryptography
directly: pyHanko's own ``SimpleSigner`` decodes the key again for every
signature, which for an RSA key costs more than rendering the letter.
"""

import datetime
import functools
import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

KEY_FILE = "municipality-key.pem"
CERT_FILE = "municipality-cert.pem"
DEV_FOLDER = "development"
SIGNATURE_FIELD = "MunisSignature"
METHOD = "PAdES B-B (pyHanko)"


@dataclass(frozen=True)
class SignerDescription:
    """What is said about a signer: the subject people read, how it signs, and
    which certificate (its SHA-256 fingerprint)."""

    subject: str
    method: str
    certificate_sha256: str = ""
    self_signed: bool = False


@runtime_checkable
class Signer(Protocol):
    def sign(self, pdf: bytes) -> bytes:
        """The same PDF with a signature added (an incremental update)."""

    def describe(self) -> SignerDescription:
        """Who signs, for the issued record and the verify page."""


class SigningNotConfigured(Exception):
    """No key to sign with: documents are issued unsigned."""


class SigningConfigurationError(Exception):
    """The configured key pair cannot be used; the message says why."""


# --- key pairs -----------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    key: object  # a pyca/cryptography private key
    certificate: x509.Certificate
    chain: tuple = ()  # further certificates to embed (intermediate CAs)


def _read(path, what):
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SigningConfigurationError(f"The {what} {path} cannot be read: {exc.strerror or exc}.") from exc


def _load_certificates(data):
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def load_key_pair(key_path, cert_path, *, passphrase="", chain_paths=()):
    """The key pair from its files, checked: the key opens, and belongs to the certificate."""
    key_data, cert_data = _read(key_path, "signing key"), _read(cert_path, "signing certificate")
    password = passphrase.encode() if passphrase else None
    try:
        if b"-----BEGIN" in key_data:
            key = serialization.load_pem_private_key(key_data, password=password)
        else:
            key = serialization.load_der_private_key(key_data, password=password)
    except (ValueError, TypeError) as exc:
        raise SigningConfigurationError(
            f"The signing key {key_path} cannot be opened ({exc}). Is MUNIS_SIGNING_KEY_PASSPHRASE right?") from exc
    try:
        certificate = _load_certificates(cert_data)[0]
        chain = tuple(cert for path in chain_paths for cert in _load_certificates(_read(path, "CA certificate")))
    except ValueError as exc:
        raise SigningConfigurationError(f"A signing certificate cannot be read: {exc}.") from exc
    if key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != \
            certificate.public_key().public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo):
        raise SigningConfigurationError(f"The signing key {key_path} does not belong to the certificate {cert_path}.")
    return KeyPair(key=key, certificate=certificate, chain=chain)


def generate_key_pair(directory, *, name, days=3650):
    """A new RSA key and a self-signed certificate for ``name`` as ``directory``/KEY_FILE and CERT_FILE."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name[:64]),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, name[:64])])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    os.chmod(key_path, 0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def development_key_pair(directory):
    """The development key pair under ``directory``, made the first time (and again once expired).
    Made in a folder of its own and renamed into place, so processes starting together agree on one."""
    directory = Path(directory)
    target = directory / DEV_FOLDER
    key_path, cert_path = target / KEY_FILE, target / CERT_FILE
    if key_path.exists() and cert_path.exists():
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if certificate.not_valid_after_utc > datetime.datetime.now(datetime.UTC):
            return key_path, cert_path
        shutil.rmtree(target, ignore_errors=True)
    name = f"{settings.MUNIS_MUNICIPALITY_NAME} (development certificate)"
    scratch = directory / f".new-{uuid.uuid4().hex}"
    generate_key_pair(scratch, name=name)
    try:
        os.rename(scratch, target)
        log.warning("Made a self-signed development signing certificate in %s (not for production).", target)
    except OSError:  # another process was quicker: use its pair
        shutil.rmtree(scratch, ignore_errors=True)
    return key_path, cert_path


def configured_key_pair():
    """The key pair the settings name: the municipality's, or the development one."""
    key_path, cert_path = settings.MUNIS_SIGNING_KEY, settings.MUNIS_SIGNING_CERT
    if bool(key_path) != bool(cert_path):
        raise SigningConfigurationError("Set both MUNIS_SIGNING_KEY and MUNIS_SIGNING_CERT, or neither.")
    if key_path:
        return load_key_pair(key_path, cert_path, passphrase=settings.MUNIS_SIGNING_KEY_PASSPHRASE,
                             chain_paths=settings.MUNIS_SIGNING_CHAIN)
    if settings.MUNIS_SIGNING_DEV_CERTIFICATE:
        return load_key_pair(*development_key_pair(settings.MUNIS_SIGNING_DEV_DIR))
    raise SigningNotConfigured("No signing key is configured (MUNIS_SIGNING_KEY, MUNIS_SIGNING_CERT).")


# --- the PAdES signer ------------------------------------------------------------------


def subject_label(name):
    """A certificate subject as people read it: its common name, else the whole name."""
    common = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return common[0].value if common else name.rfc4514_string()


class PadesSigner:
    """PAdES signatures with the municipality's key pair (see the module docstring)."""

    def __init__(self, key_pair=None):
        from . import pades  # pyHanko takes a third of a second to import: only where it signs

        self.key_pair = key_pair or configured_key_pair()
        self._pades = pades.PadesSigning(self.key_pair, field_name=SIGNATURE_FIELD)
        certificate = self.key_pair.certificate
        self._description = SignerDescription(
            subject=subject_label(certificate.subject), method=METHOD,
            certificate_sha256=certificate.fingerprint(hashes.SHA256()).hex(),
            self_signed=certificate.issuer == certificate.subject)

    def sign(self, pdf):
        return self._pades.sign(pdf)

    def describe(self):
        return self._description


# --- the configured signer ------------------------------------------------------------


def _settings_key():
    return (settings.MUNIS_PDF_SIGNER, settings.MUNIS_SIGNING_KEY, settings.MUNIS_SIGNING_CERT,
            settings.MUNIS_SIGNING_KEY_PASSPHRASE, tuple(settings.MUNIS_SIGNING_CHAIN),
            settings.MUNIS_SIGNING_DEV_CERTIFICATE, str(settings.MUNIS_SIGNING_DEV_DIR))


@functools.cache
def _signer_for(key):
    path = key[0]
    if not path:
        return None
    try:
        return import_string(path)()
    except SigningNotConfigured as exc:
        log.warning("Issued documents will not be signed: %s Set MUNIS_SIGNING_KEY and MUNIS_SIGNING_CERT "
                    "(see README, “Issued documents and /verify/”).", exc)
        return None


def configured_signer():
    """The signer of ``MUNIS_PDF_SIGNER``, made once per process and settings; None: issue unsigned."""
    return _signer_for(_settings_key())


# --- checking a signature ----------------------------------------------------------------


@dataclass(frozen=True)
class SignatureReport:
    """What pyHanko found in a PDF's last signature.

    ``valid``: the signature is mathematically correct and covers the whole file
    as it is (nothing added or changed after signing). ``trusted``: besides, its
    certificate chains up to an authority of ``MUNIS_SIGNING_TRUST_ROOTS``."""

    signed: bool
    valid: bool = False
    trusted: bool = False
    subject: str = ""
    self_signed: bool = False
    signed_at: datetime.datetime | None = None
    problem: str = ""


def signature_report(pdf):
    """Check the last signature of ``pdf`` (bytes) offline: no certificate or revocation
    information is fetched, so the answer depends on nothing but the bytes and the settings."""
    from . import pades

    return pades.last_signature_report(pdf, trust_root_paths=tuple(settings.MUNIS_SIGNING_TRUST_ROOTS))
