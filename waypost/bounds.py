"""The ranges of inbox, wait and workflow fields, in one place.

The request schemas (:mod:`waypost.api.schemas`, which the SDK imports) and the
services that enforce them for internal callers both read these; this module
imports nothing so that the SDK does not load the server to learn two numbers.
"""

from __future__ import annotations

MAX_TIMEOUT_SECONDS = 3600  # a wait's timeout_seconds: 1 .. this
MAX_TTL_SECONDS = 30 * 24 * 3600  # an inbox's ttl_seconds: 1 .. this
