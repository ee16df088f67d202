from pulumi.provider.experimental import component_provider_host
from shipyard_package import KubeRayOperator

if __name__ == "__main__":
    component_provider_host(name="shipyard", components=[KubeRayOperator])
