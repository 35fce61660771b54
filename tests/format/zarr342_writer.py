"""Write zarr-python 3.4 golden stores; runs under a zarr 3.4 interpreter, not pytest.

``tests/data/generate.py --zarr342`` starts it with the 3.4.2 interpreter and sends the
cases (``zarr342_cases()`` there) as JSON on stdin; it writes each store under the
folder named in argv[1] and prints, as JSON, what zarr-python reads back from each.
``tests/format/test_zarr342_interop.py`` also runs it with ``--read``: then it only
reads stores (written by zarrdist) and prints the values.

Values come from :func:`values`, a recipe NumPy alone can rerun, so zarrdist's tests
know what each store should hold.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np


def values(recipe: dict[str, Any]) -> np.ndarray:
    """The array a case writes: ``arange`` or ``linspace`` over its shape, cast."""
    shape = tuple(recipe["shape"])
    n = math.prod(shape)
    dtype = np.dtype(_dtype(recipe["dtype"]))
    kind = recipe["values"]
    if dtype.names:
        out = np.zeros(shape, dtype=dtype)
        for k, name in enumerate(dtype.names):
            out[name] = (np.arange(n).reshape(shape) * (k + 1)).astype(dtype[name])
        return out
    if kind == "arange":
        return np.arange(n).reshape(shape).astype(dtype)
    lo, hi = recipe.get("range", (0.0, 1.0))
    return np.linspace(lo, hi, n).reshape(shape).astype(dtype)


def expected(case: dict[str, Any], fill: Any) -> np.ndarray:
    """What the store holds: ``fill``, the recipe's values over ``region``, then resized."""
    dtype = np.dtype(_dtype(case["dtype"]))
    out = np.full(tuple(case["shape"]), fill, dtype=dtype)
    out[_region(case)] = values(case)[_region(case)]
    if case.get("resize"):
        grown = np.full(tuple(case["resize"]), fill, dtype=dtype)
        common = tuple(
            slice(0, min(a, b)) for a, b in zip(case["shape"], case["resize"], strict=True)
        )
        grown[common] = out[common]
        out = grown
    return out


def _dtype(spec: Any) -> Any:
    if isinstance(spec, list):
        return [tuple(field) for field in spec]
    return spec


def _region(recipe: dict[str, Any]) -> tuple[slice, ...]:
    region = recipe.get("region")
    if region is None:
        return tuple(slice(None) for _ in recipe["shape"])
    return tuple(slice(a, b) for a, b in region)


def _jsonable(array: np.ndarray) -> Any:
    if array.dtype.names:
        return [[_scalar(v) for v in record] for record in array.reshape(-1).tolist()]
    return [_scalar(v) for v in array.reshape(-1).tolist()]


def _scalar(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


def write(case: dict[str, Any], root: Path) -> Any:
    import zarr

    kwargs = dict(case["create"])
    kwargs["dtype"] = _dtype(kwargs["dtype"])
    array = zarr.create_array(str(root / case["name"]), **kwargs)
    array[_region(case)] = values(case)[_region(case)]
    if case.get("resize"):
        array.resize(tuple(case["resize"]))
    return _jsonable(np.asarray(array[...]))


def read(path: str) -> Any:
    import zarr

    return _jsonable(np.asarray(zarr.open_array(path, mode="r")[...]))


CAST_SOURCES = ("float64", "float32")
CAST_TARGETS = ("int8", "uint8", "int16", "float16")
ROUNDINGS = ("nearest-even", "towards-zero", "towards-positive", "towards-negative", "nearest-away")


def cast_inputs() -> np.ndarray:
    """Values for comparing cast_value with its reference backend: halves, range edges."""
    rng = np.random.default_rng(1)
    edges = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 127.5, 128.5, -128.5, 255.5, 1e6, -1e6]
    return np.concatenate([rng.normal(0, 200, 40), edges])


def cast_configs() -> list[tuple[str, str, str, str | None]]:
    """(source, target, rounding, out_of_range) combinations the spec allows."""
    out = []
    for src in CAST_SOURCES:
        for tgt in CAST_TARGETS:
            for rounding in ROUNDINGS:
                for oor in (None, "clamp", "wrap"):
                    floating = tgt.startswith("float")
                    if (oor == "wrap" or rounding != "nearest-even") and floating:
                        continue
                    out.append((src, tgt, rounding, oor))
    return out


def cast_reference() -> dict[str, Any]:
    """What cast-value-rs (zarr-python 3.4's backend) makes of :func:`cast_inputs`."""
    from cast_value_rs import cast_array

    out: dict[str, Any] = {}
    for src, tgt, rounding, oor in cast_configs():
        try:
            result = cast_array(
                cast_inputs().astype(src),
                target_dtype=np.dtype(tgt),
                rounding_mode=rounding,
                out_of_range_mode=oor,
                scalar_map_entries=None,
            )
            out[f"{src}|{tgt}|{rounding}|{oor}"] = _jsonable(result.astype("f8"))
        except ValueError:
            out[f"{src}|{tgt}|{rounding}|{oor}"] = "error"
    return out


def main() -> int:
    import zarr

    zarr.config.set({"array.rectilinear_chunks": True})
    if sys.argv[1] == "--cast":
        print(json.dumps(cast_reference()))
        return 0
    if sys.argv[1] == "--read":
        print(json.dumps({p: read(p) for p in sys.argv[2:]}))
        return 0
    root = Path(sys.argv[1])
    cases = json.load(sys.stdin)
    out = {"zarr": zarr.__version__, "numpy": np.__version__}
    try:
        from importlib.metadata import version

        import cast_value_rs  # noqa: F401

        out["cast-value-rs"] = version("cast-value-rs")
    except ImportError:
        pass
    out["python"] = sys.version.split()[0]
    out["read_back"] = {c["name"]: write(c, root) for c in cases}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
