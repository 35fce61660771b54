"""The zarrdist command: inspect, convert, rechunk, reshard, recompress and verify stores.

``zarrdist COMMAND --help`` describes each command; the exit statuses are in
:data:`EXIT_STATUS` (printed at the end of every ``--help``). Results go to stdout
(``--json`` for scripts); progress, the dashboard URL and messages go to stderr;
every failure ends in one line on stderr saying what was wrong and what to do.

The same jobs from Python: :func:`zarrdist.cli.main.main` takes the argument list
(``main(["copy", "a.zarr", "b.zarr", "--zarr-format", "3"])``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import sys
import time
from collections.abc import Sequence
from typing import Any, NoReturn

from zarrdist.cli.convert import ConvertOptions
from zarrdist.cli.copy import (
    check_plans,
    check_rules,
    claim,
    plan_copy_job,
    run_copy,
    run_verify,
    verify_document,
    verify_lines,
)
from zarrdist.cli.inspect import (
    info_document,
    open_store,
    read_node,
    render_info,
    render_tree,
    walk,
)
from zarrdist.cli.options import (
    ChunkRules,
    non_negative_int,
    parse_chunk_rule,
    parse_compressor,
    parse_region,
    parse_size,
    positive_float,
    positive_int,
)
from zarrdist.cli.runner import open_runner
from zarrdist.errors import ContainsNodeError, NodeNotFoundError, ZarrdistError

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_PIPE",
    "EXIT_STATUS",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_INTERRUPTED = 130
EXIT_PIPE = 141

#: The exit statuses, as ``--help`` prints them (docs/hpc.md has the same table).
EXIT_STATUS = """\
exit status:
  0    success
  1    the job failed: a task raised, verify found bad units or differences, the
       destination is taken, the scheduler cannot be reached, a remote URL needs
       pip install "zarrdist[remote]"
  2    bad options (unknown codec or level, malformed shape or region, a value out
       of range); nothing was written
  3    nothing found at the path
  130  interrupted (Ctrl-C); re-run the same command to resume a copy
  141  the output pipe was closed (e.g. | head)

A unit is what is stored under one key: a chunk, or a shard of chunks."""


class _Parser(argparse.ArgumentParser):
    """argparse with errors on one line: what was wrong, and where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _storage_options(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--storage-options must be JSON: {text!r}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("--storage-options must be a JSON object")
    return value


def _add_common(parser: argparse.ArgumentParser, *, json_flag: bool = True) -> None:
    parser.add_argument("--path", default="", help="node inside the store (default: the root)")
    parser.add_argument(
        "--storage-options",
        type=_storage_options,
        default=None,
        metavar="JSON",
        help="fsspec options for URLs, e.g. '{\"anon\": true}'",
    )
    if json_flag:
        parser.add_argument("--json", action="store_true", help="machine-readable output")


def _add_scheduler(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("scheduler (default: an embedded LocalCluster)")
    group.add_argument(
        "--workers", type=positive_int, default=None, help="LocalCluster worker processes (>= 1)"
    )
    group.add_argument("--threads", type=positive_int, default=None, help="threads per worker")
    group.add_argument(
        "--memory-limit",
        type=parse_size,
        default=None,
        metavar="SIZE",
        help="memory limit per worker, e.g. 2GiB (default: auto)",
    )
    group.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="a running scheduler (tcp://host:8786), or 'threads'/'sync' for no cluster",
    )
    group.add_argument(
        "--scheduler-file",
        default=None,
        metavar="FILE",
        help="scheduler file written by dask scheduler, dask-mpi or dask-jobqueue",
    )
    group.add_argument(
        "--connect-timeout",
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help="how long to wait for the scheduler, and then for its first worker (default 30)",
    )
    group.add_argument(
        "--dashboard-address",
        default=":8787",
        metavar="ADDR",
        help="LocalCluster dashboard address (default :8787)",
    )
    progress = group.add_mutually_exclusive_group()
    progress.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="show a progress bar (default: on a terminal)",
    )
    progress.add_argument("--no-progress", dest="progress", action="store_false")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``zarrdist``."""
    from zarrdist import __version__

    parser = _Parser(
        prog="zarrdist",
        description=__doc__.split("\n\n")[0].replace("``", ""),
        epilog=EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"zarrdist {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    info = _command(commands, "info", help="describe an array or group")
    info.add_argument("store", metavar="PATH", help="a path or URL (s3://, gs://, file://, .zip)")
    _add_common(info)

    tree = _command(commands, "tree", help="print a hierarchy")
    tree.add_argument("store", metavar="PATH")
    tree.add_argument("--depth", type=non_negative_int, default=None, help="levels to show")
    _add_common(tree)

    copy = _command(
        commands,
        "copy",
        help="copy, convert, rechunk, reshard, recompress or subset",
        description="Copy an array or a hierarchy, changing format, chunks, shards or "
        "compressors, with bounded memory per task.",
    )
    copy.add_argument("source", metavar="SRC")
    copy.add_argument("destination", metavar="DST")
    _add_copy_options(copy)
    _add_common(copy)
    _add_scheduler(copy)

    verify = _command(
        commands,
        "verify",
        help="decode every chunk; with --against, compare two stores",
    )
    verify.add_argument("store", metavar="PATH")
    verify.add_argument(
        "--against",
        default=None,
        metavar="OTHER",
        help="compare element by element with this store",
    )
    verify.add_argument(
        "--against-path", default="", metavar="PATH", help="node inside OTHER (default: the root)"
    )
    _add_common(verify)
    _add_scheduler(verify)

    consolidate = _command(commands, "consolidate", help="write consolidated metadata")
    consolidate.add_argument("store", metavar="PATH")
    _add_common(consolidate, json_flag=False)

    demo = _command(
        commands,
        "demo",
        help="build a sample dataset, convert it to sharded v3 and verify it",
    )
    demo.add_argument(
        "directory",
        nargs="?",
        default=None,
        metavar="DIR",
        help="where to build it (default: zarrdist-demo in the system's temporary directory)",
    )
    demo.add_argument(
        "--scale",
        type=positive_float,
        default=1.0,
        help="size factor of the sample (1.0: about 250 MiB)",
    )
    demo.add_argument("--overwrite", action="store_true", help="rebuild an existing demo")
    demo.add_argument("--json", action="store_true", help="machine-readable summary")
    _add_scheduler(demo)
    return parser


def _command(commands: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A subcommand's parser, its help ending with the exit statuses."""
    kwargs.setdefault("epilog", EXIT_STATUS)
    kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
    parser: argparse.ArgumentParser = commands.add_parser(name, **kwargs)
    return parser


def _add_copy_options(copy: argparse.ArgumentParser) -> None:
    copy.add_argument(
        "--zarr-format",
        type=int,
        choices=(2, 3),
        default=None,
        help="format of the copy (default: the source's)",
    )
    copy.add_argument(
        "--chunks",
        type=parse_chunk_rule,
        action="append",
        default=[],
        metavar="SPEC",
        help="chunk shape: 100,50 (-1: whole axis), name=100,50 for one array, or auto; repeatable",
    )
    copy.add_argument(
        "--shards",
        type=parse_chunk_rule,
        action="append",
        default=[],
        metavar="SPEC",
        help="shard shape like --chunks, or auto, or none",
    )
    copy.add_argument(
        "--compressor",
        type=parse_compressor,
        default=None,
        metavar="SPEC",
        help="zstd:3, gzip:6, blosc:lz4:shuffle, lz4, zstd:3+crc32c, none",
    )
    copy.add_argument(
        "--region",
        type=parse_region,
        default=None,
        metavar="SPEC",
        help="subset: 0:100,:,10:20 or by dimension name time=0:100",
    )
    copy.add_argument(
        "--resume",
        action="store_true",
        help="skip units already written (automatic after an interruption)",
    )
    copy.add_argument("--overwrite", action="store_true", help="replace the destination")
    copy.add_argument(
        "--verify", action="store_true", help="compare the copy with the source when done"
    )
    copy.add_argument(
        "--max-mem",
        type=parse_size,
        default=None,
        metavar="SIZE",
        help="memory per task (default: from the workers' memory limit)",
    )
    copy.add_argument(
        "--intermediate",
        default=None,
        metavar="URL",
        help="where a two-stage rechunk keeps its intermediate array",
    )
    consolidated = copy.add_mutually_exclusive_group()
    consolidated.add_argument(
        "--consolidate",
        dest="consolidate",
        action="store_true",
        default=None,
        help="consolidate the copy's metadata",
    )
    consolidated.add_argument("--no-consolidate", dest="consolidate", action="store_false")


# -- commands -----------------------------------------------------------------------------


def _emit(args: argparse.Namespace, document: Any, text: str) -> None:
    print(json.dumps(document, indent=2, default=str) if args.json else text)


def _info(args: argparse.Namespace) -> int:
    store = open_store(args.store, storage_options=args.storage_options)
    nodes = walk(store, args.path, max_depth=1)
    doc = info_document(store, nodes[0])
    if not nodes[0].is_array:
        doc["members"] = [info_document(store, n, stored=False) for n in nodes[1:]]
    text = render_info(doc, store.url)
    if len(nodes) > 1:
        text += "\n" + render_tree(nodes)
    _emit(args, doc, text)
    return EXIT_OK


def _tree(args: argparse.Namespace) -> int:
    store = open_store(args.store, storage_options=args.storage_options)
    nodes = walk(store, args.path, max_depth=args.depth)
    docs = [info_document(store, n, stored=False) for n in nodes]
    _emit(args, docs, render_tree(nodes))
    return EXIT_OK


def _copy(args: argparse.Namespace) -> int:
    source = open_store(args.source, storage_options=args.storage_options)
    target = open_store(args.destination, mode="a", storage_options=args.storage_options)
    options = ConvertOptions(
        zarr_format=args.zarr_format,
        chunks=ChunkRules(args.chunks),
        shards=ChunkRules(args.shards),
        compressors=args.compressor,
        region=args.region,
    )
    job = plan_copy_job(source, args.path, target, "", options, consolidate_target=args.consolidate)
    check_rules(job, args.chunks, "--chunks")
    check_rules(job, args.shards, "--shards")
    intermediate = (
        open_store(args.intermediate, mode="a", storage_options=args.storage_options)
        if args.intermediate
        else None
    )
    # The scheduler is reached before the destination is claimed: a scheduler that
    # cannot be reached leaves no marker behind.
    with open_runner(args) as runner:
        check_plans(job, runner, max_mem=args.max_mem)  # a plan that cannot fit: no marker
        resume = claim(job, overwrite=args.overwrite, resume=args.resume, intermediate=intermediate)
        runner.say(f"running on {runner.description}")
        if runner.dashboard:
            runner.say(f"dashboard: {runner.dashboard}")
        summary = run_copy(
            job,
            runner,
            resume=resume,
            verify=args.verify,
            max_mem=args.max_mem,
            intermediate=intermediate,
        )
    text = summary["text"]
    if args.verify:
        text += "\nverified against the source: " + ("OK" if summary["verified"] else "FAILED")
    _emit(args, summary, text)
    return EXIT_OK if summary.get("verified", True) else EXIT_FAILED


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _verify(args: argparse.Namespace) -> int:
    store = open_store(args.store, storage_options=args.storage_options)
    other = open_store(args.against, storage_options=args.storage_options) if args.against else None
    read_node(store, args.path)
    nbytes = sum(
        math.prod(n.metadata.shape) * n.metadata.dtype.itemsize  # type: ignore[union-attr]
        for n in walk(store, args.path)
        if n.is_array
    )
    with open_runner(args) as runner:
        if runner.dashboard:
            runner.say(f"dashboard: {runner.dashboard}")
        start = time.perf_counter()
        reports, problems = run_verify(runner, store, args.path, other, args.against_path)
        seconds = time.perf_counter() - start
    document = verify_document(reports, problems)
    lines = verify_lines(reports, problems)
    units = sum(r.units_checked for r in reports)
    status = "OK" if document["ok"] else f"FAILED ({_plural(len(lines), 'problem')})"
    what = f"against {args.against}" if args.against else "decoding every chunk"
    rate = nbytes / 2**20 / seconds if seconds > 0 else 0.0
    document.update(bytes=nbytes, seconds=round(seconds, 3), mib_per_s=round(rate, 2))
    lines.append(
        f"verified {_plural(len(reports), 'array')}, {_plural(units, 'unit')} "
        f"(chunks or shards), {what}: {status}"
    )
    lines.append(f"verify: {nbytes / 2**20:.1f} MiB in {seconds:.2f} s ({rate:.1f} MiB/s)")
    _emit(args, document, "\n".join(lines))
    return EXIT_OK if document["ok"] else EXIT_FAILED


def _consolidate(args: argparse.Namespace) -> int:
    import zarrdist

    store = open_store(args.store, mode="r+", storage_options=args.storage_options)
    group = zarrdist.consolidate_metadata(store, path=args.path or None)
    members = len(list(walk(store, args.path))) - 1
    print(f"consolidated {members} nodes under /{args.path.strip('/')} ({group.store.url})")
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from zarrdist.cli.demo import run_demo

    return run_demo(args)


def _failures() -> tuple[type[BaseException], ...]:
    """What a failed job raises: zarrdist's errors, I/O errors, and errors from tasks."""
    kinds: list[type[BaseException]] = [
        ZarrdistError,
        OSError,
        ValueError,
        RuntimeError,
        MemoryError,
        TimeoutError,
    ]
    if "distributed" in sys.modules:
        from distributed.scheduler import KilledWorker

        kinds.append(KilledWorker)  # a worker died, e.g. killed over its memory limit
    if "botocore" in sys.modules:
        # Object-store errors that reach here unwrapped (connection refused, denied).
        from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

        kinds += [BotoCoreError, ClientError]
    return tuple(kinds)


_COMMANDS = {
    "info": _info,
    "tree": _tree,
    "copy": _copy,
    "verify": _verify,
    "consolidate": _consolidate,
    "demo": _demo,
}


#: Options whose values may start with "-" (``--chunks -1,30,60``, ``--region -10:``).
_SIGNED_VALUES = frozenset({"--chunks", "--shards", "--region"})


def _attach_signed_values(argv: Sequence[str]) -> list[str]:
    """``--chunks -1,30`` as ``--chunks=-1,30``: argparse would take ``-1,30`` for an option."""
    out: list[str] = []
    items = iter(argv)
    for item in items:
        if item in _SIGNED_VALUES:
            value = next(items, None)
            if value is not None and re.match(r"-[0-9:]", value):
                out.append(f"{item}={value}")
                continue
            out.append(item)
            if value is not None:
                out.append(value)
            continue
        out.append(item)
    return out


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


#: A hint for failures whose message does not say what to do.
_HINTS = {
    "KilledWorker": "a worker died, often over its memory limit: pass a smaller --max-mem "
    "or a larger --memory-limit, and re-run to resume",
    "EndpointConnectionError": "check the URL's endpoint in --storage-options and the network",
    "NoCredentialsError": "pass credentials in --storage-options or the environment, "
    "or '{\"anon\": true}' for public data",
    "ClientError": "check the URL and the credentials in --storage-options",
    "MemoryError": "out of memory: pass a smaller --max-mem (copy) or fewer --threads per "
    "worker, and re-run",
}


def _hint(error: BaseException | None) -> str | None:
    """The hint for ``error`` or the first error behind it that has one (a StoreError
    wraps the client library's error)."""
    seen = 0
    while error is not None and seen < 8:
        hint = _HINTS.get(type(error).__name__)
        if hint is not None:
            return hint
        error, seen = error.__cause__, seen + 1
    return None


def _remote_hint(args: argparse.Namespace, error: ImportError) -> str | None:
    urls = [getattr(args, n, None) for n in ("store", "source", "destination", "against")]
    remote = [u for u in urls if isinstance(u, str) and re.match(r"[a-z][a-z0-9+.-]+://", u)]
    remote = [u for u in remote if not u.startswith("file://")]
    if not remote:
        return None
    return (
        f"{remote[0].split('://')[0]}:// URLs need a package that is not installed "
        f'({_one_line(error)}): pip install "zarrdist[remote]"'
    )


def _quiet_stdout() -> None:
    """After a closed pipe: send what Python still flushes at exit nowhere."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError):
        os.dup2(devnull, sys.stdout.fileno())


def _failure(args: argparse.Namespace, error: Exception) -> tuple[int, str] | None:
    """(exit status, the one line to print) for an error a user can cause; None for a bug."""
    where = f"zarrdist {args.command}"
    if isinstance(error, argparse.ArgumentTypeError):
        return EXIT_USAGE, f"{where}: error: {_one_line(error)} (see {where} --help)"
    if isinstance(error, NodeNotFoundError):
        return EXIT_NOT_FOUND, f"{where}: not found: {_one_line(error)}"
    if isinstance(error, ContainsNodeError):
        return EXIT_FAILED, f"{where}: {_one_line(error)}"
    if isinstance(error, ImportError):
        hint = _remote_hint(args, error)
        return None if hint is None else (EXIT_FAILED, f"{where}: {hint}")
    if isinstance(error, _failures()):
        kind = type(error).__name__
        hint = _hint(error)
        line = f"{where}: failed: {kind}: {_one_line(error)}" + (f"; {hint}" if hint else "")
        return EXIT_FAILED, line
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``zarrdist`` with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(_attach_signed_values(sys.argv[1:] if argv is None else argv))
    try:
        return _COMMANDS[args.command](args)
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_PIPE
    except KeyboardInterrupt:
        print(f"zarrdist {args.command}: interrupted; re-run to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        failure = _failure(args, error)
        if failure is None:
            raise
        print(failure[1], file=sys.stderr)
        return failure[0]
