"""The pyHanko side of documents.signing: making a PAdES signature with a key
pair already loaded, and checking the last signature of a PDF offline."""

import functools
import io
import logging

from asn1crypto import algos, cms
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from django.utils import timezone
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError, as_signing_certificate_v2
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

from .signing import SignatureReport

log = logging.getLogger(__name__)


def _asn1(certificate):
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _reloaded(value):
    """``value`` parsed back from its own DER: asn1crypto then dumps it by copying the bytes
    instead of encoding every field again."""
    return type(value).load(value.dump())


class KeyHoldingSigner(signers.Signer):
    """pyHanko's signer interface over a key pyca/cryptography has loaded once.

    The PAdES B-B container of a PDF signature (what ``PadesSigning`` asks for) is put
    together here from parts encoded once: of its signed attributes only the message digest
    changes from one letter to the next, and the certificates, the signer's identifier and the
    algorithms never do. pyHanko's general path builds and encodes all of them afresh through
    asn1crypto for every signature, which costs several times the RSA operation. Any other
    request (a dry run, a time-stamp, CAdES attributes, another digest) goes pyHanko's way."""

    DIGEST = "sha256"

    def __init__(self, key_pair):
        super().__init__(signing_cert=_asn1(key_pair.certificate),
                         cert_registry=SimpleCertificateStore.from_certs([_asn1(c) for c in key_pair.chain]))
        self._key = key_pair.key
        self._parts = None

    def _constant_parts(self):
        if self._parts is None:
            certificate = self.signing_cert
            digest = algos.DigestAlgorithm({"algorithm": self.DIGEST})
            self._parts = {
                "content_type": _reloaded(cms.CMSAttribute({"type": "content_type", "values": ["data"]})),
                "signing_certificate": _reloaded(cms.CMSAttribute(
                    {"type": "signing_certificate_v2", "values": [as_signing_certificate_v2(certificate)]})),
                "sid": _reloaded(cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
                    {"issuer": certificate.issuer, "serial_number": certificate.serial_number})})),
                "digest_algorithm": digest,
                "digest_algorithms": _reloaded(cms.DigestAlgorithms([digest])),
                "signature_algorithm": _reloaded(self.get_signature_mechanism_for_digest(self.DIGEST)),
                "certificates": _reloaded(cms.CertificateSet(
                    [cms.CertificateChoices(name="certificate", value=c)
                     for c in (certificate, *(c for c in self.cert_registry if c.self_signed == "no"))])),
            }
        return self._parts

    async def async_sign(self, data_digest, digest_algorithm, dry_run=False, use_pades=False, timestamper=None,
                         signed_attr_settings=None, is_pdf_sig=True, encap_content_info=None):
        settings = signed_attr_settings
        plain_pades = (use_pades and is_pdf_sig and not dry_run and timestamper is None and encap_content_info is None
                       and digest_algorithm.lower() == self.DIGEST and not self.attribute_certs
                       and (settings is None or (settings.cades_signed_attrs is None
                                                 and getattr(settings, "adobe_revinfo_attr", None) is None)))
        if not plain_pades:
            return await super().async_sign(
                data_digest, digest_algorithm, dry_run=dry_run, use_pades=use_pades, timestamper=timestamper,
                signed_attr_settings=signed_attr_settings, is_pdf_sig=is_pdf_sig,
                encap_content_info=encap_content_info)
        parts = self._constant_parts()
        signed_attrs = cms.CMSAttributes([
            parts["content_type"],
            cms.CMSAttribute({"type": "message_digest", "values": [data_digest]}),
            parts["signing_certificate"],
        ])
        signature = await self.async_sign_raw(signed_attrs.dump(), self.DIGEST)
        signer_info = cms.SignerInfo({
            "version": "v1", "sid": parts["sid"], "digest_algorithm": parts["digest_algorithm"],
            "signed_attrs": signed_attrs, "signature_algorithm": parts["signature_algorithm"],
            "signature": signature,
        })
        return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData({
            "version": "v1", "digest_algorithms": parts["digest_algorithms"],
            "encap_content_info": {"content_type": "data"}, "certificates": parts["certificates"],
            "signer_infos": [signer_info],
        })})

    async def async_sign_raw(self, data, digest_algorithm, dry_run=False):
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        algorithm, key = mechanism.signature_algo, self._key
        if isinstance(key, rsa.RSAPrivateKey) and algorithm == "rsassa_pkcs1v15":
            return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if isinstance(key, rsa.RSAPrivateKey) and algorithm == "rsassa_pss":
            pss, hash_algorithm = process_pss_params(mechanism["parameters"])
            return key.sign(data, pss, hash_algorithm)
        if isinstance(key, ec.EllipticCurvePrivateKey) and algorithm == "ecdsa":
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
            return key.sign(data)
        raise SigningError(f"A {type(key).__name__} cannot make a {algorithm} signature.")


class PadesSigning:
    """Adds one invisible PAdES signature (sub-filter ETSI.CAdES.detached, SHA-256) to a PDF.
    The widget of an invisible signature has no area and the print flag, as PDF/A wants."""

    def __init__(self, key_pair, *, field_name):
        self._signer = KeyHoldingSigner(key_pair)
        self._metadata = PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256",
                                              subfilter=SigSeedSubFilter.PADES)
        # Room for the signature container (hex digits, two per byte): the certificates, the
        # signed attributes and the signature. Given it, pyHanko makes no trial signature to measure.
        certificates = (key_pair.certificate, *key_pair.chain)
        self._reserved = 2 * (3072 + sum(len(c.public_bytes(serialization.Encoding.DER)) for c in certificates))

    def sign(self, pdf):
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        return signers.sign_pdf(writer, self._metadata, signer=self._signer,
                                bytes_reserved=self._reserved).getvalue()


@functools.cache
def _trust_roots(paths):
    return tuple(load_certs_from_pemder(list(paths))) if paths else ()


def last_signature_report(pdf, *, trust_root_paths=()):
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except (PdfError, ValueError, KeyError) as exc:
        return SignatureReport(signed=False, problem=f"unreadable PDF: {exc}"[:300])
    if not signatures:
        return SignatureReport(signed=False)
    context = ValidationContext(trust_roots=list(_trust_roots(trust_root_paths)), allow_fetching=False,
                                revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(signatures[-1], context)
    except Exception as exc:  # noqa: BLE001 - whatever stops the check, the signature is not confirmed
        log.warning("A signature could not be checked: %r", exc)
        return SignatureReport(signed=True, problem=str(exc)[:300])
    certificate = status.signing_cert
    subject = certificate.subject
    cryptographically_sound = bool(status.intact and status.valid)
    valid = cryptographically_sound and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    problem = "" if valid else ("changed after signing" if cryptographically_sound else "signature does not match")
    return SignatureReport(
        signed=True, valid=valid, trusted=valid and status.trusted,
        subject=subject.native.get("common_name") or subject.human_friendly, self_signed=certificate.self_signed != "no",
        signed_at=status.signer_reported_dt and timezone.localtime(status.signer_reported_dt), problem=problem,
    )
