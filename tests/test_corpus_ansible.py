"""Every Ansible playbook and task file of the shared corpus
(../shared/corpora/ansible: ceph-ansible and kubespray operations playbooks,
ansible-examples, ansible-lint fixtures) is read as Ansible with no internal
error, and every AWX workflow of ../shared/corpora/awx as AWX."""

from __future__ import annotations

import pytest
from review_support import corpus_folder, reviewed_files

from recoverylint.engine import FileResult, check_file

# Files of the corpus that are no playbook Ansible would run, and what they give.
NOT_READ = {
    # a symbolic link stored as text: its one line names purge-cluster.yml
    "ceph-ansible/infrastructure-playbooks/purge-container-cluster.yml": ("RL003", 1),
    # `port: {{ item }}` unquoted: a mapping as a key, which Ansible's YAML parser rejects too
    "ceph-ansible/infrastructure-playbooks/untested-by-ci/cluster-os-migration.yml": ("RL001", 345),
}
# A deliberately bad lint fixture: a task at the level of the plays.
UNREADABLE = {"ansible-lint/examples/playbooks/include.yml": ("RL002", 19)}


def _checked(name: str) -> list[tuple[str, FileResult]]:
    corpus = corpus_folder(name)
    return [
        (path.relative_to(corpus).as_posix(), check_file(path, path.relative_to(corpus).as_posix()))
        for path in reviewed_files(corpus)
    ]


@pytest.fixture(scope="module")
def ansible() -> list[tuple[str, FileResult]]:
    return _checked("ansible")


def test_every_playbook_and_task_file_is_read_as_ansible(ansible):
    assert len(ansible) == 136
    for path, result in ansible:
        assert result.internal_error is None, path
        errors = [(f.code, f.span.line) for f in result.findings if f.code.startswith(("RL00", "RL10"))]
        if path in NOT_READ:
            assert errors == [NOT_READ[path]], path
            continue
        assert result.format == "ansible", path
        assert errors == ([UNREADABLE[path]] if path in UNREADABLE else []), path


def test_playbooks_give_steps_facts_and_resources(ansible):
    runbooks = [result.runbook for _, result in ansible if result.runbook is not None]
    assert len(runbooks) == 133
    steps = [step for runbook in runbooks for step in runbook.steps]
    assert len(steps) > 1_500
    assert sum(1 for step in steps if step.writes) > 400
    assert sum(1 for step in steps if step.inputs) > 250
    assert sum(1 for step in steps if step.on_failure) > 20


def test_every_awx_workflow_is_read_as_awx():
    checked = _checked("awx")
    assert [path for path, _ in checked] == [
        f"tower-cli/docs/source/cli_ref/examples/data/schema_{name}.yml" for name in ("a", "b", "simple", "tiny")
    ]
    for path, result in checked:
        assert result.internal_error is None and result.format == "awx", path
        assert result.findings == [], path
    steps = {path.rsplit("_", 1)[-1]: len(result.runbook.steps) for path, result in checked}
    assert steps == {"a.yml": 13, "b.yml": 9, "simple.yml": 5, "tiny.yml": 1}
