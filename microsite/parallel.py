"""Work spread over the machine's cores: a pool of forked processes, used only when it pays.

Workers are forked, so they start with the parent's state (the resolved site, the templates)
without pickling it; only the work items and the results cross between processes. Small jobs run
in the parent, where a pool's start-up would cost more than it saves.

A forked worker shares the parent's memory only until either writes to it, and CPython writes a
reference count into every object it reads: work that reads much of a large parent copies much
of it. So work that needs little of the parent (parsing changed files, drawing the social cards)
goes to `Helpers` forked before the parent loads the site, beside the work that needs all of it
(`map_beside`).
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import sys
import select
import signal
import traceback
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.pool import Pool
from typing import Callable, Iterable, Iterator, TypeVar

from .libc import give_back_freed_memory

T = TypeVar("T")
R = TypeVar("R")

MIN_PARALLEL = 200  # fewer items than this are done in the parent
SERIAL_CHUNK = 64  # items per call of a task done in the parent
_task: Callable | None = None  # in a worker forked by `map_chunks` or `map_shared`: the function it applies


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _plan(items: list[T], workers: int | None) -> tuple[int, list[list[T]]]:
    """How many workers and which chunks; no chunks when the parent had better do it all."""
    workers = default_workers() if workers is None else workers
    return workers, _chunks(items, workers) if _forking_pays(workers, len(items)) else []


def enough_for_a_pool(items: int) -> bool:
    """Whether `items` pieces of work are worth a pool's start-up."""
    return items >= MIN_PARALLEL


def _forking_pays(workers: int, items: int) -> bool:
    return workers > 1 and enough_for_a_pool(items) and can_fork()


def _chunks(items: list[T], processes: int) -> list[list[T]]:
    """About eight chunks a process: enough to even out chunks of unequal cost."""
    return _pieces(items, max(16, len(items) // (processes * 8)))


def _pieces(items: list[T], size: int) -> list[list[T]]:
    """`items` cut into lists of `size` (the last may be shorter)."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def map_chunks(task: Callable[[list[T]], list[R]], items: list[T], workers: int | None = None) -> Iterator[R]:
    """`task` over `items` in chunks, results in the order of `items`, streamed as they come."""
    workers, chunks = _plan(items, workers)
    if not chunks:
        yield from _serially(task, items)
        return
    with _forked_pool(workers, task) as pool:
        for results in pool.imap(_run, chunks):
            yield from results


def map_shared(task: Callable[[list[T]], list[R]], items: list[T], workers: int | None = None) -> Iterator[R]:
    """Like `map_chunks`, in no particular order, with the parent taking a share of the work: one
    process fewer holds a copy of what the work reads (the resolved site, when rendering)."""
    workers, chunks = _plan(items, workers)
    if not chunks:
        yield from _serially(task, items)
        return
    mine, theirs = chunks[: len(chunks) // workers], chunks[len(chunks) // workers :]
    yield from _with_pool(task, workers - 1, theirs, mine)


def _serially(task: Callable[[list[T]], list[R]], items: list[T]) -> Iterator[R]:
    """`task` in this process, a few items at a time: its results are used as they come, not
    all held until the last is made (ten thousand pages are 300 MB)."""
    for piece in _pieces(items, SERIAL_CHUNK):
        yield from _apply(task, piece)


def _with_pool(task, workers: int, theirs: list, mine: list) -> Iterator:
    with _forked_pool(workers, task) as pool:
        results = pool.imap_unordered(_run, theirs)
        for chunk in mine:
            yield from _apply(task, chunk)
            while True:  # take what the workers have finished, so it is not held in memory
                try:
                    yield from results.next(timeout=0)
                except (multiprocessing.TimeoutError, StopIteration):
                    break
        for done in results:
            yield from done


def _forked_pool(workers: int, task: Callable | None = None) -> Pool:
    """Workers forked from this process, each applying `task` to the chunks sent to it (`_run`).
    `task` reaches them through the fork, not pickled: a closure over the resolved site, which
    they share with this process page by page until one of them writes to it."""
    return multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker, initargs=(task,))


@dataclass(frozen=True)
class Helpers:
    """Worker processes forked early, waiting for work sent to them pickled (`map_beside`)."""

    pool: Pool
    processes: int


@contextmanager
def early_helpers(workers: int | None, items: int) -> Iterator[Helpers | None]:
    """All cores but this process's, forked now, while this process holds little, for the work
    that needs little of what it will hold (preparing files, drawing cards): a pool forked after
    loading 10,000 entities grew by 120 MiB drawing cards, copying each page of the site's memory
    its work touched. None when `items` is too few for a pool to pay."""
    workers = default_workers() if workers is None else workers
    if not _forking_pays(workers, items):
        yield None
        return
    with _forked_pool(workers - 1) as pool:
        yield Helpers(pool, workers - 1)


def retire(helpers: Helpers | None) -> None:
    """No more work for the helpers: they exit, and the pool's threads with them, so that a pool
    forked next is forked from a process running one thread (a fork copies only the thread that
    forks; a lock another thread held would stay held in the child)."""
    if helpers is not None:
        helpers.pool.close()
        helpers.pool.join()


def map_beside(
    own: Iterable[R], task: Callable[[list[T]], list[R]], items: list[T], helpers: Helpers | None
) -> Iterator[R]:
    """The results of `own`, made in this process, while `helpers` apply `task` to `items` in
    chunks (`task` and the items are pickled: a function of the module, or a partial of one);
    once `own` is done, this process takes chunks too, so neither side waits for the other.
    Results come as they are made, in no particular order."""
    if helpers is None or not enough_for_a_pool(len(items)):
        yield from own
        yield from _serially(task, items)
        return
    # Chunks of at most SERIAL_CHUNK items: a helper sends a chunk's results back at once, and
    # 600 cards (of 10,000) are 25 MB held by both sides while they cross.
    pending = deque(_pieces(items, SERIAL_CHUNK))
    running: deque = deque()

    def finished() -> list[R]:
        """What the helpers have done, taken so it is not held; and more work for them."""
        done: list[R] = []
        while running and running[0].ready():
            done.extend(running.popleft().get())
        while pending and len(running) < 2 * helpers.processes:
            running.append(helpers.pool.apply_async(_apply, (task, pending.popleft())))
        return done

    yield from finished()
    for n, result in enumerate(own):
        yield result
        if n % 16 == 15:
            yield from finished()
    while pending:
        yield from _apply(task, pending.popleft())
        yield from finished()
    while running:
        yield from running.popleft().get()


def _start_worker(task: Callable | None) -> None:
    """Keep the worker's `task`. What the parent made before the fork is frozen out of the cycle
    collector's walks (walking it would copy every page of the parent's memory into the worker);
    what the worker makes is collected as usual, so its temporary cycles (parser states, template
    contexts) do not pile up."""
    global _task
    _task = task
    gc.freeze()
    gc.enable()


def _run(chunk: list) -> list:
    assert _task is not None
    return _apply(_task, chunk)


def _apply(task: Callable[[list[T]], list[R]], chunk: list[T]) -> list[R]:
    """`task(chunk)`, then what it freed handed back to the system."""
    results = task(chunk)
    give_back_freed_memory()
    return results


def in_child(work: Callable[[], R], wanted: Callable[[], bool], poll: float = 0.05) -> R | None:
    """`work()` in a forked process, its result back through a pipe; None, with the process
    killed, as soon as `wanted()` turns false. The preview makes the search index and the data
    downloads this way after each save: in a thread, their long calls into C (the JSON encoder)
    held the interpreter, and the next save waited seconds for its page. (The preview itself
    waits on the child from its event loop, `Child`, rather than here.)"""
    if not can_fork():
        result = work()
        return result if wanted() else None
    child = Child.fork(work)
    try:
        while not child.read():
            if not select.select([child.fd], [], [], poll)[0] and not wanted():
                child.stop()
                return None
    except BaseException:
        child.stop()
        raise
    result = child.answer()
    return result if wanted() else None


def can_fork() -> bool:
    """Only on Linux: on macOS forking a process that has run system frameworks' threads is unsafe
    (CPython starts processes by spawning there), and Windows cannot fork. Elsewhere a build runs
    in one process."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


@dataclass
class Child:
    """A forked process doing one piece of work, whose result comes back pickled through a pipe,
    read as it comes (`read`), so an event loop can wait for it among other things."""

    pid: int
    fd: int  # the pipe's end to read, non-blocking; closed once the child is done with
    chunks: list[bytes]
    finished: bool = False  # all of the result has been read
    ended: bool = False  # the pipe closed, the process reaped

    @classmethod
    def fork(cls, work: Callable[[], R]) -> Child:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: nothing of the parent's but this thread; it never returns into it
            try:
                os.close(read)
                _start_worker(None)
                try:
                    answer = (True, work())
                except Exception:
                    answer = (False, traceback.format_exc())
                with os.fdopen(write, "wb") as f:
                    f.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
            finally:
                os._exit(0)
        os.close(write)
        os.set_blocking(read, False)
        return cls(pid, read, [])

    def read(self) -> bool:
        """Take what the child has sent so far; true once it has sent everything."""
        while not self.finished:
            try:
                chunk = os.read(self.fd, 1 << 20)
            except BlockingIOError:
                break
            self.chunks.append(chunk)
            self.finished = not chunk
        return self.finished

    def answer(self):
        """The work's result, once `read` has said it is all there; a failure in the child is
        raised here, with the child's traceback."""
        self._end()
        ok, value = pickle.loads(b"".join(self.chunks))
        self.chunks = []
        if not ok:
            raise RuntimeError(f"in a child process:\n{value}")
        return value

    def stop(self) -> None:
        """The work is no longer wanted: the child is killed."""
        if not self.ended:
            os.kill(self.pid, signal.SIGKILL)
            self._end()

    def _end(self) -> None:
        if not self.ended:
            self.ended = True
            os.close(self.fd)
            os.waitpid(self.pid, 0)
