# The in-cluster reconciler's image: `shipyard reconcile`, git, ssh and the Pulumi CLI.
# Untested here: this workplace has no container engine (docs/gitops-in-cluster.md).
#
#   docker build --build-arg PULUMI_SHA256=<sha256> -t <your registry>/shipyard-reconciler:0.1.0 .
#
# Pin the base image by digest too where your registry's policy asks for it:
#   --build-arg PYTHON_IMAGE=python:3.11.13-slim-bookworm@sha256:<digest>
# (the digest is not pinned here: this workplace cannot reach Docker Hub).
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm
FROM ${PYTHON_IMAGE}

# Keep these at the SDK pins of pyproject.toml.
ARG PULUMI_VERSION=3.259.0
# Required, no default: the SHA-256 of pulumi-v<PULUMI_VERSION>-linux-x64.tar.gz, from the
# release's checksums file that Pulumi publishes beside it
# (https://get.pulumi.com/releases/sdk/pulumi-v<version>-checksums.txt). This workplace
# cannot reach get.pulumi.com, so the value is not pinned here:
#   docker build --build-arg PULUMI_SHA256=<sha256> ...
ARG PULUMI_SHA256
ARG PULUMI_KUBERNETES_VERSION=4.25.0
ARG PULUMI_RANDOM_VERSION=4.21.4
ARG PULUMI_AWS_VERSION=7.51.1

RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl git openssh-client \
 && rm -rf /var/lib/apt/lists/*

# The CLI with its language hosts, and the providers copied next to it: plugins found on
# PATH need no PULUMI_HOME, which is an empty volume at run time.
COPY scripts/verify-sha256 /usr/local/bin/verify-sha256
RUN curl -fsSL -o /tmp/pulumi.tar.gz \
      "https://get.pulumi.com/releases/sdk/pulumi-v${PULUMI_VERSION}-linux-x64.tar.gz" \
 && verify-sha256 /tmp/pulumi.tar.gz "${PULUMI_SHA256}" \
 && tar -xzf /tmp/pulumi.tar.gz -C /opt \
 && rm /tmp/pulumi.tar.gz \
 && export PULUMI_HOME=/tmp/pulumi-home \
 && /opt/pulumi/pulumi plugin install resource kubernetes "v${PULUMI_KUBERNETES_VERSION}" \
 && /opt/pulumi/pulumi plugin install resource random "v${PULUMI_RANDOM_VERSION}" \
 && /opt/pulumi/pulumi plugin install resource aws "v${PULUMI_AWS_VERSION}" \
 && find /tmp/pulumi-home/plugins -type f -name 'pulumi-resource-*' -exec cp {} /opt/pulumi/ \; \
 && rm -rf /tmp/pulumi-home

COPY pyproject.toml README.md /src/
COPY shipyard /src/shipyard
COPY components /src/components
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir /src \
 && rm -rf /src

ENV PATH=/opt/venv/bin:/opt/pulumi:$PATH \
    PULUMI_SKIP_UPDATE_CHECK=true

# The user the Deployment runs as (runAsUser 10001); its HOME is the writable volume.
RUN useradd --uid 10001 --user-group --home-dir /var/lib/shipyard --no-create-home shipyard
USER 10001:10001
WORKDIR /var/lib/shipyard
ENTRYPOINT ["shipyard"]
CMD ["reconcile", "--help"]
