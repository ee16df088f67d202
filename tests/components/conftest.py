"""The `monitor` fixture: Pulumi mocks that record every registration.

The mocks are global Pulumi state, so each test gets a fresh recording monitor and a
fresh root stack; nothing is shared between tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pulumi.runtime import settings as pulumi_settings
from pulumi_recorder import Recorder, UnitMocks

from shipyard.render import install_monitor


@pytest.fixture
def monitor() -> Iterator[Recorder]:
    recorder = Recorder(UnitMocks())
    install_monitor(recorder, project="unit", stack="test")
    yield recorder
    # Nothing parents to this test's stack afterwards (another test's, or a render's).
    pulumi_settings.ROOT.set(None)
