"""`python -m tests._ingest_child ingest --json ...`: the real CLI, with two test hooks from the environment.

FRONTLINE_TEST_FLUSH=N          flush (embed + write) every N passages, so a small corpus has many commits
FRONTLINE_TEST_KILL_AFTER_ADD=K SIGKILL this process right after the K-th Chroma write, before the docstore
                                records it: the crash window the write order is designed for
"""
from __future__ import annotations

import os
import signal
import sys


def _install_hooks() -> None:
    import retrieval.ingest as ingest_mod
    from retrieval.vector_index import VectorIndex

    if os.environ.get("FRONTLINE_TEST_FLUSH"):
        ingest_mod.FLUSH_PASSAGES = int(os.environ["FRONTLINE_TEST_FLUSH"])
    kill_after = int(os.environ.get("FRONTLINE_TEST_KILL_AFTER_ADD") or 0)
    if kill_after:
        original = VectorIndex.add
        calls = {"n": 0}

        def add(self, passages, embeddings):
            original(self, passages, embeddings)
            calls["n"] += 1
            if calls["n"] >= kill_after:
                os.kill(os.getpid(), signal.SIGKILL)

        VectorIndex.add = add


if __name__ == "__main__":
    _install_hooks()
    from retrieval.__main__ import main

    sys.exit(main(sys.argv[1:]))
