"""TLS for one HTTP partner: the CA that signs its server's certificate, and the client
certificate Gatehouse shows it, set per partner in ``GATEHOUSE_PARTNER_TLS__<PARTNER>`` as
JSON, e.g. ``{"ca_file": "/etc/gatehouse/delius-ca.pem", "cert_file": "...", "key_file":
"..."}``, or field by field (``GATEHOUSE_PARTNER_TLS__DELIUS__CA_FILE=...``).

With ``ca_file`` the partner's certificate must chain to that CA alone (the system's CAs are
not consulted); without it, to one of the system's. The host name is always checked.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from pydantic import BaseModel, model_validator


class PartnerTlsError(ValueError):
    """A partner's TLS files cannot be used; the message names the file and why."""


class PartnerTls(BaseModel):
    """One partner's CA file and optional client certificate and key (PEM files)."""

    model_config = {"frozen": True, "extra": "forbid"}

    ca_file: Path | None = None
    cert_file: Path | None = None
    """Our client certificate, for a partner that asks for one; may hold the key too."""
    key_file: Path | None = None

    @model_validator(mode="after")
    def _key_needs_certificate(self) -> PartnerTls:
        if self.key_file is not None and self.cert_file is None:
            raise ValueError("key_file is set without cert_file")
        return self

    def context(self) -> ssl.SSLContext:
        """A client SSL context: TLS 1.2 or newer, certificate and host name checked."""
        try:
            context = ssl.create_default_context(
                cafile=str(self.ca_file) if self.ca_file is not None else None
            )
        except (OSError, ssl.SSLError) as error:
            raise PartnerTlsError(f"cannot read the CA file {self.ca_file}: {error}") from None
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.cert_file is not None:
            try:
                context.load_cert_chain(
                    str(self.cert_file), str(self.key_file) if self.key_file else None
                )
            except (OSError, ssl.SSLError) as error:
                raise PartnerTlsError(
                    f"cannot load the client certificate {self.cert_file}"
                    f"{f' with key {self.key_file}' if self.key_file else ''}: {error}"
                ) from None
        return context
