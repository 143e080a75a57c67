"""The duplication view on hand-made records: which projects build the same thing."""

from __future__ import annotations

from mlcore.portfolio import Project, find_duplicates, normalize


def _project(key: str, profile: dict | None = None, **fingerprints) -> Project:
    return Project(key, key, key, "test", profile=profile or {}, fingerprints=fingerprints)


def _kinds(matches: list[dict]) -> set[tuple[str, tuple[str, ...]]]:
    return {(m["kind"], tuple(m["projects"])) for m in matches}


def test_target_definitions_match_without_case_punctuation_or_spacing():
    assert normalize("Churn:  no login\tin 3 months!") == "churn no login in 3 months"
    a = _project("a", target="churn", target_definition="No login in 3 months.")
    b = _project("b", target="left", target_definition="no login in 3 MONTHS")
    c = _project("c", target="churn", target_definition="cancelled the contract")
    matches = find_duplicates([a, b, c])
    assert _kinds(matches) == {("target", ("a", "b"))}
    assert "no login in 3 months" in matches[0]["detail"]


def test_a_target_column_matches_only_between_projects_that_define_no_target():
    a = _project("a", target="churn")
    b = _project("b", target="churn")
    c = _project("c", target="churn", target_definition="cancelled the contract")
    assert _kinds(find_duplicates([a, b, c])) == {("target", ("a", "b"))}


def test_the_same_raw_data_and_the_same_project_id_are_matches():
    a = _project("a", {"id": "CHURN"}, data_sha256="f00d")
    b = _project("b", {"id": "CHURN"}, data_sha256="f00d")
    c = _project("c", {"id": "LTV"}, data_sha256="beef")
    assert _kinds(find_duplicates([a, b, c])) == {("project id", ("a", "b")), ("data", ("a", "b"))}


def test_feature_lists_match_from_the_overlap_threshold_on():
    base = [f"x{i}" for i in range(10)]
    a = _project("a", features=base)
    b = _project("b", features=[*base[:9], "y"])  # 9 shared of 11: Jaccard 0.82
    c = _project("c", features=["z1", "z2"])
    matches = find_duplicates([a, b, c])
    assert _kinds(matches) == {("features", ("a", "b"))}
    assert matches[0]["detail"] == "9 shared of 11 features (Jaccard 0.82)"
    assert find_duplicates([a, b, c], overlap=0.9) == []
    same = find_duplicates([a, _project("d", features=list(reversed(base)))])
    assert same[0]["detail"] == "the same features (Jaccard 1.00)"


def test_projects_with_nothing_recorded_match_nothing():
    assert find_duplicates([_project("a"), _project("b")]) == []
