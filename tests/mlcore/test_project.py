"""project.yaml is checked against its schema, and every message names the key."""

import pytest

from mlcore.errors import ConfigError
from mlcore.project import STAGES, ProjectProfile, load_profile, validate_profile

VALID = """\
topic: Churn model
business_target: Keep 5% more customers
id: CHURN-MODEL
status: r_and_d
team_lead: Ada Lovelace
domain: retail
type: classification
customer: Marketing
departments: {initiator: Marketing, recipient: CRM, in_charge: Data Science}
analysts: []
data_scientists: [Ada Lovelace, Alan Turing]
"""


@pytest.fixture
def write(tmp_path):
    def _write(text: str):
        path = tmp_path / "project.yaml"
        path.write_text(text)
        return path

    return _write


def test_a_complete_profile_is_valid_and_loads(write):
    path = write(VALID)
    assert validate_profile(path) == []
    profile = load_profile(path)
    assert isinstance(profile, ProjectProfile)
    assert profile.departments.recipient == "CRM"
    assert profile.data_scientists == ["Ada Lovelace", "Alan Turing"]


def test_only_the_required_keys_are_needed(write):
    required = "topic: T\nbusiness_target: B\nid: X-1\nstatus: pilot\nteam_lead: Ada\n"
    assert validate_profile(write(required)) == []


def test_the_lifecycle_has_the_eight_stages_in_order():
    assert STAGES[0] == "business_request" and STAGES[-1] == "service_deploy"
    assert len(STAGES) == 8


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("status: r_and_d", "status: rnd"), "key 'status' is 'rnd', not a lifecycle stage"),
        (("team_lead: Ada Lovelace", "team_lead: ''"), "key 'team_lead' must be a non-empty"),
        (("team_lead: Ada Lovelace\n", ""), "missing key 'team_lead'"),
        (("analysts: []", "analysts: Bob"), "key 'analysts' must be a list of names"),
        (("in_charge: Data Science", "in_chrge: DS"), "unknown key 'departments.in_chrge'"),
        (("departments: {", "departments: x\nfoo: {"), "key 'departments' must be a mapping"),
        (("domain: retail", "domian: retail"), "unknown key 'domian'"),
        (("id: CHURN-MODEL", "id: 42"), "key 'id' must be a non-empty string, got 42"),
    ],
)
def test_each_problem_names_the_file_and_the_key(write, change, message):
    path = write(VALID.replace(*change))
    errors = validate_profile(path)
    assert any(message in e and e.startswith(str(path)) for e in errors), errors
    with pytest.raises(ConfigError, match="invalid project profile"):
        load_profile(path)


def test_broken_yaml_names_the_line(write):
    path = write("topic: [unclosed\nstatus: pilot\n")
    (error,) = validate_profile(path)
    assert error.startswith(f"{path}:") and "not valid YAML" in error


def test_a_missing_file_and_a_non_mapping_are_reported(write, tmp_path):
    assert validate_profile(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}: no such file"]
    (error,) = validate_profile(write("- a\n- b\n"))
    assert "must be a mapping of keys, got list" in error
