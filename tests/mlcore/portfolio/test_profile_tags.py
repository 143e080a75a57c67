"""The experiment tags a training run writes from ``project.yaml`` and ``.cruft.json``."""

from __future__ import annotations

import json
import logging

from mlcore import __version__
from mlcore._profile_tags import profile_tags

CFG = {
    "task": "multiclass",
    "tracking": {"experiment": "plan", "model_name": "plan-model"},
    "drift": {"experiment": None},
}


def test_the_profile_template_commit_and_versions_become_tags(tmp_path):
    (tmp_path / "project.yaml").write_text(
        "topic: Plans\nbusiness_target: Offer the right plan\nid: PLAN\nstatus: pilot\n"
        "team_lead: Chen Li\ndepartments:\n  recipient: Sales\n"
    )
    (tmp_path / ".cruft.json").write_text(json.dumps({"template": "/t", "commit": "abc"}))
    tags = profile_tags(tmp_path, CFG)
    assert tags["mlcore.project.id"] == "PLAN" and tags["mlcore.project.status"] == "pilot"
    assert tags["mlcore.project.team_lead"] == "Chen Li"
    assert tags["mlcore.project.template_commit"] == "abc"
    assert tags["mlcore.project.template"] == "/t"
    assert tags["mlcore.project.mlcore_version"] == __version__
    assert tags["mlcore.project.model_name"] == "plan-model"
    assert tags["mlcore.project.task"] == "multiclass"
    assert tags["mlcore.project.drift_experiment"] == "plan-monitoring"
    assert json.loads(tags["mlcore.project.profile"])["departments"]["recipient"] == "Sales"
    assert tags["mlcore.project.profile_error"] == ""


def test_an_invalid_profile_is_recorded_as_an_error_and_never_stops_the_run(tmp_path, caplog):
    (tmp_path / "project.yaml").write_text("topic: Plans\nstatus: someday\n")
    (tmp_path / ".cruft.json").write_text("not json")
    with caplog.at_level(logging.WARNING, logger="mlcore._profile_tags"):
        tags = profile_tags(tmp_path)
    assert "missing key 'business_target'" in tags["mlcore.project.profile_error"]
    assert "not a lifecycle stage" in tags["mlcore.project.profile_error"]
    assert tags["mlcore.project.id"] == "" and tags["mlcore.project.template_commit"] == ""
    assert "project profile not recorded" in caplog.text


def test_every_key_is_written_even_when_empty_so_an_emptied_field_overwrites(tmp_path):
    tags = profile_tags(tmp_path)
    assert {k.removeprefix("mlcore.project.") for k in tags} >= {
        "id", "topic", "status", "team_lead", "template_commit", "mlcore_version", "profile",
    }  # fmt: skip
    assert all(isinstance(v, str) for v in tags.values())
