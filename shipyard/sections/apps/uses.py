"""The `uses:` an app may declare: one model per bindable section, discriminated on
`kind`. Each bindable section defines its own model beside its others (`PostgresUse`
in `sections/postgres/model.py`, ...) and implements the binding methods of the
`Section` interface; this file only lists the models, so a new bindable section adds
one line here."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from shipyard.blueprint.shared import UseBase
from shipyard.sections.analytics.model import AnalyticsUse
from shipyard.sections.cache.model import CacheUse
from shipyard.sections.charts.model import ChartUse
from shipyard.sections.events.model import EventsUse
from shipyard.sections.gateway.model import GatewayUse
from shipyard.sections.object_store.model import ObjectStoreUse
from shipyard.sections.postgres.model import PostgresUse

DEFAULT_APP_PORT = "http"


class AppUse(UseBase):
    """A binding to another app's port: its host, port and URL, and the network between."""

    kind: Annotated[Literal["app"], Field(description="`app`.")]
    app: Annotated[str, Field(description="A declared app's `name`.")]
    port: Annotated[
        str, Field(description=f"One of its ports' names; default `{DEFAULT_APP_PORT}`.")
    ] = DEFAULT_APP_PORT


Use = Annotated[
    PostgresUse
    | EventsUse
    | ObjectStoreUse
    | AnalyticsUse
    | GatewayUse
    | CacheUse
    | AppUse
    | ChartUse,
    Field(discriminator="kind"),
]
"""`kind: postgres | events | objectStore | analytics | gateway | cache | app | chart`."""
