"""Fuzz the surfaces an outsider reaches: hostile HTTP requests against Slack HTTP mode (the real bolt app behind
the guard, on the app's own server, over loopback), and random commands from a channel that may not see a
restricted topic (does its title ever leak?). Prints figures, asserts nothing.

    python -m bench.fuzz_surfaces [--n 2000] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import random
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from bench.fuzz import ErrorCounter, random_text
from bench.slack_server import slack_http_bot
from bot.app import App
from bot.config import BUNDLED_STORE, Settings
from bot.render_text import render_text
from bot.store import load_store
from bot.targets import Target

SECRET = "fuzz-signing-secret"
ALLOWED = "slack:T0FAKE:CSECRET"
OUTSIDER = Target.parse("slack:T0FAKE:CGENERAL")
SECRET_TITLE = "Quota talks codenamed Bluefin"
SECRETS = (SECRET_TITLE, "Held only for one channel", "Bluefin quota notes")


def hostile_request(rng: random.Random, verifier: SignatureVerifier, good_body: str) -> tuple[bytes, dict[str, bytes]]:
    """A request an attacker or a broken proxy might send: junk headers, junk bodies, sometimes validly signed."""
    now = str(int(time.time()))
    timestamp = rng.choice([now, "", "abc", "1.5", "9" * 400, str(int(time.time()) - 10_000), "-1", "\u0661\u0662"])
    body: bytes = rng.choice(
        [
            good_body.encode(),
            b"payload=" + rng.choice([b"[]", b"1", b"{", b"%ff%fe", b"null", b'{"type":"block_actions"}']),
            bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 300))),
            b'{"type": "event_callback", "event": ',
            random_text(rng).encode("utf-8", "surrogatepass"),
        ]
    )
    headers = {
        "Content-Type": rng.choice(
            ["application/x-www-form-urlencoded", "application/json", "text/plain", "application/json; charset=latin-9"]
        ),
        "X-Slack-Request-Timestamp": timestamp,
    }
    if rng.random() < 0.5:  # validly signed junk: the guard must still refuse what bolt cannot parse
        signature = verifier.generate_signature(timestamp=timestamp, body=body.decode("latin-1"))
        headers["X-Slack-Signature"] = signature or ""
    else:
        headers["X-Slack-Signature"] = rng.choice(["v0=" + "0" * 64, "", "v0=\u00e9", "garbage"])
    if rng.random() < 0.1:
        headers["Content-Encoding"] = "gzip"
    return body, {name: value.encode("utf-8", "surrogatepass") for name, value in headers.items()}


async def http_surface(n: int, rng: random.Random, tmp: Path) -> None:
    counter = ErrorCounter()
    logging.getLogger().addHandler(counter)
    statuses: Counter[int] = Counter()
    errors = 0
    verifier = SignatureVerifier(SECRET)
    started = time.perf_counter()
    try:
        async with (
            slack_http_bot(tmp, SECRET) as server,
            httpx.AsyncClient(base_url=server.base_url, timeout=10) as client,
        ):
            good = urlencode(server.fake.command_payload("/status", "tariffs"))
            for _ in range(n):
                body, headers = hostile_request(rng, verifier, good)
                try:
                    response = await client.post("/slack/events", content=body, headers=headers)
                    statuses[response.status_code] += 1
                except httpx.HTTPError:
                    errors += 1
    finally:
        logging.getLogger().removeHandler(counter)
    server_errors = sum(v for k, v in statuses.items() if k >= 500)
    print(
        f"{'Slack HTTP surface':28} {n:>6} requests  {server_errors:>3} 5xx  {errors:>3} dropped  "
        f"{counter.count:>3} error logs  {time.perf_counter() - started:6.1f} s   "
        f"statuses {dict(sorted(statuses.items()))}"
    )


async def restricted_walk(n: int, rng: random.Random, tmp: Path) -> None:
    root = tmp / "store"
    shutil.copytree(BUNDLED_STORE, root, ignore=shutil.ignore_patterns("README.md"))
    source = next(iter(load_store(root).sources))  # any source the store has
    (root / "deals/canada-us/topics/bluefin.md").write_text(
        f"---\ntitle: {SECRET_TITLE}\naliases: [bluefin, quota]\ntrack: policy\nstatus: in_talks\n"
        f"summary: Held only for one channel.\nrestricted_to: [{ALLOWED}]\nupdated: 2025-05-01\n"
        f"sources: [{source}]\n---\n"
        "Bluefin quota notes.\n",
        encoding="utf-8",
    )
    settings = Settings(store=root, as_of=dt.date(2025, 5, 2), state_url=f"sqlite+aiosqlite:///{tmp}/walk.db")
    app = App(settings)
    words = ["bluefin", "quota", "blue", "fin", "codenamed", "talks", "tariffs", "deal:canada-us", "date:2025-05-02"]
    commands = ["status", "who", "deal", "brief", "timeline", "search", "help"]
    leaks = 0
    started = time.perf_counter()
    for _ in range(n):
        text = f"/{rng.choice(commands)} " + " ".join(rng.choice(words) for _ in range(rng.randint(0, 3)))
        if rng.random() < 0.3:
            text += " " + random_text(rng, 40)
        shown = render_text(await app.ask(text, OUTSIDER))
        if any(secret in shown for secret in SECRETS):  # the query echoed back is the user's own text, not a leak
            leaks += 1
            if leaks <= 3:
                print(f"  leak: {text!r}")
    allowed = render_text(await app.ask("/status bluefin", Target.parse(ALLOWED)))
    seen = "seen" if SECRET_TITLE in allowed else "NOT SEEN (the walk is broken)"
    print(
        f"{'restricted topic walk':28} {n:>6} commands  {leaks:>3} leaks   {time.perf_counter() - started:6.1f} s   "
        f"(the allowed channel: {seen})"
    )


async def main(n: int, seed: int) -> None:
    rng = random.Random(seed)
    logging.basicConfig(level=logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp:
        await http_surface(n, rng, Path(tmp))
        await restricted_walk(n, rng, Path(tmp))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.seed))
