"""``python -m bench [name …]``: run the registered benchmarks in a fresh database, print the
table of ratios and write ``bench/results/latest.json``. Exits non-zero only when a benchmark
crashes or its requests fail, never for a missed target."""

import argparse
import sys
import traceback

from bench import discover


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("-n", "--requests", type=int, default=200, help="measured operations per side (default 200)")
    parser.add_argument("-c", "--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured operations per side first (default 20)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating slices ours/baseline (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    benchmarks = discover()
    if args.list:
        for benchmark in benchmarks.values():
            print(f"{benchmark.name:<24} {benchmark.description}")
        return 0
    unknown = sorted(set(args.names) - set(benchmarks))
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}. Known: {', '.join(benchmarks)}", file=sys.stderr)
        return 2
    selected = [benchmarks[name] for name in (args.names or benchmarks)]

    from bench.context import BenchContext
    from bench.environment import bench_environment
    from bench.report import print_table, write_json

    options = {"requests": args.requests, "concurrency": args.concurrency, "warmup": args.warmup,
               "rounds": args.rounds, "server_workers": args.workers}
    comparisons, crashed = [], []
    with bench_environment() as tmp_dir:
        from django.db import connection

        print(f"Benchmarking on {connection.vendor} ({connection.settings_dict['NAME']}): "
              f"{args.requests} operations per side, {args.concurrency} client threads, "
              f"{args.workers} gunicorn workers.", flush=True)
        ctx = BenchContext(tmp_dir=tmp_dir, requests=args.requests, concurrency=args.concurrency,
                           warmup=args.warmup, rounds=args.rounds, server_workers=args.workers)
        try:
            for benchmark in selected:
                print(f"- {benchmark.name}: {benchmark.description}", flush=True)
                try:
                    result = benchmark.run(ctx)
                except Exception:  # noqa: BLE001 - report, run the others, exit non-zero
                    traceback.print_exc()
                    if ctx.server_log():
                        print(f"gunicorn log (last lines):\n{ctx.server_log()}", file=sys.stderr)
                    crashed.append(benchmark.name)
                    continue
                comparisons.extend(result if isinstance(result, list) else [result])
        finally:
            ctx.close()
        print()
        print_table(comparisons)
        path = write_json(comparisons, options, crashed)
    print(f"\nWritten {path}")
    if crashed:
        print(f"Crashed: {', '.join(crashed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
