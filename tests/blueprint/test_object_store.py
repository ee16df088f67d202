"""`spec.objectStore` with `provider: s3`: every problem with FILE:LINE:COL and its field,
and the component arguments it becomes."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from components.s3_bucket_args import ServiceAccount
from shipyard.object_store_args import s3_bucket_args

from .located import load_problems, load_text, located_at

FILE = "store.yaml"

BASE = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: shipyard-eks, environment: prod, labels: {team: llm}}
spec:
  cluster:
    kind: eks
    region: us-east-1
  namespace: llm
  objectStore:
    provider: s3
    bucket: acme-llm-models
    consumers:
      - name: model-loader
      - {namespace: batch, name: trainer}
"""


at = partial(located_at, FILE)
load = partial(load_text, FILE)
problems = partial(load_problems, FILE)


def test_base_becomes_bucket_args_with_namespaces_filled_in(tmp_path: Path) -> None:
    args = s3_bucket_args(load(tmp_path, BASE))
    assert args is not None
    assert (args.bucket, args.encryption, args.kms_key_arn, args.allow_data_loss) == (
        "acme-llm-models",
        "aws:kms",
        None,
        False,
    )
    assert args.consumers == (
        ServiceAccount(namespace="llm", name="model-loader"),
        ServiceAccount(namespace="batch", name="trainer"),
    )
    assert args.tags == {"team": "llm"}


def test_s3_needs_an_eks_cluster(tmp_path: Path) -> None:
    text = BASE.replace("    kind: eks\n    region: us-east-1\n", "    kind: local\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'provider: s3')}: spec.objectStore.provider: `provider: s3` needs "
        "`cluster.kind: eks`: its consumers reach the bucket through the cluster's IRSA "
        "provider; use an EKS cluster"
    ]


def test_an_unknown_provider_names_the_choices(tmp_path: Path) -> None:
    text = BASE.replace("provider: s3", "provider: gcs")
    assert problems(tmp_path, text) == [
        f"{at(text, 'provider: gcs')}: spec.objectStore.provider: unknown provider `gcs`; "
        "use one of 's3'"
    ]


def test_a_bad_bucket_name_points_at_the_bucket(tmp_path: Path) -> None:
    text = BASE.replace("bucket: acme-llm-models", "bucket: Acme_Models")
    assert problems(tmp_path, text) == [
        f"{at(text, 'bucket: Acme')}: spec.objectStore.bucket: 'Acme_Models' is not a valid S3 "
        "bucket name: use lowercase letters, digits, '.' and '-', starting and ending with a "
        "letter or digit"
    ]


def test_a_typo_in_the_section_suggests_the_field(tmp_path: Path) -> None:
    text = BASE.replace("    consumers:", "    allowDataLos: true\n    consumers:")
    assert problems(tmp_path, text) == [
        f"{at(text, 'allowDataLos')}: spec.objectStore.allowDataLos: unknown field "
        "`allowDataLos`; did you mean `allowDataLoss`?"
    ]


def test_kms_key_needs_kms_encryption(tmp_path: Path) -> None:
    text = BASE.replace(
        "    consumers:",
        "    encryption: AES256\n    kmsKeyArn: arn:aws:kms:us-east-1:1:key/x\n    consumers:",
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'kmsKeyArn')}: spec.objectStore.kmsKeyArn: `kmsKeyArn` needs "
        "`encryption: aws:kms`; remove it or change `encryption`"
    ]


def test_a_consumer_listed_twice(tmp_path: Path) -> None:
    text = BASE.replace(
        "      - {namespace: batch, name: trainer}\n",
        "      - {namespace: llm, name: model-loader}\n",
    )
    assert problems(tmp_path, text) == [
        f"{at(text, '{namespace: llm')}: spec.objectStore.consumers[1]: service account "
        "`llm/model-loader` is listed twice; remove one"
    ]
