"""Evidence over HTTP: upload with a size limit and a content check, links, download."""

from __future__ import annotations

from tests.api.conftest import MAX_EVIDENCE_BYTES, send, step_path


def test_upload_then_download_a_file_and_the_guard_passes(client, make_team) -> None:
    team = make_team()
    consultant = team["consultant"]
    path = f"{step_path(team.engagement_id, 'a1')}/evidence"
    uploaded = client.post(
        path,
        data={"label": "Note juridique"},
        files={"file": ("note juridique.pdf", b"%PDF-1.7 la note", "application/pdf")},
        headers=consultant.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    evidence = uploaded.json()
    assert uploaded.headers["location"] == evidence["download"]
    assert (evidence["kind"], evidence["size_bytes"], evidence["attached_by"]) == (
        "file",
        16,
        consultant.login,
    )
    download = client.get(evidence["download"], headers=team["observateur"].headers)
    assert download.status_code == 200
    assert download.content == b"%PDF-1.7 la note"
    assert download.headers["content-type"] == "application/pdf"
    assert "attachment" in download.headers["content-disposition"]
    send(client, consultant, team.engagement_id, "a1", "start")
    assert send(client, consultant, team.engagement_id, "a1", "submit").status_code == 200
    step = client.get(step_path(team.engagement_id, "a1"), headers=consultant.headers).json()
    assert [e["label"] for e in step["evidence"]] == ["Note juridique"]


def test_a_link_is_returned_as_json(client, make_team) -> None:
    team = make_team()
    path = f"{step_path(team.engagement_id, 'a2')}/evidence"
    link = client.post(
        path,
        data={"label": "Délibération", "url": "https://www.example.fr/d.pdf"},
        headers=team["agent"].headers,
    )
    assert link.status_code == 201
    fetched = client.get(link.json()["download"], headers=team["agent"].headers)
    assert fetched.json()["url"] == "https://www.example.fr/d.pdf"
    other_step = link.json()["download"].replace("/a2/", "/a1/")
    assert client.get(other_step, headers=team["agent"].headers).status_code == 404


def test_size_limit_content_type_and_content_checks(client, make_team) -> None:
    team = make_team()
    headers, path = team["consultant"].headers, f"{step_path(team.engagement_id, 'a1')}/evidence"

    def upload(name: str, content: bytes, content_type: str):
        return client.post(
            path, data={"label": "pièce"}, files={"file": (name, content, content_type)}, headers=headers
        )

    too_big = upload("gros.txt", b"a" * (MAX_EVIDENCE_BYTES + 1), "text/plain")
    assert (too_big.status_code, too_big.json()["code"]) == (413, "evidence.too_large")
    executable = upload("outil.exe", b"MZ\x90\x00", "application/x-msdownload")
    assert (executable.status_code, executable.json()["code"]) == (415, "evidence.content_type")
    disguised = upload("note.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    assert (disguised.status_code, disguised.json()["code"]) == (415, "evidence.content_mismatch")
    binary_text = upload("notes.txt", b"\xff\xfe\x00", "text/plain")
    assert binary_text.status_code == 415
    empty = upload("vide.txt", b"", "text/plain")
    assert (empty.status_code, empty.json()["code"]) == (422, "evidence.empty")
    both = client.post(
        path,
        data={"label": "x", "url": "https://a.fr"},
        files={"file": ("a.txt", b"a", "text/plain")},
        headers=headers,
    )
    assert (both.status_code, both.json()["code"]) == (422, "evidence.one_of")
    neither = client.post(path, data={"label": "x"}, headers=headers)
    assert neither.status_code == 422
