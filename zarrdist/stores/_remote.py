"""Time limits and error translation for the file systems behind FsspecStore.

Two faults of remote stores used to escape the store layer:

* A stalled endpoint (it accepts connections and never answers) held a call for
  minutes: botocore waits 60 s per read, retries, and s3fs retries again. With the
  config's ``async.timeout`` set, every call through :class:`GuardedFileSystem` is
  bounded by it on the wall clock (fsspec's own ``sync(..., timeout=)`` for sync
  calls, ``asyncio.wait_for`` for coroutines), and S3 clients get matching connect
  and read timeouts with no client-side retries (:func:`with_timeouts`), so a
  stalled connection is also given up underneath.
* Errors of the HTTP stacks (botocore's ``EndpointConnectionError``, aiohttp's
  ``ClientConnectorError``, ...) are not ``OSError``; they are re-raised as
  :class:`RemoteError` (an ``OSError``), which the store turns into a
  ``StoreError`` naming the URL and key like any other I/O failure.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from zarrdist.stores._settings import setting

__all__ = [
    "GuardedFileSystem",
    "RemoteError",
    "remote_timeout",
    "translate_remote_error",
    "with_timeouts",
]

# Packages whose exceptions mean "the remote call failed".
_REMOTE_MODULES = ("botocore", "aiobotocore", "aiohttp", "urllib3", "requests", "google", "azure")
_S3_PROTOCOLS = frozenset({"s3", "s3a", "s3n"})


class RemoteError(OSError):
    """A remote call failed with an error of the HTTP stack (or timed out)."""


def remote_timeout() -> float | None:
    """Seconds one remote call may take: the config's ``async.timeout`` (None: no limit)."""
    value = setting("async.timeout")
    return None if value is None else float(value)


def with_timeouts(protocol: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` for opening the file system, with client timeouts added for S3.

    The caller's own ``config_kwargs`` win; the options the store keeps (and
    persists in its spec) are not changed.
    """
    out = dict(options)
    timeout = remote_timeout()
    if timeout is None or protocol.lower() not in _S3_PROTOCOLS:
        return out
    config = dict(out.get("config_kwargs") or {})
    config.setdefault("connect_timeout", timeout)
    config.setdefault("read_timeout", timeout)
    config.setdefault("retries", {"max_attempts": 1, "mode": "standard"})
    out["config_kwargs"] = config
    return out


def translate_remote_error(exc: BaseException, timeout: float | None = None) -> BaseException:
    """``exc`` as a :class:`RemoteError` if it is a remote failure not already an OSError."""
    if isinstance(exc, TimeoutError | asyncio.TimeoutError) and not str(exc):
        return RemoteError(f"no answer within async.timeout = {timeout} s")
    if isinstance(exc, OSError):
        return exc
    module = type(exc).__module__.split(".")[0]
    if module in _REMOTE_MODULES:
        return RemoteError(f"{type(exc).__name__}: {exc}")
    return exc


async def _bounded(coroutine: Any, timeout: float | None) -> Any:
    """Await ``coroutine`` for at most ``timeout`` seconds.

    Unlike ``asyncio.wait_for``, a timeout does not wait for the cancelled call to
    finish: HTTP stacks may take their own (retried) time to unwind, and the caller's
    bound is what counts. The cancelled task ends in the background.
    """
    if timeout is None:
        return await coroutine
    task = asyncio.ensure_future(coroutine)
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        task.cancel()
        task.add_done_callback(_drop_result)
        raise TimeoutError
    return task.result()


def _drop_result(task: asyncio.Future[Any]) -> None:
    # Retrieve the outcome so that asyncio does not log "exception never retrieved".
    if not task.cancelled():
        task.exception()


class GuardedFileSystem:
    """An fsspec file system whose calls are time-limited and raise only OSError for
    remote failures (see the module docstring). Attributes pass through."""

    def __init__(self, fs: Any) -> None:
        self._fs = fs

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._fs, name)
        if not callable(attribute) or name.startswith("__"):
            return attribute
        if inspect.iscoroutinefunction(attribute):
            return self._guard_async(attribute)
        return self._guard_sync(attribute, name)

    def _guard_sync(self, method: Callable[..., Any], name: str) -> Callable[..., Any]:
        # fsspec's sync wrappers of async methods take ``timeout`` (the loop-side wait).
        timed = bool(getattr(self._fs, "async_impl", False)) and hasattr(self._fs, "_" + name)

        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            timeout = remote_timeout()
            if timed and timeout is not None:
                kwargs.setdefault("timeout", timeout)
            try:
                return method(*args, **kwargs)
            except Exception as exc:
                translated = translate_remote_error(exc, timeout)
                if translated is exc:
                    raise
                raise translated from exc

        return call

    def _guard_async(self, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        async def call(*args: Any, **kwargs: Any) -> Any:
            timeout = remote_timeout()
            try:
                return await _bounded(method(*args, **kwargs), timeout)
            except Exception as exc:
                translated = translate_remote_error(exc, timeout)
                if translated is exc:
                    raise
                raise translated from exc

        return call
