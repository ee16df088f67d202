"""The `monitor` fixture: Pulumi mocks that record every registration.

The mocks are global Pulumi state, so each test gets a fresh recording monitor and a
fresh root stack; nothing is shared between tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.components.pulumi_recorder import Recorder, UnitMocks, recording_monitor


@pytest.fixture
def monitor() -> Iterator[Recorder]:
    yield from recording_monitor(UnitMocks())
