"""recoverylint.shell: shell commands as reads and writes of named
resources (one table per tool), variables assigned from commands' output,
and commands bashlex cannot parse, which have no known effect."""

from __future__ import annotations

import pytest

from recoverylint.shell import TABLES, paths_used, read_script


def effect(command: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    script = read_script(command)
    assert len(script.commands) == 1, script.commands
    found = script.commands[0].effect
    assert found is not None, f"{command!r} has no known effect"
    return found.reads, found.writes


@pytest.mark.parametrize(
    ("command", "reads", "writes"),
    [
        # kubectl / oc: verbs, namespaces, kind/name, kinds and names, selectors
        ("kubectl get pods -n shop", ("k8s/shop/pod",), ()),
        ("oc get pod web-1 web-2 --namespace=shop", ("k8s/shop/pod/web-1", "k8s/shop/pod/web-2"), ()),
        ("oc -n shop describe deploy/web", ("k8s/shop/deployment/web",), ()),
        ("oc get pods -A", ("k8s/*/pod",), ()),
        ("oc get pods web -l app=web -n shop", ("k8s/shop/pod",), ()),
        ("oc logs web-1 -n shop", ("k8s/shop/pod/web-1",), ()),
        ("kubectl top node", ("k8s/node",), ()),
        ("oc get co network", ("k8s/clusteroperator/network",), ()),
        ("oc rollout status deployment/web -n shop", ("k8s/shop/deployment/web",), ()),
        ("oc rollout restart deployment/web -n shop", (), ("k8s/shop/deployment/web",)),
        ("kubectl scale deployment web --replicas=0 -n shop", (), ("k8s/shop/deployment/web",)),
        ("kubectl patch deployment web -n shop -p '{\"a\": 1}'", (), ("k8s/shop/deployment/web",)),
        ("kubectl delete pod -n shop -l app=web", (), ("k8s/shop/pod",)),
        ("kubectl label node n1 role=db", (), ("k8s/node/n1",)),
        ("oc adm drain n1 --ignore-daemonsets", (), ("k8s/node/n1",)),
        ("kubectl cordon n1", (), ("k8s/node/n1",)),
        ("kubectl apply -f fix.yaml -n shop", (), ("k8s/shop",)),
        ("oc exec -n ceph tools-1 -- ceph osd pool set rbd size 3", (), ("ceph/osd/pool/rbd",)),
        ("oc describe clusterlogforwarder <NAME> -n <NAMESPACE>", ("k8s/<NAMESPACE>/clusterlogforwarder/<NAME>",), ()),
        ("sudo kubectl get nodes", ("k8s/node",), ()),
        # helm, systemctl
        ("helm rollback shop 3 -n prod", (), ("helm/prod/shop",)),
        ("helm status shop", ("helm/*/shop",), ()),
        ("systemctl restart kubelet.service", (), ("systemd/kubelet",)),
        ("systemctl status kubelet", ("systemd/kubelet",), ()),
        # clouds
        ("aws ec2 describe-instances --instance-ids i-1", ("aws/ec2/i-1",), ()),
        ("aws rds reboot-db-instance --db-instance-identifier orders", (), ("aws/rds/orders",)),
        ("aws s3 cp dump.sql s3://backups/db/", (), ("aws/s3/backups/db",)),
        ("gcloud compute instances describe vm-1 --zone z", ("gcloud/compute/instances/vm-1",), ()),
        ("gcloud sql instances restart orders", (), ("gcloud/sql/instances/orders",)),
        ("az vm restart -g rg -n vm-1", (), ("az/vm/vm-1",)),
        ("az vm show --name vm-1", ("az/vm/vm-1",), ()),
        # databases: SELECT reads, anything else writes
        ("psql -d orders -c 'SELECT count(*) FROM t'", ("db/orders",), ()),
        ("psql orders -c 'VACUUM t'", (), ("db/orders",)),
        ("mysql -D shop -e 'UPDATE t SET a = 1'", (), ("db/shop",)),
        # curl: GET reads, other methods write
        ("curl -s https://api.example.com/health?x=1", ("http/api.example.com/health",), ()),
        ("curl -X POST https://api.example.com/v1/reset", (), ("http/api.example.com/v1/reset",)),
        ("curl -d 'a=1' http://svc:8080/flush", (), ("http/svc/flush",)),
        # ceph, etcdctl
        ("ceph status", ("ceph",), ()),
        ("ceph osd tree", ("ceph/osd",), ()),
        ("ceph osd out osd.3", (), ("ceph/osd/osd.3",)),
        ("ceph tell mon.a mon_status", ("ceph/mon/a",), ()),
        ("etcdctl endpoint health", ("etcd",), ()),
        ("etcdctl defrag", (), ("etcd",)),
        ("etcdctl put /config/x 1", (), ("etcd/config-x",)),
        # second pass: what the corpus's pages with too few known commands ran
        ("ceph osd pool set-quota rbd max_bytes 0", (), ("ceph/osd/pool/rbd",)),
        ("ceph daemon osd.3 dump_historic_ops", ("ceph/osd/3",), ()),
        ("rados df", ("ceph",), ()),
        ("rados -p rbd ls", ("ceph/pool/rbd",), ()),
        ("rados -p rbd rm obj", (), ("ceph/pool/rbd",)),
        ("oc adm must-gather --image=x", ("k8s",), ()),
        ("oc cluster-info", ("k8s",), ()),
        ("oc adm inspect ns/openshift-storage", ("k8s/namespace/openshift-storage",), ()),
        ("oc adm node-logs n1", ("k8s/node/n1",), ()),
        ("oc adm certificate approve csr-1", (), ("k8s/certificatesigningrequest/csr-1",)),
        ("oc rsh -n s tools-pod ceph status", ("ceph",), ()),
        ("oc debug node/n1 -- chroot /host systemctl restart kubelet", (), ("systemd/kubelet",)),
        ("oc get vmi -n vms", ("k8s/vms/virtualmachineinstance",), ()),
        ("virtctl restart db -n vms", (), ("k8s/vms/virtualmachine/db",)),
        ("virtctl pause vmi db -n vms", (), ("k8s/vms/virtualmachineinstance/db",)),
        ("virtctl guestfsinfo db -n vms", ("k8s/vms/virtualmachineinstance/db",), ()),
        ('oc get hyperconverged -n "${NAMESPACE}"', ("k8s/$NAMESPACE/hyperconverged",), ()),
    ],
)
def test_tool_tables(command, reads, writes):
    assert effect(command) == (reads, writes)


@pytest.mark.parametrize(
    "command",
    [
        "./fix-everything.sh",  # unknown tool
        "oc debug node/n1",  # opens a shell: what is done there is not written
        "oc exec web -- ./script",  # runs an unknown command
        "psql -d orders",  # an interactive session
        "kubectl frobnicate pods",  # a verb of no table
        "ceph frobnicate",
        "sh-4.4# toolbox",  # opens a container: nothing written of what is done there
        "virtctl console db -n vms",  # as `oc debug node/n1`
        "oc exec -n vms virt-launcher -- virsh list",  # virsh: no table
        # files edited in place, whose names the script hides
        "sed -i s/a/b/ /etc/app.conf",
        "sed --in-place=.bak s/a/b/ /etc/app.conf",
        "sed -Ei s/a/b/ /etc/app.conf",
        # xargs's replace-string: which objects, its input says
        "xargs -I{} oc delete pod {}",
        "xargs -I % oc delete pod %",
        "xargs -i oc delete pod {}",
    ],
)
def test_commands_of_no_known_effect_are_never_guessed(command):
    assert not read_script(command).known


@pytest.mark.parametrize(
    "command",
    [
        "sed -n 1p /etc/hosts", "sed -e s/i/x/", "tee -a /dev/stderr", "oc get pods 2>&1",
        # Output kept in a local file (a backup): no step is read to use it, so it orders nothing.
        "tee /tmp/pods.txt", "echo on > /tmp/flag",
    ],
)
def test_filters_and_output_kept_in_a_local_file_change_nothing(command):
    script = read_script(command)
    assert script.known and script.writes == ()


def test_filters_and_prompts_are_known_and_touch_nothing():
    script = read_script("$ oc get pods -n a | grep web | wc -l")
    assert script.known and script.reads == ("k8s/a/pod",) and script.writes == ()


def test_prompts_of_a_named_shell_or_host_are_blanked_and_a_bare_hash_is_a_comment():
    script = read_script("sh-5.1$ rados df\n[root@node-1 ~]# ceph -s\n# ceph osd out 3\n$ oc get nodes")
    assert [(c.line, c.column, c.words[0]) for c in script.commands] == [(1, 9, "rados"), (2, 18, "ceph"), (4, 3, "oc")]
    assert script.writes == ()


def test_a_shell_opened_with_what_is_done_in_it_following_is_known():
    script = read_script("oc debug node/n1\nchroot /host\nsystemctl status kubelet\nexit")
    assert script.known
    assert script.reads == ("k8s/node/n1", "systemd/kubelet")


def test_a_command_given_to_xargs_is_read():
    script = read_script("oc get csr -o name | xargs oc adm certificate approve")
    assert script.known and script.writes == ("k8s/certificatesigningrequest",)


def test_a_variable_assigned_from_a_command_and_its_uses():
    script = read_script('POD=$(oc get pods -n a -o name)\noc delete $POD -n a\nNAME=literal\necho "${NAME}"')
    assert [(v.name, v.line, v.column) for v in script.assigned] == [("POD", 1, 1)]
    assert [(v.name, v.line) for v in script.used] == [("POD", 2), ("NAME", 4)]
    assert script.reads == ("k8s/a/pod",) and script.writes == ("k8s/a/$POD",)
    assert [(c.line, c.column) for c in script.commands] == [(1, 7), (2, 1), (4, 1)]


def test_a_script_bashlex_cannot_parse_is_read_line_by_line():
    script = read_script("oc get pods -n a\nif [ x ; then\noc delete pod p -n a \\\n  --wait")
    assert [(c.line, c.known) for c in script.commands] == [(1, True), (2, False), (3, True)]
    assert script.writes == ("k8s/a/pod/p",)


def test_every_table_answers_to_its_names():
    names = [name for table in TABLES for name in table.names]
    assert len(names) == len(set(names))
    assert {"kubectl", "oc", "helm", "systemctl", "aws", "gcloud", "az", "psql", "mysql", "curl", "ceph", "etcdctl", "rados", "virtctl"} <= set(names)


# -- Files a script reads and writes under a folder (shell.paths_used) ---------------

ROOT = "/w"


@pytest.mark.parametrize(
    ("script", "uses"),
    [
        ("cat /w/in | tr a b | tee /w/out /tmp/copy", [("/w/in", False), ("/w/out", True)]),
        ("echo done > /w/a/flag; echo more >> /w/a/log", [("/w/a/flag", True), ("/w/a/log", True)]),
        ("grep -q ok /w/report < /w/input", [("/w/input", False), ("/w/report", False)]),
        ("ls /w/cache && wc -l /w/cache/list", [("/w/cache", False), ("/w/cache/list", False)]),
        # a command's words that name a file there, when it is not one that only reads: both
        ("awk '{print $1}' /w/table", [("/w/table", False), ("/w/table", True)]),  # awk may write a file
        ("yq -i '.a = 1' /w/conf.yaml", [("/w/conf.yaml", False), ("/w/conf.yaml", True)]),  # in place
        # printed: read, if at all, by what reads the text
        ("echo /w/printed; printf '%s' /w/also", [("/w/printed", False), ("/w/also", False)]),
        ("echo x > /dev/null; tee /tmp/a < /dev/null", []),  # not under the folder
    ],
)
def test_paths_used_under_a_folder(script, uses):
    found = paths_used(read_script(script), ROOT)
    assert found is not None
    assert sorted((use.path, use.writes) for use in found) == sorted(uses)


@pytest.mark.parametrize(
    "script",
    [
        "make -C /w",  # a command of no known effect
        "cd /w && echo x > out",  # relative paths now name files there
        "echo x > out.txt",  # a write to a relative path (where the run starts, maybe there)
        "echo x > $OUT",  # a write to a path a variable holds
        "tee $DIR/out < /w/in",
        "sed -i s/a/b/ /w/conf",  # edited in place: of no known effect
        "find /w -name '*.log' | xargs cat",  # the files xargs's input names
        ". /w/env.sh",  # runs what the file says
    ],
)
def test_paths_used_cannot_be_told(script):
    assert paths_used(read_script(script), ROOT) is None


@pytest.mark.parametrize("script", ["cat src/main.go", "grep -q x ./conf/app.yaml", "wc -l < logs/today"])
def test_paths_used_cannot_be_told_past_a_relative_folder(script):
    """The run starts in a folder the script does not name: `src/main.go`
    may lie under the root."""
    assert paths_used(read_script(script), ROOT) is None
