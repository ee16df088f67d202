"""Arguments of the S3 bucket component, and the S3 bucket naming rules."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from components.shared.args import ComponentArgs
from components.shared.aws_values import AwsTags
from components.shared.names import Dns1123Label

S3Encryption = Literal["aws:kms", "AES256"]
DEFAULT_ENCRYPTION: S3Encryption = "aws:kms"
"""SSE-KMS with a customer managed key (created with rotation unless one is given)."""
BUCKET_NAME_MIN = 3
BUCKET_NAME_MAX = 63
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]")
# General purpose bucket naming rules (Amazon S3 User Guide, "Bucket naming rules").
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(name: str) -> str | None:
    """Why `name` is not a valid S3 general purpose bucket name, or None when it is one."""
    if not BUCKET_NAME_MIN <= len(name) <= BUCKET_NAME_MAX:
        return (
            f"{name!r} is not a valid S3 bucket name: it must be {BUCKET_NAME_MIN} to "
            f"{BUCKET_NAME_MAX} characters, got {len(name)}"
        )
    if not _BUCKET_NAME.fullmatch(name):
        return (
            f"{name!r} is not a valid S3 bucket name: use lowercase letters, digits, '.' and "
            "'-', starting and ending with a letter or digit"
        )
    if ".." in name:
        return f"{name!r} is not a valid S3 bucket name: it must not contain '..'"
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        pass
    else:
        return f"{name!r} is not a valid S3 bucket name: it must not look like an IP address"
    for prefix in _RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"{name!r} is not a valid S3 bucket name: the prefix `{prefix}` is reserved"
    for suffix in _RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"{name!r} is not a valid S3 bucket name: the suffix `{suffix}` is reserved"
    return None


def _check_bucket_name(value: str) -> str:
    problem = bucket_name_problem(value)
    if problem:
        raise ValueError(problem)
    return value


S3BucketName = Annotated[str, AfterValidator(_check_bucket_name)]
"""A string that must follow the S3 general purpose bucket naming rules."""


class ServiceAccount(ComponentArgs):
    """A Kubernetes service account that may use the bucket through IRSA."""

    namespace: Annotated[Dns1123Label, Field(description="The service account's namespace.")]
    name: Annotated[Dns1123Label, Field(description="The service account's name.")]


class AppAccess(ComponentArgs):
    """One app's own IRSA role on the bucket: trusted by its service account alone."""

    service_account: Annotated[ServiceAccount, Field(description="The app's service account.")]
    write: Annotated[bool, Field(description="Read and write; false: read and list only.")]


class S3BucketArgs(ComponentArgs):
    bucket: Annotated[S3BucketName, Field(description="Globally unique bucket name.")]
    encryption: Annotated[
        S3Encryption,
        Field(description=f"`aws:kms` or `AES256` (SSE-S3); default `{DEFAULT_ENCRYPTION}`."),
    ] = DEFAULT_ENCRYPTION
    kms_key_arn: Annotated[
        str | None,
        Field(
            description="KMS key for `aws:kms`; none creates one with rotation. "
            "Conflicts with `AES256`."
        ),
    ] = None
    allow_data_loss: Annotated[
        bool,
        Field(
            description="Leave the bucket (and its key) unprotected and let a destroy empty "
            "it; default false."
        ),
    ] = False
    consumers: Annotated[
        tuple[ServiceAccount, ...],
        Field(description="Service accounts the IRSA role trusts; none creates no role."),
    ] = ()
    tags: Annotated[AwsTags, Field(description="Tags on every AWS resource.")] = {}
    app_access: Annotated[
        tuple[AppAccess, ...], Field(description="A role of its own per app (IRSA).")
    ] = ()

    @model_validator(mode="after")
    def _consistent(self) -> S3BucketArgs:
        if self.kms_key_arn is not None and self.encryption != "aws:kms":
            raise ValueError("`kms_key_arn` needs `encryption` `aws:kms`")
        if len(set(self.consumers)) != len(self.consumers):
            raise ValueError("`consumers` lists a service account twice")
        accounts = [access.service_account for access in self.app_access]
        if len(set(accounts)) != len(accounts):
            raise ValueError("`app_access` lists a service account twice")
        return self
