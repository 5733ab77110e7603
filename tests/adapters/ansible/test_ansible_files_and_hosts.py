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
import textwrap
from pathlib import Path

from adapter_support import adapt, data_edges, names, step
from review_support import corpus_folder

from recoverylint.engine import check_file

PLAYBOOKS = "ceph-ansible/infrastructure-playbooks"


def rl201(path: Path, whole: bool = False) -> list[str]:
    """The RL201 messages of `recoverylint check --format json PATH`, up to "but uses" (or `whole`)."""
    completed = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "--format", "json", "--no-cache", "--exit-zero", str(path)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    findings = json.loads(completed.stdout)["findings"]
    return [f["message"] if whole else f["message"].split(" but uses")[0] for f in findings if f["code"] == "RL201"]


def rl201_whole(path: Path) -> list[str]:
    """The RL201 messages of `recoverylint check --format json PATH`, up to the gate's cost."""
    return [message.split(". This gate")[0] for message in rl201(path, whole=True)]


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
    # Without remote_src the source is on the controller: nothing of the host is read, only the controller's file.
    controller = step(adapt(REMOTE_COPY.replace(", remote_src: true", ""), "ansible").runbook, "restore-the-data")
    assert names(controller.reads) == ["host/localhost/config/var/lib/prom_metrics"]
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
    # `cephadm adopt` copies the legacy Grafana data: the removal needs the adopt (see ADOPT_GRAFANA).
    assert any(message.startswith("`remove-the-legacy-grafana-data`") and message.endswith(
        "it needs only `adopt-grafana-daemon`") for message in rl201_whole(path))
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


ADOPT_GRAFANA = Path(__file__).parent / "adopt_grafana.yml"


def test_a_file_removed_after_a_module_of_unknown_effect_waits_for_it_not_only_for_the_step_after_it():
    """cephadm-adopt.yml line 1402: `cephadm_adopt` (not in the module table)
    copies the legacy Grafana data, and the unit file's removal right after
    it no longer chains the data's removal to it (each file is its own
    resource): the play's latest step of unknown effect on the host is
    required before each later step using a file of the host's config."""
    completed = subprocess.run(
        [sys.executable, "-m", "recoverylint", "plan", "--format", "json", str(ADOPT_GRAFANA)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    waves = json.loads(completed.stdout)["required"]["waves"]
    wave_of = {step_id: number for number, wave in enumerate(waves) for step_id in wave}
    assert wave_of["adopt-grafana-daemon"] < wave_of["remove-the-legacy-grafana-data"]
    assert wave_of["adopt-grafana-daemon"] < wave_of["remove-grafana-systemd-unit-file"]
    assert rl201_whole(ADOPT_GRAFANA) == [
        "`remove-the-legacy-grafana-data` waits for `remove-grafana-systemd-unit-file` but uses nothing from it;"
        " it needs only `adopt-grafana-daemon`"
    ]


def test_a_step_of_unknown_effect_on_another_host_or_in_an_earlier_play_is_not_required():
    other_host = ADOPT_GRAFANA.read_text(encoding="utf-8").replace(
        "      cephadm_adopt:", "      delegate_to: mon-1\n      cephadm_adopt:"
    )
    runbook = adapt(other_host, "ansible").runbook
    removal = step(runbook, "remove-the-legacy-grafana-data")
    assert [need.step for need in removal.needs] == []
    # The same tasks in a play after the adopt's play: nothing of the earlier play is kept.
    lines = ADOPT_GRAFANA.read_text(encoding="utf-8").splitlines(keepends=True)
    tasks = lines[lines.index("  tasks:\n") + 1 :]
    first, second = tasks[:14], tasks[14:]
    split = "".join(lines[: lines.index("  tasks:\n") + 1] + first + ["- hosts: grafana-server\n  tasks:\n"] + second)
    runbook = adapt(split, "ansible").runbook
    assert [need.step for need in step(runbook, "remove-the-legacy-grafana-data").needs] == []


def test_a_literal_path_with_glob_characters_names_only_that_file():
    playbook = (
        "- hosts: web\n  tasks:\n"
        "    - name: bracketed\n      file: path=/etc/a[1].conf state=touch\n"
        "    - name: plain\n      file: path=/etc/a1.conf state=touch\n"
        "    - name: starred\n      file: path=/etc/b*.conf state=touch\n"
        "    - name: b1\n      file: path=/etc/b1.conf state=touch\n"
        "    - name: bracketed again\n      file: path=/etc/a[1].conf state=absent\n"
    )
    runbook = adapt(playbook, "ansible").runbook
    assert names(step(runbook, "bracketed").writes) == ["host/web/config/etc/a[[]1].conf"]
    assert names(step(runbook, "starred").writes) == ["host/web/config/etc/b[*].conf"]
    # `a[1].conf` is not `a1.conf`, nor `b*.conf` every `b...conf`; the same path is the same file.
    assert data_edges(runbook) == {("bracketed", "bracketed-again")}


def test_a_link_reads_its_target_and_a_copy_reads_what_fetch_brought():
    # elastic_dependencies: the data link needs the folder it points to;
    # installOSquery: the certificates fetched from one host are copied to the others.
    text = textwrap.dedent(
        """\
        - hosts: elastic
          tasks:
            - name: Ensure data path exists
              file: {path: /srv/data, state: directory}
            - name: Ensure data link exists
              file: {src: /srv/data, dest: /var/lib/elasticsearch, state: link}
        - hosts: osquery
          tasks:
            - name: Fetch certificates
              fetch: {src: /etc/certs/ca.pem, dest: /tmp/certs/, flat: true}
            - name: Copy certificates
              copy: {src: /tmp/certs/ca.pem, dest: /etc/osquery/ca.pem}
        """
    )
    edges = data_edges(adapt(text, "ansible").runbook)
    assert ("ensure-data-path-exists", "ensure-data-link-exists") in edges
    assert ("fetch-certificates", "copy-certificates") in edges


def test_a_bare_loop_variable_of_ansible_1_is_a_use():
    # user-secrets-adjustment-mitaka.yml: `with_items: secrets.stdout_lines`.
    text = textwrap.dedent(
        """\
        - hosts: all
          tasks:
            - name: Read secrets
              command: cat /etc/secrets.yml
              register: secrets
            - name: Touch a file
              file: {path: /tmp/x, state: touch}
            - name: Add missing secret
              lineinfile: {path: /etc/user_secrets.yml, line: "{{ item }}"}
              with_items: secrets.stdout_lines
        """
    )
    edges = data_edges(adapt(text, "ansible").runbook)
    assert ("read-secrets", "add-missing-secret") in edges


def test_every_rescue_task_runs_only_when_the_block_failed():
    # elastic_metricbeat: the rescue's second task turns off what the block checks;
    # it must not be told to start before the block.
    text = textwrap.dedent(
        """\
        - name: Set discovery facts
          set_fact: {apache_enabled: true}
        - block:
            - name: Check apache2 status page
              uri: {url: "http://localhost/server-status"}
              when: apache_enabled | bool
          rescue:
            - name: Apache2 monitoring not enabled
              debug: {msg: "apache2 status page is off"}
            - name: Disable apache2 check
              set_fact: {apache_enabled: false}
        """
    )
    assert ("apache2-monitoring-not-enabled", "disable-apache2-check") in data_edges(adapt(text, "ansible").runbook)


def test_a_flush_of_handlers_the_file_does_not_define_is_of_unknown_effect(tmp_path):
    # elastic_metricbeat's tasks: the role's handler restarts the service the next task stops.
    (tmp_path / "main.yml").write_text(textwrap.dedent(
        """\
        - name: Drop metricbeat conf files
          template: {src: metricbeat.yml.j2, dest: /etc/metricbeat/metricbeat.yml}
          notify: Enable and restart metricbeat
        - name: Force beat handlers
          meta: flush_handlers
        - name: Set metricbeat service state
          service: {name: metricbeat, state: stopped, enabled: false}
        """
    ))
    assert not [message for message in rl201(tmp_path / "main.yml") if "force-beat-handlers" in message]
    # With the handler in the file, the flush runs it where it is, as a step of its own.
    (tmp_path / "play.yml").write_text(textwrap.dedent(
        """\
        - hosts: beats
          handlers:
            - name: Enable and restart metricbeat
              service: {name: metricbeat, state: restarted}
          tasks:
            - name: Drop metricbeat conf files
              template: {src: metricbeat.yml.j2, dest: /etc/metricbeat/metricbeat.yml}
              notify: Enable and restart metricbeat
            - name: Force beat handlers
              meta: flush_handlers
            - name: Write a motd
              copy: {content: "hello", dest: /etc/motd}
        """
    ))
    assert "`force-beat-handlers` waits for `drop-metricbeat-conf-files`" in rl201(tmp_path / "play.yml")
