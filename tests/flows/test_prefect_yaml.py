"""prefect.yaml, for work pools, declares the same flows and intervals as `gouvernance worker`."""

from __future__ import annotations

from pathlib import Path

import yaml

from gouvernance.flows.background import ALL_FLOWS
from gouvernance.flows.worker import schedules
from gouvernance.settings import Settings

PREFECT_YAML = Path(__file__).resolve().parents[2] / "prefect.yaml"


def test_prefect_yaml_deploys_every_flow_to_the_process_pool_with_the_default_intervals() -> None:
    document = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))
    flows = {flow.fn.__name__: flow.name for flow in ALL_FLOWS}
    declared = {}
    for deployment in document["deployments"]:
        module, function = deployment["entrypoint"].rsplit(":", 1)
        assert module == "gouvernance.flows.background"
        assert deployment["work_pool"]["name"] == "gouvernance"
        declared[flows[function]] = [s["interval"] for s in deployment.get("schedules", [])]
    # Settings() without environment: the defaults `gouvernance worker` would use.
    served = schedules(Settings.model_construct())
    assert declared == {
        "launch-engagements": [],
        **{name: [seconds] for name, seconds in served.items()},
    }
