"""``ZARR_<SECTION>__<KEY>`` environment variables read as zarr-python 3.1.5 reads them,
``ZARRDIST_`` winning where both are set. Each case starts a fresh interpreter (the
config is read at import) and compares with zarr-python under the same environment."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import zarr as zarr_python

import zarrdist

PROBE = (
    "import json, warnings\n"
    "warnings.simplefilter('ignore')\n"
    "import {mod} as zarr\n"
    "keys = ['array.order', 'default_zarr_format', 'async.concurrency', 'json_indent']\n"
    "print(json.dumps({{k: zarr.config.get(k) for k in keys}}))\n"
)


def _run(mod: str, env: dict[str, str], code: str = PROBE) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ZARR_", "ZARRDIST_"))}
    result = subprocess.run(
        [sys.executable, "-c", code.format(mod=mod)],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    )
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "env",
    [
        {"ZARR_ARRAY__ORDER": "F"},
        {"ZARR_DEFAULT_ZARR_FORMAT": "2", "ZARR_ASYNC__CONCURRENCY": "4"},
        {"ZARR_JSON_INDENT": "None"},
        {"ZARR_JSON_INDENT": "4", "ZARR_ARRAY__ORDER": "'C'"},
    ],
    ids=["order", "format-concurrency", "indent-none", "indent-quoted"],
)
def test_zarr_variables_read_as_zarr_python_reads_them(env: dict[str, str]) -> None:
    assert json.loads(_run("zarrdist", env)) == json.loads(_run("zarr", env))


def test_zarrdist_prefix_wins_and_lower_case_true_is_a_boolean() -> None:
    env = {
        "ZARR_ARRAY__ORDER": "F",
        "ZARRDIST_ARRAY__ORDER": "C",
        "ZARR_ARRAY__WRITE_EMPTY_CHUNKS": "true",
        "ZARR_DEFAULT_ZARR_FORMAT": "2",
    }
    code = (
        "import zarrdist\n"
        "from zarrdist.stores import MemoryStore\n"
        "a = zarrdist.zeros((4,), chunks=(2,), store=MemoryStore())\n"
        "a[...] = 0\n"
        "zarrdist.config.reset()\n"
        "print(zarrdist.config.get('array.order'), a.order, a.zarr_format,\n"
        "      zarrdist.config.get('array.write_empty_chunks'), a.nchunks_initialized)\n"
    )
    # write_empty_chunks=True stores both all-fill chunks; reset() keeps the env layers.
    assert _run("zarrdist", env, code) == "C C 2 True 2"


def test_order_f_from_the_environment_reads_f_ordered_like_zarr_python() -> None:
    code = (
        "import warnings; warnings.simplefilter('ignore')\n"
        "import numpy as np, {mod} as zarr\n"
        "a = zarr.create_array(store={{}} if '{mod}' == 'zarr' else None, shape=(3, 4),\n"
        "                      dtype='i4', zarr_format=2)\n"
        "a[...] = np.arange(12).reshape(3, 4)\n"
        "out = a[...]\n"
        "print(a.order, out.flags.f_contiguous, out.tolist())\n"
    )
    env = {"ZARR_ARRAY__ORDER": "F"}
    assert _run("zarrdist", env, code) == _run("zarr", env, code)


@pytest.mark.parametrize(
    "key",
    [
        "array.v3_default_compressors",
        "array.v2_default_filters.string",
        "array.v3_default_serializer.bytes",
    ],
)
def test_removed_codec_default_settings_are_refused_as_in_zarr_python(key: str) -> None:
    with pytest.raises(ValueError), zarr_python.config.set({key: "foo"}):
        pass
    with pytest.raises(ValueError, match=re.escape(key)), zarrdist.config.set({key: "foo"}):
        pass
    with zarrdist.config.set({"array.order": "F"}):  # other settings still change
        assert zarrdist.config.get("array.order") == "F"
