"""Named crash points, for the exactly-once tests: ``BRIEFBOT_KILL_AT=after_claim`` makes the process die
(``os._exit``, no cleanup, as a power cut would) the first time it reaches that point. Unset, they cost nothing.

Points: ``after_claim`` (claimed, nothing sent), ``before_call`` (marked sending, the call not yet made),
``after_deliver`` (the platform accepted the post, the claim is
not yet marked sent).
"""

from __future__ import annotations

import os
import sys

ENV = "BRIEFBOT_KILL_AT"
EXIT_CODE = 137  # what a SIGKILL looks like to a supervisor


def kill_point(name: str) -> None:
    wanted = os.environ.get(ENV)
    if wanted and name in wanted.split(","):
        sys.stderr.write(f"briefbot: killed at {name} ({ENV})\n")
        sys.stderr.flush()
        os._exit(EXIT_CODE)
