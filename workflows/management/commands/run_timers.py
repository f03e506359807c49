import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from workflows.timers import run_due_timers


class Command(BaseCommand):
    help = "Fire due timers: reminders before task deadlines, escalations at them, automatic steps."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running, every --interval seconds")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between runs with --loop (default 30)")

    def handle(self, *args, loop=False, interval=30.0, **options):
        if not loop:
            run = run_due_timers()
            self.stdout.write(f"Timers: {run}")
            return
        stopping = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.append(True))
        self.stdout.write(f"Running timers every {interval:g} s; Ctrl-C stops.")
        while not stopping:
            close_old_connections()
            run = run_due_timers()
            if run.fired or run.failed:
                self.stdout.write(f"Timers: {run}", ending="\n")
                self.stdout.flush()
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, interval))
        self.stdout.write("Timers stopped.")
