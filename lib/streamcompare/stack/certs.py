"""A private certificate authority for the secure profile, made with `cryptography`; nothing from the internet.

The CA signs one certificate per Kafka node (CN=broker, SANs 127.0.0.1 and localhost, so clients that
verify host names accept it), one client certificate for the SSL listener's mutual TLS, and one server
certificate for the local IAM-enforcing Kinesis endpoint. Kafka nodes read a PKCS#12 keystore (its
password is a secret) and a PEM truststore; librdkafka and boto3 read PEM files.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ORGANISATION = "streamcompare local CA"
CA_DAYS = 1825
"""Five years for the CA, one for leaf certificates: common practice, and both expiries are reported."""
LEAF_DAYS = 365
LOOPBACK_NAMES = ("localhost",)
LOOPBACK_IPS = ("127.0.0.1",)


@dataclass(frozen=True)
class Issued:
    """One certificate the kit wrote: what it is for, its files and when it expires."""

    name: str
    subject: str
    not_after: str
    files: tuple[str, ...]


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read (0600), created with that mode (never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


class CertificateAuthority:
    """A self-signed CA that issues the stack's certificates."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.now = dt.datetime.now(dt.UTC)
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
                          x509.NameAttribute(NameOID.COMMON_NAME, "streamcompare local CA")])
        self.name = name
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(self.now - dt.timedelta(minutes=5))
                     .not_valid_after(self.now + dt.timedelta(days=CA_DAYS))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                     .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                  content_commitment=False, key_encipherment=False,
                                                  data_encipherment=False, key_agreement=False,
                                                  encipher_only=False, decipher_only=False), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.issued: list[Issued] = []

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    def write_ca(self) -> Path:
        """The CA certificate (public) that every client trusts; the CA key is never written."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.ca_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        self.issued.append(Issued("certificate authority", self.cert.subject.rfc4514_string(),
                                  self.cert.not_valid_after_utc.isoformat(), (str(self.ca_file),)))
        return self.ca_file

    def leaf(self, common_name: str, *, server: bool, client: bool) -> tuple[ec.EllipticCurvePrivateKey,
                                                                              x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        usages = ([ExtendedKeyUsageOID.SERVER_AUTH] if server else []) + \
            ([ExtendedKeyUsageOID.CLIENT_AUTH] if client else [])
        subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "streamcompare"),
                             x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(self.name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(self.now - dt.timedelta(minutes=5))
                   .not_valid_after(self.now + dt.timedelta(days=LEAF_DAYS))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.ExtendedKeyUsage(usages), critical=False))
        if server:
            sans: list[x509.GeneralName] = [x509.DNSName(n) for n in LOOPBACK_NAMES]
            sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in LOOPBACK_IPS]
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return key, builder.sign(self.key, hashes.SHA256())

    def pkcs12_keystore(self, path: Path, common_name: str, password: str, purpose: str) -> Path:
        """A server+client certificate and its key in a password-protected PKCS#12 file (for a Kafka node)."""
        key, cert = self.leaf(common_name, server=True, client=True)
        data = pkcs12.serialize_key_and_certificates(
            common_name.encode(), key, cert, [self.cert],
            serialization.BestAvailableEncryption(password.encode()))
        write_private(path, data)
        self.issued.append(Issued(purpose, cert.subject.rfc4514_string(), cert.not_valid_after_utc.isoformat(),
                                  (str(path),)))
        return path

    def pem_pair(self, cert_path: Path, key_path: Path, common_name: str, *, server: bool, client: bool,
                 purpose: str, password: str | None = None) -> tuple[Path, Path]:
        """A certificate (PEM) and its key (PEM, PKCS#8, encrypted when a password is given; 0600)."""
        key, cert = self.leaf(common_name, server=server, client=client)
        cert_path.parent.mkdir(parents=True, exist_ok=True)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password.encode()) if password
            else serialization.NoEncryption())
        write_private(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  encryption))
        self.issued.append(Issued(purpose, cert.subject.rfc4514_string(), cert.not_valid_after_utc.isoformat(),
                                  (str(cert_path), str(key_path))))
        return cert_path, key_path


def describe_certificate(path: Path) -> dict[str, str]:
    """Subject, issuer and validity of a PEM certificate file (for `stack status` and the effort table)."""
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return {"subject": cert.subject.rfc4514_string(), "issuer": cert.issuer.rfc4514_string(),
            "not_after": cert.not_valid_after_utc.isoformat()}
