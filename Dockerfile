# The in-cluster reconciler's image: `shipyard reconcile`, git, ssh and the Pulumi CLI.
# Untested here: this workplace has no container engine (docs/gitops-in-cluster.md).
#
#   docker build -t <your registry>/shipyard-reconciler:0.1.0 .
FROM python:3.11.13-slim-bookworm

# Keep these at the SDK pins of pyproject.toml.
ARG PULUMI_VERSION=3.259.0
ARG PULUMI_KUBERNETES_VERSION=4.25.0
ARG PULUMI_RANDOM_VERSION=4.21.4
ARG PULUMI_AWS_VERSION=7.51.1

RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl git openssh-client \
 && rm -rf /var/lib/apt/lists/*

# The CLI with its language hosts, and the providers copied next to it: plugins found on
# PATH need no PULUMI_HOME, which is an empty volume at run time.
RUN curl -fsSL "https://get.pulumi.com/releases/sdk/pulumi-v${PULUMI_VERSION}-linux-x64.tar.gz" \
      | tar -xz -C /opt \
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
