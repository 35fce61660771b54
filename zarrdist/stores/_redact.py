"""Store specs without their secrets, for everything zarrdist writes down or prints.

A store spec carries what reopens the store elsewhere, fsspec ``storage_options``
included, and those hold credentials (``key``, ``secret``, ``token``,
``client_kwargs.aws_session_token``, ...). Anything persisted (a copy's marker, the
name of an intermediate array) or logged uses :func:`redact_spec` instead: every
option whose name looks secret is dropped, at any depth, and a password in a URL's
user-info is removed. A spec without secrets still names the store, so it still
identifies a copy: resuming needs only the credentials the user passes again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["is_secret_name", "redact_secrets", "redact_spec"]

# Names of options that hold credentials in fsspec, s3fs/botocore, gcsfs, adlfs and
# http file systems; matched as whole words of the (snake or camel case) name.
_SECRET_WORDS = frozenset(
    {
        "key",
        "secret",
        "token",
        "password",
        "passwd",
        "credential",
        "credentials",
        "auth",
        "authorization",
        "signature",
        "sas",
        "private",
        "session",
        "cookie",
        "cookies",
        "headers",
        "connection",
    }
)
# Names containing a secret word that hold no secret.
_PUBLIC = frozenset({"key_prefix", "use_listings_cache", "skip_instance_cache"})
_URL_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@")


def is_secret_name(name: str) -> bool:
    """Whether an option called ``name`` may hold a credential."""
    lowered = name.lower()
    if lowered in _PUBLIC:
        return False
    words = re.split(r"[_\-.\s]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower())
    return any(w in _SECRET_WORDS or w.endswith(("secret", "token", "password")) for w in words)


def redact_secrets(value: Any) -> Any:
    """``value`` with every secret-named mapping entry dropped, recursively."""
    if isinstance(value, Mapping):
        return {
            k: redact_secrets(v)
            for k, v in value.items()
            if not (isinstance(k, str) and is_secret_name(k))
        }
    if isinstance(value, list | tuple):
        return [redact_secrets(v) for v in value]
    if isinstance(value, str):
        return _URL_USERINFO.sub(r"\1", value)
    return value


def redact_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A store spec's JSON form without credentials (see the module docstring)."""
    return dict(redact_secrets(dict(spec)))
