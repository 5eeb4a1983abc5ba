"""The running bot's garbage-collector pace (bot.collector_pace): young collections far rarer than the default's,
and a threshold an operator set higher (PYTHON settings, a sitecustomize) is kept."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.collector_pace import THRESHOLDS, set_pace


@pytest.fixture(autouse=True)
def thresholds_restored() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_the_default_pace_is_raised() -> None:
    gc.set_threshold(700, 10, 10)  # CPython's defaults
    set_pace()
    assert gc.get_threshold() == THRESHOLDS
    assert THRESHOLDS[0] > 700


def test_a_higher_threshold_is_kept() -> None:
    gc.set_threshold(50_000, 5, 100)
    set_pace()
    assert gc.get_threshold() == (50_000, THRESHOLDS[1], 100)
