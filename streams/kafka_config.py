"""Kafka client configuration from settings, for aiokafka and for Faust.

Secrets are revealed only here, at the moment a client is built; nothing here logs.
"""

from __future__ import annotations

import ssl
from typing import Any

from streams.settings import Settings


def _ssl_context(settings: Settings) -> ssl.SSLContext | None:
    sec = settings.security
    if sec.protocol not in {"SSL", "SASL_SSL"}:
        return None
    context = ssl.create_default_context(cafile=sec.ssl_cafile or None)
    if sec.ssl_certfile:
        context.load_cert_chain(sec.ssl_certfile, sec.ssl_keyfile or None)
    return context


def client_kwargs(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for aiokafka producers, consumers and admin clients."""
    sec = settings.security
    kwargs: dict[str, Any] = {"bootstrap_servers": settings.kafka_bootstrap, "security_protocol": sec.protocol}
    context = _ssl_context(settings)
    if context is not None:
        kwargs["ssl_context"] = context
    if sec.protocol.startswith("SASL"):
        kwargs["sasl_mechanism"] = sec.sasl_mechanism
        kwargs["sasl_plain_username"] = sec.sasl_username
        kwargs["sasl_plain_password"] = sec.sasl_password.reveal()
    return kwargs


def faust_credentials(settings: Settings) -> Any:
    """Faust ``broker_credentials`` for the configured security protocol (None for PLAINTEXT)."""
    import faust
    from faust.types.auth import SASLMechanism  # `import faust` alone does not load faust.types

    sec = settings.security
    context = _ssl_context(settings)
    if sec.protocol.startswith("SASL"):
        mechanism = SASLMechanism(sec.sasl_mechanism)
        return faust.SASLCredentials(username=sec.sasl_username, password=sec.sasl_password.reveal(),
                                     mechanism=mechanism, ssl_context=context)
    if context is not None:
        return faust.SSLCredentials(context)
    return None
