"""The team doc's MODEL section is the one the manifest generates (incident 4's fourth copy)."""

from __future__ import annotations

import pytest

from opscheck import governance
from opscheck.errors import NotFoundError
from opscheck.reports.evidence import Evidence
from opscheck.views.manifest import Manifest
from opscheck.views.team_doc import TeamDoc

pytestmark = [pytest.mark.training, pytest.mark.deploy]


def test_team_doc_model_section(team_doc: TeamDoc, manifest: Manifest, evidence: Evidence) -> None:
    try:
        text = team_doc.text
    except NotFoundError as exc:
        pytest.skip(f"team doc not reachable: {exc}")
    wanted = governance.model_section(manifest.production)
    problem = governance.section_problem(text)
    assert problem is None, (
        f"{team_doc.name}: {problem}: which text describes the model cannot be told; next: fix the doc by hand, "
        f"then opscheck registry claude-md --write {team_doc.name}"
    )
    found = governance.extract_model_section(text)
    diff = governance.section_diff(found, wanted, team_doc.name)
    evidence.note("diff (doc -> generated)", diff or "(none)")
    assert found is not None, (
        f"{team_doc.name} has no MODEL section (markers {governance.MODEL_BEGIN} .. {governance.MODEL_END}); "
        f"next: opscheck registry claude-md --write {team_doc.name}"
    )
    have, want = governance.section_fields(found), governance.section_fields(wanted)
    fields = [f"{key} is {have.get(key)!r} in the doc, {want.get(key)!r} in the manifest"
              for key in want if have.get(key) != want.get(key)]
    assert not diff, (
        f"{team_doc.name}: the MODEL section differs from the manifest's production model "
        f"{manifest.production['file']}: {'; '.join(fields) or 'layout only'}; "
        f"next: opscheck registry claude-md --write {team_doc.name}"
    )
