"""The services over this process's runtime, each with the wording its messages are queued in.

Kept apart from the handler modules so that any of them (the App Home, health, commitments) can
build another feature's service without importing that feature's listeners.
"""

from __future__ import annotations

from bot.runtime import Runtime
from bot.services.cadence import Cadences
from bot.services.commitments import Commitments
from bot.services.health import Health
from handlers.blocks import commitments as commitment_blocks
from handlers.partners import registry_of


def commitments_of(runtime: Runtime) -> Commitments:
    """The commitments service over this process's database, clock and registry."""
    return Commitments(
        engine=runtime.engine,
        clock=runtime.clock,
        registry=registry_of(runtime),
        messages=commitment_blocks.MESSAGES,
        default_channel=runtime.settings.default_channel,
    )


def cadences_of(runtime: Runtime) -> Cadences:
    """The stay-in-touch service over this process's database, clock and registry."""
    return Cadences(
        engine=runtime.engine,
        clock=runtime.clock,
        registry=registry_of(runtime),
        messages=commitment_blocks.MESSAGES,
    )


def health_of(runtime: Runtime) -> Health:
    """The health service over this process's database, clock and registry."""
    return Health(
        engine=runtime.engine,
        clock=runtime.clock,
        registry=registry_of(runtime),
        commitments=commitments_of(runtime),
        cadences=cadences_of(runtime),
    )
