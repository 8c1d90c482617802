"""gouvernance: a shared-governance process engine for French local governments.

The domain and persistence live here; the HTTP API (``gouvernance.api``) and the Prefect flows
(``gouvernance.flows``) are outer layers that call into it.
"""

__version__ = "0.1.0"
