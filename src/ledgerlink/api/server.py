"""The engine in one process: the REST API (uvicorn) beside the worker loop, the scheduler and
the notify loop (``ledgerlink.sync.loops``), each in its own thread, started and stopped
together.
"""

from __future__ import annotations

import asyncio
import threading
import time

import uvicorn

from ledgerlink.api.app import create_app
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.loops import NotifyLoop, Scheduler, WorkerLoop


class EngineServer:
    """API, worker loop, scheduler and notify loop on ``host:port``; started and stopped
    together (``worker`` False: the API alone, another process sends and notifies)."""

    def __init__(
        self,
        engine: Engine,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        worker: bool = True,
        scheduler_period: float = 3600.0,
    ) -> None:
        self.engine = engine
        self.url = f"http://{host}:{port}"
        self.loop = WorkerLoop(engine) if worker else None
        self.scheduler = Scheduler(engine, self.loop, scheduler_period) if self.loop else None
        self.notify = NotifyLoop(engine) if worker else None
        app = create_app(engine)
        if self.loop is not None:
            app.state.on_intake = self.loop.wake
        # No log_config: uvicorn's own lines go through the process's logging (JSON lines).
        config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", lifespan="on", log_config=None
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._serve, name="ledgerlink-api", daemon=True)

    def _serve(self) -> None:
        asyncio.run(self.server.serve())

    def start(self, timeout: float = 20.0) -> EngineServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the API did not start on {self.url}")
            time.sleep(0.01)
        if self.loop is not None:
            self.loop.start()
        if self.scheduler is not None:
            self.scheduler.start()
        if self.notify is not None:
            self.notify.start()
        return self

    def wait(self) -> None:
        """Block until the API stops (Ctrl-C in ``ledgerlink serve``)."""
        while self.thread.is_alive():
            self.thread.join(timeout=0.5)

    def stop(self) -> None:
        if self.notify is not None:
            self.notify.stop()
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.loop is not None:
            self.loop.stop()
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> EngineServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
