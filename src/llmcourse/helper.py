"""A helper process that readies Liquid and Markdown while the build reads its cache.

A build that finds nearly everything cached (one lecture edited) spent a third of its time
importing python-liquid and markdown-it and setting them up, to render one document. A
process forked when the build starts does that on another core while this one hashes the
sources and loads the cache, then renders the few documents' Liquid and Markdown when asked.
Requests and answers are pickled over two pipes. Whatever goes wrong with the helper (it
died, it raised), the work is done in this process instead, so no output depends on it.

``llmcourse build`` starts it before it imports the rest of the build pipeline (the stages,
Jinja...); what this module imports the build needs too, and the helper then has it.
"""

from __future__ import annotations

import functools
import os
import pickle
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .cache import CACHE_DIR, DB_NAME
from .parallel import default_jobs

if TYPE_CHECKING:
    import queue

    from .content import ContentContext, LiquidContext
    from .model import Document
    from .parallel import Job, Rendered



def wanted(site_dir: Path, *, jobs: int, use_cache: bool) -> bool:
    """Whether a build gains from a helper: one that will find most of its work cached (not
    a cold build, whose Markdown goes to a process pool), on more than one core, and not
    told to use one process."""
    return (use_cache and jobs != 1 and default_jobs() > 1
            and (site_dir / CACHE_DIR / DB_NAME).is_file())


class HelperGone(Exception):
    """The helper cannot answer: do the work here."""


class Helper:
    """The build's end: ``send`` requests to the helper, ``receive`` their answers."""

    def __init__(self, pid: int, requests: IO[bytes], answers: IO[bytes]) -> None:
        self._pid: int | None = pid
        self._requests = requests
        self._answers = answers

    @classmethod
    def start(cls) -> Helper | None:
        """A helper process, or None where forking is not safe (another thread might hold a
        lock the child would inherit locked) or not possible."""
        if not hasattr(os, "fork") or threading.active_count() != 1:
            return None
        request_read, request_write = os.pipe()
        answer_read, answer_write = os.pipe()
        _widen(request_write)
        pid = os.fork()
        if pid == 0:  # the helper: serve, and leave without running the parent's cleanup
            code = 1
            try:
                os.close(request_write)
                os.close(answer_read)
                _serve(os.fdopen(request_read, "rb"), os.fdopen(answer_write, "wb"))
                code = 0
            except BaseException:  # Ctrl-C, a broken pipe: the parent copes
                pass
            finally:
                os._exit(code)
        os.close(request_read)
        os.close(answer_write)
        return cls(pid, os.fdopen(request_write, "wb"), os.fdopen(answer_read, "rb"))

    def send(self, name: str, *args: Any) -> None:
        """Ask for ``HANDLERS[name](*args)``, run in the helper; ``receive`` waits for the
        answers, in order. (In between, this process can do something else.)"""
        if self._pid is None:
            raise HelperGone
        try:
            pickle.dump((name, args), self._requests, protocol=pickle.HIGHEST_PROTOCOL)
            self._requests.flush()
        except Exception as exc:  # a dead helper: all the same
            self.close()
            raise HelperGone from exc

    def receive(self) -> Any:
        """The answer to the oldest request not answered yet; HelperGone if it cannot say."""
        if self._pid is None:
            raise HelperGone
        try:
            ok, value = pickle.load(self._answers)
        except Exception as exc:  # a dead helper, a torn answer: all the same
            self.close()
            raise HelperGone from exc
        if not ok:  # it raised: whatever it was happens again here, where it is reported
            raise HelperGone(value)
        return value

    def close(self) -> None:
        """Let the helper end (it reads end-of-file) and reap it."""
        if self._pid is None:
            return
        pid, self._pid = self._pid, None
        for pipe in (self._requests, self._answers):
            try:
                pipe.close()
            except OSError:
                pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def _widen(pipe: int) -> None:
    """Room for a whole request (the site's listing for Liquid is ~250 kB) where the system
    allows (Linux): sending it then never waits for the helper to be reading."""
    try:
        import fcntl

        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass


# -- the helper's side ----------------------------------------------------------------------
class _State:
    """What the helper made once: its MarkdownIt, and the Liquid environment of the build."""

    def __init__(self) -> None:
        self.liquid: tuple[str, Any] | None = None
        self.last_spans: list[Any] = []  # the last Liquid answer

    @functools.cached_property
    def md(self) -> Any:
        from .markdown import create_markdown

        return create_markdown()


def _liquid(state: _State, ctx: LiquidContext, key: str, jobs: list[Any]) -> list[Any]:
    from dataclasses import replace

    from .liquid import create_liquid_environment, render_spans

    if state.liquid is None or state.liquid[0] != key:
        env = create_liquid_environment(replace(ctx, markdownify=lambda t: state.md.render(t)))
        state.liquid = (key, env)
    state.last_spans = render_spans(state.liquid[1], jobs)
    return state.last_spans


def _markdown_after_liquid(state: _State, ctx: ContentContext,
                           items: list[tuple[Document, int | None, Any]]) -> list[Any]:
    """Each document's Markdown, its body through Liquid as the last Liquid answer (the
    job at the index) or ``output`` says; with the digest of that text (the build checks
    it is the text it would render). None where its Liquid failed."""
    from .content import after_liquid, text_digest
    from .parallel import render_one

    done: list[Any] = []
    for doc, index, output in items:
        if index is not None:
            rendered = state.last_spans[index] if index < len(state.last_spans) else None
            if not isinstance(rendered, str) or doc.liquid is None:
                done.append(None)
                continue
            output = (doc.liquid.start, doc.liquid.end, rendered)
        body = after_liquid(doc.body, output)
        done.append((text_digest(body), render_one(doc, body, state.md, ctx)))
    return done


def _markdown(state: _State, ctx: ContentContext, jobs: list[Job]) -> list[Rendered]:
    from .parallel import render_one

    return [render_one(doc, body, state.md, ctx) for doc, body in jobs]


HANDLERS: dict[str, Callable[..., Any]] = {"liquid": _liquid, "markdown": _markdown,
                                           "markdown_after_liquid": _markdown_after_liquid}


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    # Liquid is asked for first: it is made ready first, then Markdown (import and set-up,
    # ~50 ms) unless Liquid was asked for already (then after answering, while the build
    # looks up its cache with Liquid's answer).
    import queue
    import select

    import llmcourse.liquid  # noqa: F401

    # Answers are written by a thread of their own, so this loop always goes back to
    # reading: the build sends its next request before it reads the last answer, and
    # neither side may wait on a full pipe while the other waits too.
    outbox: queue.SimpleQueue[tuple[bool, Any] | None] = queue.SimpleQueue()
    writer = threading.Thread(target=_write_answers, args=(outbox, answers))
    writer.start()
    state = _State()
    if not select.select([requests], [], [], 0)[0]:
        state.md  # noqa: B018
    try:
        while True:
            try:
                name, args = pickle.load(requests)
            except EOFError:
                return
            try:
                outbox.put((True, HANDLERS[name](state, *args)))
            except Exception as exc:  # reported to the parent, which does the work itself
                outbox.put((False, f"{type(exc).__name__}: {exc}"))
            state.md  # noqa: B018 - made now, between requests, if not yet
    finally:
        outbox.put(None)
        writer.join()


def _write_answers(outbox: queue.SimpleQueue[tuple[bool, Any] | None],
                   answers: IO[bytes]) -> None:
    try:
        while (answer := outbox.get()) is not None:
            pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
            answers.flush()
    except Exception:  # the build went away, or an answer would not pickle: the build
        pass  # reads the end of the pipe (or a torn answer) and does the work itself
    finally:
        answers.close()
