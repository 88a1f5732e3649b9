"""The ``wirestream`` command: worker, process, demo, bench, replay, dump.

Only this entry point (and the tools it dispatches to) reads ``os.environ``.
"""

from __future__ import annotations

import argparse
import os
import sys

from streams.settings import Settings, SettingsError


def _settings() -> Settings:
    try:
        return Settings.from_env(os.environ)
    except SettingsError as exc:
        print(f"wirestream: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a sub-command; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="wirestream", description="Kafka stream processor for news wire feeds.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_worker = sub.add_parser("worker", help="run the Faust worker against WIRESTREAM_KAFKA_BOOTSTRAP")
    p_worker.add_argument("--loglevel", default="WARNING")
    p_proc = sub.add_parser("process", help="run the pipeline offline over archives/files; one JSON line per record")
    p_proc.add_argument("paths", nargs="+", help="archives (.jsonl[.gz]), single .txt/.html/.json files, or - (stdin)")
    p_demo = sub.add_parser("demo", help="start a local broker and worker, feed the sample feed, print a summary")
    p_demo.add_argument("--feed", default=None, help="archive to feed (default: the bundled sample feed)")
    p_demo.add_argument("--keep-running", action="store_true", help="leave broker and worker up after the summary")
    sub.add_parser("bench", help="benchmarks (see `wirestream bench --help`)", add_help=False)
    sub.add_parser("replay", help="replay archives / topic ranges / dead letters (see `wirestream replay --help`)",
                   add_help=False)
    sub.add_parser("dump", help="dump a topic range to an archive (see `wirestream dump --help`)", add_help=False)
    if argv and argv[0] in {"bench", "replay", "dump"}:
        return _delegate(argv[0], argv[1:])
    args = parser.parse_args(argv)
    if args.command == "worker":
        from streams.worker import run_worker

        run_worker(_settings(), loglevel=args.loglevel)
        return 0
    if args.command == "process":
        from streams.process import run

        run(args.paths, _settings())
        return 0
    if args.command == "demo":
        from streams.demo import run_demo

        return run_demo(feed=args.feed, keep_running=args.keep_running)
    parser.error(f"unknown command {args.command}")
    return 2


def _delegate(command: str, rest: list[str]) -> int:
    if command == "bench":
        from streams.bench.__main__ import main as bench_main

        return bench_main(rest)
    if command == "replay":
        from streams.replay import main as replay_main

        return replay_main(rest)
    from streams.replay import dump_main

    return dump_main(rest)


if __name__ == "__main__":
    sys.exit(main())
