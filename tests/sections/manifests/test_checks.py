"""`spec.manifests`: objects checked against the upstream Kubernetes OpenAPI schema and the
blueprint's own CRDs, every problem at the manifest's FILE:LINE:COL."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipyard.blueprint import BlueprintError, load_blueprint
from shipyard.blueprint.loader import load_with_advisories
from shipyard.sections.manifests.load import load_manifests
from tests.blueprint.located import located_at

BLUEPRINT = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: escape, environment: test}
spec:
  cluster: {kind: local}
  namespace: escape
  manifests:
    - path: objects.yaml
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  replicas: 2
  selector:
    matchLabels: {app: worker}
  template:
    metadata:
      labels: {app: worker}
    spec:
      containers:
        - name: worker
          image: registry.example.com/worker:1.0.0
          imagePullPolicy: IfNotPresent
"""

WIDGET_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.tests.shipyard.dev
spec:
  group: tests.shipyard.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer, minimum: 1}
"""


def write(tmp_path: Path, objects: str) -> Path:
    (tmp_path / "objects.yaml").write_text(objects, encoding="utf-8")
    blueprint = tmp_path / "platform.yaml"
    blueprint.write_text(BLUEPRINT, encoding="utf-8")
    return blueprint


def problems(tmp_path: Path, objects: str) -> list[str]:
    with pytest.raises(BlueprintError) as caught:
        load_blueprint(write(tmp_path, objects), name="platform.yaml")
    return caught.value.render().splitlines()


def objects_file(tmp_path: Path) -> str:
    from shipyard.blueprint.loader import display_name

    return display_name(tmp_path / "objects.yaml")


def at(tmp_path: Path, text: str, needle: str, nth: int = 0) -> str:
    """`objects.yaml:LINE:COL` of the `nth` line of `text` holding `needle`."""
    return located_at(objects_file(tmp_path), text, needle, nth)


def test_a_valid_deployment_loads_and_is_namespaced(tmp_path: Path) -> None:
    platform = load_blueprint(write(tmp_path, DEPLOYMENT))
    [obj] = load_manifests(platform).objects
    assert obj.manifest["metadata"] == {"name": "worker", "namespace": "escape"}
    assert obj.manifest["spec"]["replicas"] == 2


def test_a_misspelt_field_fails_at_the_manifests_line(tmp_path: Path) -> None:
    broken = DEPLOYMENT.replace("imagePullPolicy", "imagePullPolcy")
    [line] = problems(tmp_path, broken)
    # The misspelt key itself, in the manifest (not the blueprint): line 16, column 11.
    assert at(tmp_path, broken, "imagePullPolcy") == f"{objects_file(tmp_path)}:16:11"
    assert line.startswith(f"{at(tmp_path, broken, 'imagePullPolcy')}: Deployment `worker`: ")
    assert "`spec.template.spec.containers[0].imagePullPolcy`" in line
    assert "unknown field `imagePullPolcy`; did you mean `imagePullPolicy`?" in line
    assert "(from `spec.manifests[0].path` in platform.yaml)" in line


def test_a_wrong_type_fails_at_its_line(tmp_path: Path) -> None:
    text = DEPLOYMENT.replace("replicas: 2", 'replicas: "2"')
    [line] = problems(tmp_path, text)
    assert line.startswith(
        f"{at(tmp_path, text, 'replicas')}: Deployment `worker`: `spec.replicas`: "
    )
    assert "'2' is not of type 'integer'" in line


def test_every_document_is_checked_with_its_own_lines(tmp_path: Path) -> None:
    second = DEPLOYMENT.replace("worker", "other").replace("replicas: 2", "replica: 2")
    text = DEPLOYMENT + "---\n" + second
    lines = problems(tmp_path, text)
    assert [line.split(": ")[0] for line in lines] == [at(tmp_path, text, "replica: 2")]
    assert at(tmp_path, text, "replica: 2").endswith(":23:3")
    assert "unknown field `replica`; did you mean `replicas`?" in lines[0]


def test_another_namespace_is_refused(tmp_path: Path) -> None:
    moved = DEPLOYMENT.replace("  name: worker\n", "  name: worker\n  namespace: kube-system\n", 1)
    [line] = problems(tmp_path, moved)
    assert line.startswith(f"{at(tmp_path, moved, 'namespace:')}: ")
    assert "namespaced to the platform (`escape`), not `kube-system`" in line


def test_a_secret_with_values_is_refused(tmp_path: Path) -> None:
    secret = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n  password: hunter2\n"
    )
    [line] = problems(tmp_path, secret)
    assert line.startswith(f"{at(tmp_path, secret, 'stringData')}: Secret `db`: `stringData`: ")
    assert "may not be written in a manifest" in line


def test_a_namespace_object_is_refused(tmp_path: Path) -> None:
    [line] = problems(tmp_path, "apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n")
    assert "the platform owns its namespace `escape`" in line


def test_custom_resources_are_checked_against_the_blueprints_crds(tmp_path: Path) -> None:
    widget = (
        "apiVersion: tests.shipyard.dev/v1\nkind: Widget\nmetadata: {name: w}\n"
        "spec:\n  size: 0\n  colour: red\n"
    )
    text = WIDGET_CRD + "---\n" + widget
    lines = problems(tmp_path, text)
    assert sorted(lines) == sorted(
        [
            f"{at(tmp_path, text, 'size: 0')}: Widget `w`: `spec.size`: 0 is less than the "
            "minimum of 1 (from `spec.manifests[0].path` in platform.yaml)",
            f"{at(tmp_path, text, 'colour')}: Widget `w`: `spec.colour`: unknown field `colour` "
            "(from `spec.manifests[0].path` in platform.yaml)",
        ]
    )


def test_a_crd_stays_cluster_scoped_and_its_resources_are_namespaced(tmp_path: Path) -> None:
    widget = (
        "apiVersion: tests.shipyard.dev/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 2}\n"
    )
    platform = load_blueprint(write(tmp_path, WIDGET_CRD + "---\n" + widget))
    crd, resource = load_manifests(platform).objects
    assert "namespace" not in crd.manifest["metadata"]
    assert resource.manifest["metadata"]["namespace"] == "escape"


def test_an_unknown_kind_is_an_advisory_not_an_error(tmp_path: Path) -> None:
    other = "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\nspec: {anything: 1}\n"
    _, advisories = load_with_advisories(write(tmp_path, other), name="platform.yaml")
    [advisory] = [problem.render("platform.yaml") for problem in advisories]
    assert "`example.com/v1` `Gadget` is neither built in nor defined by a CRD" in advisory


def test_a_missing_file_is_reported_at_the_blueprint(tmp_path: Path) -> None:
    blueprint = tmp_path / "platform.yaml"
    blueprint.write_text(BLUEPRINT, encoding="utf-8")
    with pytest.raises(BlueprintError) as caught:
        load_blueprint(blueprint, name="platform.yaml")
    assert caught.value.render().startswith(
        "platform.yaml:8:7: spec.manifests[0].path: cannot read `objects.yaml`: No such file"
    )


def test_invalid_yaml_is_reported_in_the_manifest(tmp_path: Path) -> None:
    [line] = problems(tmp_path, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n")
    assert line.startswith(f"{objects_file(tmp_path)}:")
    assert "not valid YAML" in line
