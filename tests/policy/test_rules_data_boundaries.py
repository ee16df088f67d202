"""`stateful-resources-protected` takes only a real `true` for allowDataLoss: a mutant that
took any truthy value (the string "false" too) survived every earlier test."""

from __future__ import annotations

import pytest

from tests.policy.test_rules_data import UNPROTECTED, claim, violations


@pytest.mark.parametrize("setting", ["false", "true", 1, "yes", [True]])
def test_allow_data_loss_must_be_the_boolean_true(setting: object) -> None:
    assert violations("stateful-resources-protected", claim(), allowDataLoss=setting) == [
        UNPROTECTED
    ]
