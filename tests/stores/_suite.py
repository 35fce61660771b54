"""StoreTests: the behaviour every store shares, checked against raw access and a dict.

A store's test class subclasses :class:`StoreTests`, provides a ``store_factory``
fixture (a callable returning a new empty store) and the raw hooks ``_set_raw`` /
``_get_raw``, which reach the bytes without going through the store.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import warnings
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from dask.base import tokenize
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from zarrdist.errors import ByteRangeError, ReadOnlyStoreError
from zarrdist.stores import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    Store,
    StoreSpec,
    SuffixByteRequest,
)

__all__ = ["BYTE_CASES", "TREE", "StoreTests", "make_machine", "read_in_subprocess"]

VALUE = b"0123456789"
# (request, expected bytes of VALUE): HTTP-like clamping, never an error.
BYTE_CASES: list[tuple[ByteRequest, bytes]] = [
    (RangeByteRequest(0, 3), b"012"),
    (RangeByteRequest(3, 7), b"3456"),
    (RangeByteRequest(8, 20), b"89"),
    (RangeByteRequest(20, 30), b""),
    (RangeByteRequest(5, 5), b""),
    (OffsetByteRequest(0), VALUE),
    (OffsetByteRequest(7), b"789"),
    (OffsetByteRequest(10), b""),
    (OffsetByteRequest(15), b""),
    (SuffixByteRequest(3), b"789"),
    (SuffixByteRequest(10), VALUE),
    (SuffixByteRequest(30), VALUE),
    (SuffixByteRequest(0), b""),
]
BAD_REQUESTS = [
    RangeByteRequest(5, 2),
    RangeByteRequest(-1, 3),
    OffsetByteRequest(-1),
    SuffixByteRequest(-1),
]
BAD_KEYS = ["../x", "/abs", "a\\b", "a/../b", "./a", "a//b", "C:evil", "a/\x00"]
TREE = {
    "zarr.json": b"{}",
    "a/zarr.json": b"{1}",
    "a/c/0/0": b"00",
    "a/c/0/1": b"01",
    "ab": b"ab",
    "b/x": b"bx",
}

_READ_SCRIPT = (
    "import json, sys\n"
    "from zarrdist.stores import StoreSpec\n"
    "store = StoreSpec.from_json(json.loads(sys.argv[1])).open()\n"
    "value = store.get(sys.argv[2])\n"
    "sys.stdout.write('MISSING' if value is None else bytes(value).hex())\n"
)


def read_in_subprocess(spec: StoreSpec, key: str) -> subprocess.CompletedProcess[str]:
    """Open ``spec`` in a fresh interpreter and print the hex of the value at ``key``."""
    return subprocess.run(
        [sys.executable, "-c", _READ_SCRIPT, json.dumps(spec.to_json()), key],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _values(values: list[bytes | memoryview | None]) -> list[bytes | None]:
    return [None if v is None else bytes(v) for v in values]


class StoreTests:
    """Shared store behaviour; subclasses provide ``store_factory`` and the raw hooks."""

    #: Overwriting a key warns (zip archives append a duplicate member).
    overwrite_warns: ClassVar[bool] = False
    #: list_dir may also show directories emptied by deletes (plain file systems).
    list_dir_keeps_empty_dirs: ClassVar[bool] = False
    #: Check that another process reopens the store from its spec.
    reopen_in_subprocess: ClassVar[bool] = False
    #: Hypothesis examples for the state machine (remote stores use fewer).
    machine_examples: ClassVar[int] = 30

    # -- hooks -----------------------------------------------------------------------
    def _set_raw(self, store: Store, key: str, value: bytes) -> None:
        raise NotImplementedError

    def _get_raw(self, store: Store, key: str) -> bytes | None:
        raise NotImplementedError

    def read_only_copy(self, store: Store) -> Store:
        """A read-only store over the same data."""
        return store.with_read_only(True)

    def share(self, store: Store) -> None:
        """Make data written so far visible to another process (zip: close it)."""

    @pytest.fixture
    def store(self, store_factory: Callable[[], Store]) -> Store:
        return store_factory()

    def _fill(self, store: Store, tree: dict[str, bytes] = TREE) -> None:
        for key, value in tree.items():
            self._set_raw(store, key, value)

    # -- get / set ---------------------------------------------------------------------
    def test_set_then_raw(self, store: Store) -> None:
        store.set("a/b/c", b"hello")
        assert self._get_raw(store, "a/b/c") == b"hello"

    def test_raw_then_get(self, store: Store) -> None:
        self._set_raw(store, "x/zarr.json", b'{"a": 1}')
        assert _values([store.get("x/zarr.json")]) == [b'{"a": 1}']

    def test_set_copies_buffers(self, store: Store) -> None:
        source = bytearray(b"abcdef")
        store.set("k", source)
        store.set("m", memoryview(source)[1:3])
        source[:] = b"XXXXXX"
        assert _values(store.get_many(["k", "m"])) == [b"abcdef", b"bc"]

    def test_empty_value(self, store: Store) -> None:
        store.set("empty", b"")
        assert store.get("empty") == b""
        assert store.exists("empty")
        assert store.getsize("empty") == 0
        assert _values([store.get("empty", SuffixByteRequest(4))]) == [b""]

    def test_overwrite(self, store: Store) -> None:
        store.set("k", b"first")
        if self.overwrite_warns:
            with pytest.warns(UserWarning, match="duplicate"):
                store.set("k", b"second!")
        else:
            store.set("k", b"second!")
        assert store.get("k") == b"second!"
        assert store.getsize("k") == 7

    def test_missing_key(self, store: Store) -> None:
        assert store.get("nope") is None
        assert store.get("no/such/key", RangeByteRequest(0, 2)) is None
        assert store.get_ranges("nope", [SuffixByteRequest(2), OffsetByteRequest(0)]) == [
            None,
            None,
        ]
        assert store.exists("nope") is False
        assert store.getsize("nope") is None

    @pytest.mark.parametrize(("request_", "expected"), BYTE_CASES, ids=repr)
    def test_byte_requests(self, store: Store, request_: ByteRequest, expected: bytes) -> None:
        self._set_raw(store, "v", VALUE)
        assert _values([store.get("v", request_)]) == [expected]

    def test_get_ranges_in_order(self, store: Store) -> None:
        self._set_raw(store, "v", VALUE)
        requests = [case[0] for case in BYTE_CASES]
        assert _values(store.get_ranges("v", requests)) == [case[1] for case in BYTE_CASES]

    @pytest.mark.parametrize("bad", BAD_REQUESTS, ids=repr)
    def test_invalid_byte_request(self, store: Store, bad: ByteRequest) -> None:
        self._set_raw(store, "v", VALUE)
        with pytest.raises(ByteRangeError, match="invalid byte request"):
            store.get("v", bad)
        with pytest.raises(ByteRangeError):
            store.get_ranges("v", [RangeByteRequest(0, 1), bad])

    def test_get_many_order_and_missing(self, store: Store) -> None:
        values = {f"c/{i}": bytes([i]) * (i + 1) for i in range(12)}
        self._fill(store, values)
        keys = ["c/3", "missing", *sorted(values, reverse=True), "c/nope"]
        expected = [values["c/3"], None, *(values[k] for k in keys[2:-1]), None]
        assert _values(store.get_many(keys)) == expected
        assert store.get_many([]) == []

    @pytest.mark.parametrize("room", [0, 20, 1 << 10])
    def test_get_many_into(self, store: Store, room: int) -> None:
        # The values equal get_many's whatever fits in the caller's buffer; those
        # that are views of it stay right until the buffer is written again.
        values = {f"c/{i}": bytes([i + 1]) * (3 * i) for i in range(12)}
        self._fill(store, values)
        keys = ["c/5", "missing", *sorted(values, reverse=True)]
        buffer = bytearray(room)
        got = store.get_many_into(keys, buffer)
        assert _values(got) == _values(store.get_many(keys))
        assert store.get_many_into([], buffer) == []

    def test_set_many(self, store: Store) -> None:
        store.set_many({f"m/{i}": b"%d" % i for i in range(10)})
        store.set_many([("n/0", b"zero"), ("n/1", b"one")])
        assert [self._get_raw(store, f"m/{i}") for i in range(10)] == [b"%d" % i for i in range(10)]
        assert self._get_raw(store, "n/1") == b"one"

    def test_set_if_not_exists(self, store: Store) -> None:
        assert store.set_if_not_exists("k", b"one") is True
        assert store.set_if_not_exists("k", b"two") is False
        assert store.get("k") == b"one"

    def test_exists_and_getsize(self, store: Store) -> None:
        self._fill(store)
        assert store.exists("a/c/0/1")
        assert not store.exists("a/c")  # a directory-like prefix is not a key
        assert store.getsize("a/zarr.json") == 3
        assert store.getsize("a/c") is None

    # -- delete ------------------------------------------------------------------------
    def test_delete(self, store: Store) -> None:
        if not store.supports_deletes:
            pytest.skip("store cannot delete")
        self._fill(store)
        store.delete("a/c/0/0")
        store.delete("never/existed")
        assert self._get_raw(store, "a/c/0/0") is None
        assert self._get_raw(store, "a/c/0/1") == b"01"
        assert not store.exists("a/c/0/0")

    def test_delete_prefix(self, store: Store) -> None:
        if not store.supports_deletes:
            pytest.skip("store cannot delete")
        self._fill(store)
        assert store.delete_prefix("a") == 3
        assert sorted(store.list()) == ["ab", "b/x", "zarr.json"]
        assert self._get_raw(store, "ab") == b"ab"
        assert store.delete_prefix("nothing/here") == 0
        assert store.delete_prefix("") == 3
        assert list(store.list()) == []

    def test_zarr_python_names_delete_dir_clear_getsize_prefix(self, store: Store) -> None:
        self._fill(store)
        # "a" holds a/zarr.json (3 bytes) and a/c/0/0, a/c/0/1 (2 each); "ab" is not below it.
        assert store.getsize_prefix("a") == 7
        assert store.getsize_prefix("a/c") == 4
        assert store.getsize_prefix("nothing") == 0
        assert store.supports_consolidated_metadata
        assert not store.supports_partial_writes
        if not store.supports_deletes:
            pytest.skip("store cannot delete")
        store.delete_dir("a/c")
        assert sorted(store.list_prefix("a")) == ["a/zarr.json"]
        store.clear()
        assert list(store.list()) == []

    # -- listing -----------------------------------------------------------------------
    def test_list(self, store: Store) -> None:
        assert list(store.list()) == []
        assert store.is_empty()
        self._fill(store)
        assert sorted(store.list()) == sorted(TREE)
        assert not store.is_empty("a")
        assert store.is_empty("zz")

    def test_list_prefix_is_a_directory(self, store: Store) -> None:
        self._fill(store)
        expected = ["a/c/0/0", "a/c/0/1", "a/zarr.json"]
        assert sorted(store.list_prefix("a")) == expected  # not "ab"
        assert sorted(store.list_prefix("a/")) == expected
        assert sorted(store.list_prefix("a/c/0")) == ["a/c/0/0", "a/c/0/1"]
        assert list(store.list_prefix("nope")) == []
        assert sorted(store.list_prefix("")) == sorted(TREE)

    def test_list_dir(self, store: Store) -> None:
        self._fill(store)
        assert sorted(store.list_dir("")) == ["a", "ab", "b", "zarr.json"]
        assert sorted(store.list_dir("a")) == ["c", "zarr.json"]
        assert sorted(store.list_dir("a/c/0/")) == ["0", "1"]
        assert list(store.list_dir("nope")) == []

    # -- refusals ----------------------------------------------------------------------
    def test_read_only_refuses_writes(self, store: Store) -> None:
        self._fill(store)
        self.share(store)
        ro = self.read_only_copy(store)
        assert ro.read_only
        writes: list[Callable[[], Any]] = [
            lambda: ro.set("a/zarr.json", b"changed"),
            lambda: ro.set_many({"zarr.json": b"changed"}),
            lambda: ro.set_if_not_exists("new", b"x"),
            lambda: ro.delete("a/zarr.json"),
            lambda: ro.delete_prefix("a"),
            lambda: ro.delete_dir("a"),
            ro.clear,
        ]
        for write in writes:
            with pytest.raises(ReadOnlyStoreError) as info:
                write()
            assert isinstance(info.value, PermissionError)
        assert ro.get("a/zarr.json") == b"{1}"
        assert self._get_raw(store, "a/zarr.json") == b"{1}"
        assert self._get_raw(store, "new") is None

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_refuses_keys_leaving_root(self, store: Store, key: str) -> None:
        calls: list[Callable[[], Any]] = [
            lambda: store.get(key),
            lambda: store.set(key, b"x"),
            lambda: store.delete(key),
            lambda: store.exists(key),
            lambda: store.getsize(key),
            lambda: store.get_many(["ok", key]),
            lambda: store.get_many_into(["ok", key], bytearray(8)),
            lambda: store.get_ranges(key, [SuffixByteRequest(1)]),
            lambda: store.set_many({key: b"x"}),
        ]
        for call in calls:
            with pytest.raises(ByteRangeError, match="leave the store root"):
                call()
        assert list(store.list()) == []

    @pytest.mark.parametrize("prefix", ["..", "../", "/abs", "a/../.."])
    def test_refuses_prefixes_leaving_root(self, store: Store, prefix: str) -> None:
        with pytest.raises(ByteRangeError):
            list(store.list_prefix(prefix))
        with pytest.raises(ByteRangeError):
            list(store.list_dir(prefix))
        with pytest.raises(ByteRangeError):
            store.delete_prefix(prefix)

    # -- specs -------------------------------------------------------------------------
    def test_spec_round_trips(self, store: Store) -> None:
        self._set_raw(store, "k", b"value")
        self.share(store)
        spec = store.spec
        as_json = json.loads(json.dumps(spec.to_json()))
        assert StoreSpec.from_json(as_json) == spec
        assert pickle.loads(pickle.dumps(spec)) == spec
        reopened = StoreSpec.from_json(as_json).open()
        assert type(reopened) is type(store)
        assert reopened.get("k") == b"value"
        assert pickle.loads(pickle.dumps(store)).get("k") == b"value"

    def test_spec_tokenize_is_deterministic(self, store: Store, store_factory: Any) -> None:
        spec = store.spec
        again = StoreSpec.from_json(json.loads(json.dumps(spec.to_json())))
        assert tokenize(spec) == tokenize(again) == tokenize(store.spec)
        assert tokenize(store) == tokenize(store)
        assert tokenize(store_factory().spec) != tokenize(spec)

    def test_reopen_in_subprocess(self, store: Store) -> None:
        if not self.reopen_in_subprocess:
            pytest.skip("store lives in one process")
        store.set("x/zarr.json", b"\x00from the parent\xff")
        self.share(store)
        result = read_in_subprocess(store.spec, "x/zarr.json")
        assert result.returncode == 0, result.stderr
        assert bytes.fromhex(result.stdout) == b"\x00from the parent\xff"

    # -- model-based -------------------------------------------------------------------
    def test_state_machine(self, store_factory: Callable[[], Store]) -> None:
        machine = make_machine(store_factory, self.overwrite_warns, self.list_dir_keeps_empty_dirs)
        run_state_machine_as_test(  # type: ignore[no-untyped-call, unused-ignore]
            machine,
            settings=settings(
                max_examples=self.machine_examples,
                stateful_step_count=15,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )


# Directory names and leaf names never collide, so no key is another key's directory
# (a file system cannot hold both "a" and "a/x").
_keys = st.builds(
    lambda dirs, leaf: "/".join([*dirs, leaf]),
    st.lists(st.sampled_from(["a", "b"]), max_size=2),
    st.sampled_from(["x", "y", "zarr.json"]),
)
_requests = st.one_of(
    st.builds(RangeByteRequest, st.integers(0, 12), st.integers(0, 12)).filter(
        lambda r: r.end >= r.start
    ),
    st.builds(OffsetByteRequest, st.integers(0, 12)),
    st.builds(SuffixByteRequest, st.integers(0, 12)),
)


def _model_slice(value: bytes, request: ByteRequest) -> bytes:
    if isinstance(request, RangeByteRequest):
        return value[request.start : request.end]
    if isinstance(request, OffsetByteRequest):
        return value[request.offset :]
    return value[len(value) - min(request.suffix, len(value)) :] if request.suffix else b""


def make_machine(
    factory: Callable[[], Store], overwrite_warns: bool, keeps_empty_dirs: bool
) -> type[RuleBasedStateMachine]:
    """A RuleBasedStateMachine checking a fresh store from ``factory`` against a dict.

    ``keeps_empty_dirs``: plain file systems keep directories that deletes emptied,
    which the dict model does not have, so list_dir may show more there.
    """

    class StoreMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.store = factory()
            self.model: dict[str, bytes] = {}

        @rule(key=_keys, value=st.binary(max_size=12))
        def set(self, key: str, value: bytes) -> None:
            if overwrite_warns and key in self.model:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    self.store.set(key, value)
            else:
                self.store.set(key, value)
            self.model[key] = value

        @rule(key=_keys)
        def get(self, key: str) -> None:
            value = self.store.get(key)
            assert (None if value is None else bytes(value)) == self.model.get(key)

        @rule(key=_keys, request=_requests)
        def get_range(self, key: str, request: ByteRequest) -> None:
            value = self.store.get(key, request)
            expected = self.model.get(key)
            got = None if value is None else bytes(value)
            assert got == (None if expected is None else _model_slice(expected, request))

        @precondition(lambda self: self.store.supports_deletes)
        @rule(key=_keys)
        def delete(self, key: str) -> None:
            self.store.delete(key)
            self.model.pop(key, None)

        @rule(prefix=st.sampled_from(["", "a", "a/b", "b"]))
        def list_dir(self, prefix: str) -> None:
            start = f"{prefix}/" if prefix else ""
            expected = {k[len(start) :].split("/")[0] for k in self.model if k.startswith(start)}
            got = set(self.store.list_dir(prefix))
            assert got >= expected if keeps_empty_dirs else got == expected

        @invariant()
        def listing_matches(self) -> None:
            assert sorted(self.store.list()) == sorted(self.model)

        def teardown(self) -> None:
            self.store.close()

    return StoreMachine
