"""Generated secrets, each of which a caller may bring instead.

Every password or key a component generates is a `RandomPassword` with a stable resource
name. `given` maps such names to values to use in their place: credentials carried over
from an existing installation, or a stack whose engine cannot run the random provider.
Either way the result is a Pulumi secret.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_random as random

GivenSecrets = Mapping[str, pulumi.Input[str]]
"""Resource name of a generated secret -> the value to use instead."""


def generated_secret(
    name: str, length: int, opts: pulumi.ResourceOptions, given: GivenSecrets | None = None
) -> pulumi.Output[str]:
    """`given[name]` when present, else a `RandomPassword` named `name` of letters and digits
    (safe in URLs and config files); a Pulumi secret either way."""
    if given is not None and name in given:
        return pulumi.Output.secret(given[name])
    generated = random.RandomPassword(name, length=length, special=False, opts=opts)
    # `result` is always set by the provider; only offline mocks leave it empty.
    return pulumi.Output.secret(generated.result.apply(lambda value: value or ""))
