"""Per-client ACL users of the in-cluster cache (pure).

Each bound client (an app) gets a Valkey user of its own: a generated password in the
Secret `<cache>-<user>-credentials` (`username`, `password`, `uri`), and access to the
keys and channels under its prefix alone, read-only or read-write, never the
administrative commands (`@dangerous`: CONFIG, FLUSHALL, KEYS, DEBUG, ACL, ...). ACLs are
not replicated, so every Valkey pod's `config.sh` writes the same `user` lines into its
config at start, each password read from the mounted Secret. The default user (the
shared password) stays the gateway's, HAProxy's and replication's.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from pydantic import Field

from components.shared.args import ComponentArgs
from components.shared.names import Dns1123Label

Manifest = dict[str, Any]

USERS_DIR = "/users"
USERNAME_KEY = "username"
USER_PASSWORD_KEY = "password"
URI_KEY = "uri"
KEY_PREFIX_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9:._/-]*$"
"""Letters, digits and `:._/-`: safe in an ACL rule and in the start script unquoted."""
USERS_HASH_ANNOTATION = "shipyard.dev/users-sha256"
# Read: the read commands and the connection's own (AUTH, HELLO, PING, CLIENT SETNAME).
READ_CATEGORIES = ("+@connection", "+@read")
# Read-write adds writes, MULTI/EXEC, Pub/Sub and Lua (whose keys the ACL still checks).
WRITE_CATEGORIES = ("+@write", "+@transaction", "+@pubsub", "+@scripting")
# Last, so no category above can bring them back.
DENIED_CATEGORIES = ("-@dangerous", "-@admin")


class CacheUser(ComponentArgs):
    """A client's own user: the keys and channels under `key_prefix`, read or read-write."""

    name: Annotated[Dns1123Label, Field(description="The user name (an app's name).")]
    key_prefix: Annotated[
        str,
        Field(
            pattern=KEY_PREFIX_PATTERN,
            description="Its keys and Pub/Sub channels start with this, e.g. `backend:`.",
        ),
    ]
    read_only: Annotated[bool, Field(description="Read commands only; default false.")] = False


def user_secret_name(cache: str, user: str) -> str:
    """The Secret with the user's `username`, `password` and `uri`."""
    return f"{cache}-{user}-credentials"


def acl_rules(user: CacheUser) -> str:
    """The rules after `user <name> reset on >PASSWORD`: its keys, its channels, its
    commands."""
    categories = (*READ_CATEGORIES, *(() if user.read_only else WRITE_CATEGORIES))
    return " ".join(
        (
            f"~{user.key_prefix}*",
            f"&{user.key_prefix}*",
            "-@all",
            *categories,
            *DENIED_CATEGORIES,
        )
    )


def users_script(users: tuple[CacheUser, ...], conf: str) -> str:
    """The lines `config.sh` appends to `conf`: one `user` directive per user, the
    password read from `USERS_DIR/<name>` (the mounted Secret) and never echoed."""
    lines = [
        f"printf 'user {user.name} reset on >%s {acl_rules(user)}\\n' "
        f'"$(cat {USERS_DIR}/{user.name})" >> {conf}'
        for user in sorted(users, key=lambda user: user.name)
    ]
    return "\n".join(lines) + ("\n" if lines else "")


def users_volume(cache: str, users: tuple[CacheUser, ...]) -> Manifest:
    """Every user's password as a file `<name>`, for the init container."""
    return {
        "name": "users",
        "projected": {
            "defaultMode": 0o440,
            "sources": [
                {
                    "secret": {
                        "name": user_secret_name(cache, user.name),
                        "items": [{"key": USER_PASSWORD_KEY, "path": user.name}],
                    }
                }
                for user in sorted(users, key=lambda user: user.name)
            ],
        },
    }


def users_hash(users: tuple[CacheUser, ...]) -> str:
    """Changes with any user's rules, so an access change rolls the pods (one at a time;
    a primary hands over first) and each reads the new rules."""
    text = "\n".join(f"{u.name} {acl_rules(u)}" for u in sorted(users, key=lambda u: u.name))
    return hashlib.sha256(text.encode()).hexdigest()


def user_uri(user: str, password: str, host: str, port: int) -> str:
    """`rediss://<user>:<password>@<host>:<port>`; the password is letters and digits."""
    return f"rediss://{user}:{password}@{host}:{port}"
