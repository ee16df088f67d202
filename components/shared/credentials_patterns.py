"""Whether an env var name or a literal looks like a credential, shared by the blueprint
checks (an app's `env`) and the policy pack's `no-plaintext-secrets` rule (pure)."""

from __future__ import annotations

import itertools
import re

_SECRET_WORDS = frozenset({"PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "CREDENTIALS"})
_SECRET_PAIRS = frozenset({("API", "KEY"), ("PRIVATE", "KEY"), ("ACCESS", "KEY"), ("AUTH", "KEY")})
# `TOKEN_FILE=/var/run/...` names where a secret is, not the secret itself.
_REFERENCE_SUFFIXES = frozenset({"FILE", "PATH", "DIR"})


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [word for word in re.split(r"[^A-Za-z0-9]+", spaced.upper()) if word]


def looks_secret(name: str) -> bool:
    """`DB_PASSWORD`, `hfToken`, `OPENAI_API_KEY` yes; `TOKENIZERS_PARALLELISM`, `TOKEN_FILE` no."""
    words = _words(name)
    if not words or words[-1] in _REFERENCE_SUFFIXES:
        return False
    return bool(_SECRET_WORDS.intersection(words)) or any(
        pair in _SECRET_PAIRS for pair in itertools.pairwise(words)
    )


# Well-known credential formats, matched anywhere in a literal. Formats from the
# issuers' documentation (OpenAI/LiteLLM `sk-`, Hugging Face `hf_`, AWS access key
# ids `AKIA`, GitHub `ghp_`-style tokens, PEM private keys).
_SECRET_VALUES = (
    ("an API key (`sk-...`)", re.compile(r"\bsk-[A-Za-z0-9_-]{20,}")),
    ("a Hugging Face token", re.compile(r"\bhf_[A-Za-z0-9]{30,}")),
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
)


def secret_value_kind(text: str) -> str | None:
    """What kind of credential `text` contains, or None; never echoes the value."""
    return next((kind for kind, pattern in _SECRET_VALUES if pattern.search(text)), None)
