"""What every benchmark gets: the run's options, its temp directory, and an HTTP server
started on first use and shared by all benchmarks of the run."""

from dataclasses import dataclass, field
from pathlib import Path

from bench.server import Server


@dataclass
class BenchContext:
    tmp_dir: Path
    requests: int = 200
    concurrency: int = 4
    warmup: int = 20
    rounds: int = 4
    server_workers: int = 2
    _server: Server | None = field(default=None, repr=False)

    def server(self):
        if self._server is None:
            self._server = Server(log_dir=self.tmp_dir, workers=self.server_workers).start()
        return self._server

    def server_log(self):
        return self._server.log_tail() if self._server is not None else ""

    def close(self):
        if self._server is not None:
            self._server.stop()
            self._server = None
