"""The recommended `app.kubernetes.io/*` labels shared by the components."""

from __future__ import annotations

from components.shared.labels import app_labels, recommended_labels


def test_app_labels_select_by_name_instance_and_component() -> None:
    assert app_labels("minio", "store") == {
        "app.kubernetes.io/name": "minio",
        "app.kubernetes.io/instance": "store",
    }
    assert app_labels("minio", "store", "setup")["app.kubernetes.io/component"] == "setup"


def test_recommended_labels_add_managed_by() -> None:
    assert recommended_labels("postgres", "pg", "database") == {
        "app.kubernetes.io/name": "postgres",
        "app.kubernetes.io/instance": "pg",
        "app.kubernetes.io/component": "database",
        "app.kubernetes.io/managed-by": "shipyard",
    }
