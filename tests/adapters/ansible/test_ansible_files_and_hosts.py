"""Ansible: a module writing one file writes it by its path (two tasks
writing different files do not conflict), a path known only up to a
template is the folder before it, `remote_src` reads the source on the
host, and a templated `delegate_to` (or `hosts`) is a host known only at
run time: any host.  Reproduced on ceph-ansible's `cephadm-adopt.yml` and
`rolling_update.yml`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from adapter_support import adapt, data_edges, names, step
from review_support import corpus_folder

from recoverylint.engine import check_file

PLAYBOOKS = "ceph-ansible/infrastructure-playbooks"


def rl201(path: Path) -> list[str]:
    """The RL201 messages of `recoverylint check --format json PATH`, up to "but uses"."""
    completed = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "--format", "json", "--no-cache", "--exit-zero", str(path)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    findings = json.loads(completed.stdout)["findings"]
    return [f["message"].split(" but uses")[0] for f in findings if f["code"] == "RL201"]


TWO_FILES = """\
- hosts: web
  tasks:
    - name: write nginx config
      template: {src: nginx.conf.j2, dest: /etc/nginx/nginx.conf}
    - name: write index page
      copy: {src: index.html, dest: /var/www/index.html}
    - name: make app folder
      file: {path: /etc/app, state: directory}
    - name: write app config
      lineinfile: {path: /etc/app/app.conf, line: "debug = false"}
"""


def test_each_file_module_writes_the_file_its_path_names():
    runbook = adapt(TWO_FILES, "ansible").runbook
    assert [names(s.writes) for s in runbook.steps] == [
        ["host/web/config/etc/nginx/nginx.conf"],
        ["host/web/config/var/www/index.html"],
        ["host/web/config/etc/app"],
        ["host/web/config/etc/app/app.conf"],
    ]
    edges = data_edges(runbook)
    assert ("make-app-folder", "write-app-config") in edges  # the file lies in the folder
    assert ("write-nginx-config", "write-index-page") not in edges


def test_rl201_calls_a_write_of_another_file_a_needless_wait(tmp_path):
    path = tmp_path / "site.yml"
    path.write_text(TWO_FILES, encoding="utf-8")
    assert rl201(path) == [
        "`write-index-page` waits for `write-nginx-config`",
        "`make-app-folder` waits for `write-index-page`",
    ]


def test_a_path_is_known_up_to_the_folder_before_its_first_template():
    text = """\
- hosts: mons
  tasks:
    - name: keyring
      copy: {src: k, dest: "/etc/ceph/{{ cluster }}.client.admin.keyring"}
    - name: conf
      template: {src: c.j2, dest: "{{ ceph_conf_dir }}/ceph.conf"}
    - name: relative
      copy: {src: a, dest: backups/a.tar}
    - name: free form
      file: path=/var/lib/ceph/tmp state=absent
"""
    runbook = adapt(text, "ansible").runbook
    assert [names(s.writes) for s in runbook.steps] == [
        ["host/mons/config/etc/ceph"],
        ["host/mons/config"],
        ["host/mons/config"],
        ["host/mons/config/var/lib/ceph/tmp"],
    ]


REMOTE_COPY = """\
- hosts: monitoring
  tasks:
    - name: tmp copy the data
      copy: {src: /var/lib/prometheus/, dest: /var/lib/prom_metrics, remote_src: true}
    - name: restore the data
      copy: {src: /var/lib/prom_metrics/, dest: /var/lib/prometheus/metrics, remote_src: true}
    - name: remove the tmp copy
      file: {path: /var/lib/prom_metrics, state: absent}
"""


def test_a_copy_with_remote_src_reads_its_source_on_the_host():
    runbook = adapt(REMOTE_COPY, "ansible").runbook
    assert names(step(runbook, "restore-the-data").reads) == ["host/monitoring/config/var/lib/prom_metrics"]
    # Without remote_src the source is on the controller: nothing of the host is read.
    assert step(adapt(REMOTE_COPY.replace(", remote_src: true", ""), "ansible").runbook, "restore-the-data").reads == ()
    assert {("tmp-copy-the-data", "restore-the-data"), ("restore-the-data", "remove-the-tmp-copy")} <= data_edges(
        runbook
    )


DELEGATED = """\
- hosts: mons
  tasks:
    - name: create the bootstrap folder on every monitor
      file: {path: /var/lib/ceph/bootstrap-rbd, state: directory}
      delegate_to: "{{ item }}"
      with_items: "{{ groups['mons'] }}"
    - name: look at the bootstrap folder
      stat: {path: /var/lib/ceph/bootstrap-rbd}
"""


def test_a_templated_delegate_to_is_any_host(tmp_path):
    runbook = adapt(DELEGATED, "ansible").runbook
    assert names(step(runbook, "create-the-bootstrap-folder-on-every-monitor").writes) == [
        "host/*/config/var/lib/ceph/bootstrap-rbd"
    ]
    # This monitor is one of the hosts the folder was made on: the read needs it.
    assert ("create-the-bootstrap-folder-on-every-monitor", "look-at-the-bootstrap-folder") in data_edges(runbook)
    path = tmp_path / "delegated.yml"
    path.write_text(DELEGATED, encoding="utf-8")
    assert rl201(path) == []
    # A literal host is that host only.
    literal = adapt(DELEGATED.replace('"{{ item }}"', "mon-1"), "ansible").runbook
    assert names(literal.steps[0].writes) == ["host/mon-1/config/var/lib/ceph/bootstrap-rbd"]
    assert data_edges(literal) == set()


def test_a_templated_play_host_is_any_host():
    runbook = adapt(DELEGATED.replace("hosts: mons", "hosts: \"{{ mon_group_name | default('mons') }}\""), "ansible")
    assert names(runbook.runbook.steps[1].reads) == ["host/*/config"]


# -- The real playbooks ----------------------------------------------------------


def test_cephadm_adopt_copies_the_prometheus_data_through_a_folder_and_removes_other_folders_apart():
    path = corpus_folder("ansible") / PLAYBOOKS / "cephadm-adopt.yml"
    messages = rl201(path)
    # Different folders: the mon folder's removal needs nothing of the osd folders'.
    assert "`remove-any-legacy-directories-in-var-lib-ceph-mon-workaround` waits for `remove-osd-directory`" in messages
    assert "`remove-the-legacy-grafana-data` waits for `remove-grafana-systemd-unit-file`" in messages
    # The restore reads what the tmp copy wrote (remote_src), and the removal of the copy waits for the restore.
    assert not any(message.startswith(("`restore-the-prometheus-data`", "`remove-the-tmp-prometheus-data-copy`"))
                   for message in messages)
    runbook = check_file(path, path.name, explicit=False).runbook
    assert {
        ("tmp-copy-the-prometheus-data", "restore-the-prometheus-data"),
        ("restore-the-prometheus-data", "remove-the-tmp-prometheus-data-copy"),
    } <= data_edges(runbook)


def test_rolling_update_makes_the_bootstrap_folder_on_any_monitor_this_one_included():
    path = corpus_folder("ansible") / PLAYBOOKS / "rolling_update.yml"
    runbook = check_file(path, path.name, explicit=False).runbook
    delegated = step(runbook, "ensure-var-lib-ceph-bootstrap-rbd-mirror-is-present")
    assert names(delegated.writes) == ["host/*/config/var/lib/ceph/bootstrap-rbd-mirror"]
    # Stopping the monitor on this host reads its config, which the folder may be in.
    assert ("ensure-var-lib-ceph-bootstrap-rbd-mirror-is-present", "stop-ceph-mon") in data_edges(runbook)


def test_unarchive_with_the_older_copy_no_reads_the_archive_on_the_host():
    """jboss-standalone's role: the archive `get_url` downloads is what `unarchive` extracts."""
    text = """\
- hosts: app
  tasks:
    - name: download jboss
      get_url: {url: "http://download.jboss.org/jboss-as.zip", dest: /opt/jboss-as.zip}
    - name: extract archive
      unarchive: {dest: /usr/share, src: /opt/jboss-as.zip, copy: no}
"""
    runbook = adapt(text, "ansible").runbook
    assert names(step(runbook, "extract-archive").reads) == ["host/app/config/opt/jboss-as.zip"]
    assert names(step(runbook, "extract-archive").writes) == ["host/app/config/usr/share"]
    assert ("download-jboss", "extract-archive") in data_edges(runbook)
    # `copy: yes` (the default) takes the archive from the controller.
    assert step(adapt(text.replace("copy: no", "copy: yes"), "ansible").runbook, "extract-archive").reads == ()
