"""The whole `gouvernance-partagee` journey, walked to completion over HTTP.

Each person sees their own steps and what they may do (GET .../steps); when an event is not possible yet,
the failing guards say why, and the walker does what the guard asks (attach the named document, get the
named role's endorsement) before trying again. Work is sent back once where a review allows it.

The territory's stakeholder register is imported (CSV) and its relations recorded over HTTP too; the
consultations the stakeholder guards ask for (their ``details`` say who) are recorded through the API.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import Person, Team, step_path

DECISION_REFUSALS = (
    "guard.decision_missing",
    "guard.decision_without_legal_basis",
    "guard.decision_not_enforceable",
)

# Which event moves each kind of step on from each state, and who sends it.
_NEXT = {
    ("ready", None): ("start", "responsible"),
    ("reopened", None): ("start", "responsible"),
    ("in_progress", "consultation"): ("open_consultation", "responsible"),
    ("in_progress", None): ("submit", "responsible"),
    ("consulting", None): ("close_consultation", "responsible"),
    ("in_review", "decision"): ("adopt", "reviewer"),
    ("in_review", None): ("approve", "reviewer"),
}


class HttpWalker:
    def __init__(self, client: TestClient, team: Team, clock: Any, colleagues: dict[str, Person]) -> None:
        self.client, self.team, self.clock = client, team, clock
        # Who approves work their namesake role submitted: someone else (separation of duties).
        self.colleagues = colleagues
        self.sent_back: set[str] = set()
        self.requests = 0
        self.refusals_seen: set[str] = set()
        self.decisions = 0
        self.objective_defined = False

    def _get(self, person: Person, path: str) -> Any:
        self.requests += 1
        response = self.client.get(path, headers=person.headers)
        assert response.status_code == 200, response.text
        return response

    def _post(self, person: Person, path: str, **kwargs: Any) -> Any:
        self.requests += 1
        return self.client.post(path, headers={**person.headers, **kwargs.pop("headers", {})}, **kwargs)

    def steps(self) -> list[dict[str, Any]]:
        return self._get(self.team["consultant"], f"/engagements/{self.team.engagement_id}/steps").json()

    def step(self, person: Person, key: str) -> tuple[dict[str, Any], str]:
        response = self._get(person, step_path(self.team.engagement_id, key))
        return response.json(), response.headers["etag"]

    def send(self, person: Person, key: str, event: str, comment: str | None = None) -> dict[str, Any]:
        _, etag = self.step(person, key)
        response = self._post(
            person,
            f"{step_path(self.team.engagement_id, key)}/events",
            json={"event": event, "comment": comment},
            headers={"If-Match": etag},
        )
        assert response.status_code == 200, response.text
        return response.json()

    def drive(self, step: dict[str, Any]) -> bool:
        key, state, kind = step["key"], step["state"], step["kind"]
        role_of = {"responsible": step["role"], "reviewer": step["reviewer"]}
        reviewer = self.team[step["reviewer"]]
        if state == "ready" and self._possible(reviewer, key, "skip"):
            self.send(reviewer, key, "skip", comment="Sans objet pour ce territoire")
            return True
        if (
            state == "in_progress"
            and key not in self.sent_back
            and self._possible(self.team[step["role"]], key, "send_back")
        ):
            self.sent_back.add(key)
            self.send(
                self.team[step["role"]], key, "send_back", comment="Fragilités juridiques : à reprendre"
            )
            return True
        event, who = _NEXT.get((state, kind)) or _NEXT[(state, None)]
        person = self.team[role_of[who]]
        if who == "reviewer" and step["role"] == step["reviewer"]:
            person = self.colleagues[step["role"]]
        option = self._option(person, key, event)
        if option is None:
            return False
        if not option["possible"]:
            self.refusals_seen.update(r["code"] for r in option["refusals"])
            for guard in option["guards"]:
                if not guard["passed"]:
                    self.satisfy(key, step, guard)
            option = self._option(person, key, event)
            if option is None or not option["possible"]:
                return False  # waiting for something else: the stage's other steps, prerequisites
        self.clock.advance(timedelta(days=2))
        self.send(person, key, event)
        return True

    def _option(self, person: Person, key: str, event: str) -> dict[str, Any] | None:
        actions = self.step(person, key)[0]["actions"]
        return next((a for a in actions if a["event"] == event), None)

    def _possible(self, person: Person, key: str, event: str) -> bool:
        option = self._option(person, key, event)
        return option is not None and option["possible"]

    def satisfy(self, key: str, step: dict[str, Any], guard: dict[str, Any]) -> None:
        details = guard["details"] or {}
        if guard["code"] == "guard.evidence_missing":
            for number in range(details["required"] - details["found"]):
                self.attach(self.team[step["role"]], key, details, number)
        elif guard["code"] == "guard.approval_missing":
            self.send(self.team[details["role"]], key, "endorse", comment="Validé en comité de pilotage")
        elif "to_consult" in details or "sessions" in details:
            self.consult(key, [details.get("to_consult") or [], *details.get("sessions", [])])
        elif guard["code"] in DECISION_REFUSALS:
            self.decide(details)
        elif guard["code"] in ("guard.no_objective", "guard.objectives_not_validated"):
            self.validate_objective(details)
        elif guard["code"] == "guard.indicators_not_measured":
            self.measure()

    def decide(self, details: dict[str, Any]) -> None:
        """The decision the guard waits for, in the register with its legal basis, votes and dates."""
        today = self.clock.now().date().isoformat()
        self.decisions += 1
        response = self._post(
            self.team["chef_de_projet"],
            f"/engagements/{self.team.engagement_id}/decisions",
            json={
                "number": f"2026-{self.decisions:03d}",
                "title": f"Décision pour l'étape {details['step']}",
                "decided_on": today,
                "body": (details.get("bodies") or ["conseil_municipal"])[0],
                "legal_basis": "CGCT L2121-29",
                "votes_for": 30,
                "votes_against": 3,
                "abstentions": 1,
                "transmitted_on": today,
                "published_on": today,
                "step_key": details["step"],
            },
        )
        assert response.status_code == 201, response.text

    def validate_objective(self, details: dict[str, Any]) -> None:
        """The consultant proposes an objective and its indicator once; the local actors validate it."""
        base, lead = f"/engagements/{self.team.engagement_id}", self.team["consultant"]
        if not self.objective_defined:
            self.objective_defined = True
            today = self.clock.now().date()
            created = self._post(lead, f"{base}/objectives", json={"key": "associer", "title": "Associer"})
            assert created.status_code == 201, created.text
            indicator = {
                "key": "participation",
                "label": "Taux de participation aux réunions publiques",
                "unit": "%",
                "baseline": 10,
                "baseline_on": today.isoformat(),
                "target": 40,
                "deadline": today.replace(year=today.year + 2).isoformat(),
                "direction": "hausse",
                "frequency": "trimestrielle",
                "source": "Registre des réunions publiques",
                "public": True,
            }
            added = self._post(lead, f"{base}/objectives/associer/indicators", json=indicator)
            assert added.status_code == 201, added.text
        missing = {role for item in details.get("missing", []) for role in item["roles"]} or {
            "elu",
            "partenaire",
        }
        for role in sorted(missing):
            approved = self._post(self.team[role], f"{base}/objectives/associer/approval")
            assert approved.status_code == 200, approved.text

    def measure(self) -> None:
        measurement = {"indicator": "participation", "date": self.clock.now().date().isoformat(), "value": 14}
        response = self._post(
            self.team["agent"],
            f"/engagements/{self.team.engagement_id}/measurements",
            json={"measurements": [measurement]},
        )
        assert response.status_code == 200, response.text

    def consult(self, key: str, groups: list[list[int]]) -> None:
        for participants in (group for group in groups if group):
            response = self._post(
                self.team["chef_de_projet"],
                f"/engagements/{self.team.engagement_id}/consultations",
                json={
                    "step_key": key,
                    "held_on": self.clock.now().date().isoformat(),
                    "format": "atelier",
                    "stakeholder_ids": participants,
                    "summary": "Atelier des parties prenantes",
                    "outcome": "Attentes recueillies",
                },
            )
            assert response.status_code == 201, response.text

    def attach(self, person: Person, key: str, details: dict[str, Any], number: int) -> None:
        label = details.get("label") or f"compte rendu {number + 1}"
        path = f"{step_path(self.team.engagement_id, key)}/evidence"
        if details.get("kind") == "link":
            response = self._post(person, path, data={"label": label, "url": f"https://www.example.fr/{key}"})
        else:
            content = f"# {label}\n\nÉtape {key}.\n".encode()
            response = self._post(
                person,
                path,
                data={"label": label},
                files={"file": (f"{key}-{number}.md", content, "text/markdown")},
            )
        assert response.status_code == 201, response.text

    def run(self, max_rounds: int = 400) -> None:
        for _ in range(max_rounds):
            actionable = [s for s in self.steps() if s["state"] not in ("pending", "done", "skipped")]
            if not actionable:
                return
            if not any(self.drive(step) for step in actionable):
                stuck = [(s["key"], s["state"]) for s in actionable]
                raise AssertionError(f"stuck: {stuck}")
        raise AssertionError("the journey did not finish")


def _import_the_territorys_stakeholders(client: TestClient, team: Team) -> None:
    """The register of the territory (CSV) and the relations between its stakeholders, conflicts included."""
    from gouvernance.demo.stakeholders_demo import RELATIONS, demo_csv

    chef, base = team["chef_de_projet"], f"/engagements/{team.engagement_id}"
    imported = client.post(
        f"{base}/stakeholders/import",
        files={"file": ("parties.csv", demo_csv(), "text/csv")},
        headers=chef.headers,
    )
    assert imported.status_code == 200, imported.text
    ids = {s["key"]: s["id"] for s in client.get(f"{base}/stakeholders", headers=chef.headers).json()}
    for source, target, kind, weight, start in RELATIONS:
        relation = {
            "source_id": ids[source],
            "target_id": ids[target],
            "type": kind,
            "weight": weight,
            "start": start,
        }
        response = client.post(f"{base}/stakeholder-relations", json=relation, headers=chef.headers)
        assert response.status_code == 201, response.text


def test_the_shared_governance_journey_walked_to_completion_over_http(
    client, make_team, clock, directory
) -> None:
    team = make_team("gouvernance-partagee", population=23_400, perimetre="epci")
    _import_the_territorys_stakeholders(client, team)
    colleagues = {
        role: directory.person(team[role].organisation, on={team.engagement_id: (role,)})
        for role in ("consultant", "chef_de_projet", "elu")
    }
    walker = HttpWalker(client, team, clock, colleagues)
    walker.run()
    steps = walker.steps()
    assert {s["state"] for s in steps} <= {"done", "skipped"}
    assert walker.sent_back, "a review sent work back once"
    assert {
        "guard.evidence_missing",
        "guard.approval_missing",
        "guard.stakeholders_not_consulted",
        "guard.conflicts_not_mediated",
        "guard.decision_missing",
        "guard.no_objective",
        "guard.indicators_not_measured",
    } <= walker.refusals_seen
    lead = team["consultant"]
    completed = client.post(
        f"/engagements/{team.engagement_id}/events", json={"event": "complete"}, headers=lead.headers
    )
    assert completed.status_code == 200, completed.text
    engagement = client.get(f"/engagements/{team.engagement_id}", headers=team["observateur"].headers).json()
    assert (engagement["state"], engagement["percent_done"]) == ("completed", 100)
    assert all(stage["status"] == "complete" for stage in engagement["stages"])
    timeline = client.get(
        f"/engagements/{team.engagement_id}/timeline",
        params={"type": "stage_completed"},
        headers=lead.headers,
    ).json()
    assert timeline["total"] == len(engagement["stages"])
    assert walker.requests > 100
