"""The parent's handle on the warm worker (`mdverify.run.worker`): submit jobs, take results.

The worker runs children ahead of need, so results arrive in any order: each waits here
under its job's key until asked for, and one nobody will ask for (`forget`) has its folder
removed when it comes. Every article's folder lives under one root, so that `close`
removes the results nobody collected (pytest -x, Ctrl+C) with the rest.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mdverify.run import frames
from mdverify.run.capture import Folder
from mdverify.run.environment import scratch_dir
from mdverify.run.watch import CHUNK

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mdverify.run.watch import Outcome

__all__ = ["Finished", "WarmWorker", "WorkerGone"]


class WorkerGone(Exception):
    """The worker died or could not start; the caller falls back to a cold start."""


@dataclass(frozen=True)
class Finished:
    """How one job's child ended, and its folder (the caller removes it)."""

    outcome: Outcome
    folder: Folder


class WarmWorker:
    """The parent's handle on one worker process."""

    def __init__(self, python: str, env: Mapping[str, str], concurrency: int) -> None:
        self._root = tempfile.mkdtemp(prefix="mdverify-worker-", dir=scratch_dir())
        try:
            self._proc = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
                [python, "-m", "mdverify.run.worker", str(concurrency), self._root],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=dict(env),
                start_new_session=True,  # a Ctrl-C in the terminal is pytest's to handle
            )
        except OSError as err:
            shutil.rmtree(self._root, ignore_errors=True)
            raise WorkerGone(str(err)) from err
        self._env = dict(env)
        self._buffer = b""
        self._results: dict[int, Finished] = {}
        self._forgotten: set[int] = set()

    def submit(self, *jobs: frames.Job) -> None:
        """Queue `jobs`; the worker starts each as soon as it has a free slot."""
        data = b"".join(
            # The usual case, the worker's own environment, is not sent again.
            frames.encode_frame(replace(j, env=None))
            if j.env == self._env
            else frames.encode_frame(j)
            for j in jobs
        )
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(data)
            self._proc.stdin.flush()
        except (BrokenPipeError, ValueError) as err:
            raise WorkerGone("the warm worker stopped reading") from err

    def result(self, key: int) -> Finished:
        """Wait for the result of the job submitted with `key`."""
        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        while key not in self._results:
            parsed = frames.split_frame(self._buffer)
            if parsed is None:
                chunk = os.read(fd, CHUNK)
                if not chunk:
                    raise WorkerGone("the warm worker exited")
                self._buffer += chunk
                continue
            payload, self._buffer = parsed
            frame = frames.decode_result(payload)
            folder = Folder(Path(frame.folder))
            if frame.key in self._forgotten:
                self._forgotten.discard(frame.key)
                folder.remove()
                continue
            self._results[frame.key] = Finished(frame.outcome, folder)
        return self._results.pop(key)

    def forget(self, key: int) -> None:
        """Drop the result of job `key`, now or when it arrives: nobody will ask for it."""
        result = self._results.pop(key, None)
        if result is None:
            self._forgotten.add(key)
        else:
            result.folder.remove()

    def close(self) -> None:
        """Stop the worker; children still running are killed by it when its input ends."""
        with contextlib.suppress(OSError, ValueError):
            assert self._proc.stdin is not None
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        shutil.rmtree(self._root, ignore_errors=True)
