"""Gateway values refused at validate that the gateway or the cluster would refuse later."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shipyard.sections.gateway.model import Exposure, Route


@pytest.mark.parametrize("alias", ["", " ", "gpt 4", "x\n"])
def test_an_alias_is_a_name_without_whitespace(alias: str) -> None:
    with pytest.raises(ValidationError, match=r"aliases\.0"):
        Route(model="qwen", aliases=[alias])


def test_aliases_taken() -> None:
    assert Route(model="qwen", aliases=["gpt-4o-mini", "qwen:latest"]).aliases == [
        "gpt-4o-mini",
        "qwen:latest",
    ]


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("https://api.example.com", "is a URL; give only the host name"),
        ("api.example.com:443", "has a path or a port"),
    ],
)
def test_an_exposure_host_is_a_host_name(host: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Exposure(type="ingress", host=host)
