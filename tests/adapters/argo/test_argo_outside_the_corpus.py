"""The Argo workflows reviewed outside the corpus (docs/real-world-review.md,
"Argo workflows outside the corpus"): each false finding the fixes removed,
in its smallest form, and the gate kept when what explains it goes."""

from __future__ import annotations

from recoverylint.engine import check_text

SNAPSHOT = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: snapshot-after-writer-}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: write-data, template: write-data}
      - {name: snapshot, template: snapshot, depends: write-data}
  - name: write-data
    container:
      image: alpine:3.19
      command: [sh, -c, "echo payload > /data/file"]
      volumeMounts: [{name: data, mountPath: /data}]
    volumes:
    - name: data
      persistentVolumeClaim: {claimName: data-pvc}
  - name: snapshot
    resource:
      action: create
      manifest: |
        apiVersion: snapshot.storage.k8s.io/v1
        kind: VolumeSnapshot
        metadata:
          generateName: data-snap-
        spec:
          source:
            persistentVolumeClaimName: data-pvc
"""


def codes(text: str) -> list[tuple[str, str]]:
    found = check_text(text, "workflow.yaml").findings
    return [(f.code, f.message.split(" but uses")[0]) for f in found]


def test_a_volume_snapshot_reads_the_claim_it_copies():
    # kubeflow pipelines volume_snapshotop_rokurl and _sequential: the snapshot after the step filling the claim.
    assert codes(SNAPSHOT) == []
    # v1alpha1's `source: {kind: PersistentVolumeClaim, name: ...}` names it too.
    alpha = SNAPSHOT.replace("persistentVolumeClaimName: data-pvc", "kind: PersistentVolumeClaim\n            name: data-pvc")
    assert codes(alpha) == []
    # A snapshot of another claim needs nothing from the writer.
    other = SNAPSHOT.replace("persistentVolumeClaimName: data-pvc", "persistentVolumeClaimName: logs-pvc")
    assert codes(other) == [("RL201", "`snapshot` waits for `write-data`")]


def test_a_snapshot_taken_while_another_step_writes_the_claim_is_a_race():
    # volume_snapshotop_sequential: step1-snap and step2-gunzip both wait for step1-ingest only.
    racing = SNAPSHOT.replace(
        "      - {name: snapshot, template: snapshot, depends: write-data}",
        "      - {name: snapshot, template: snapshot, depends: write-data}\n"
        "      - {name: write-more, template: write-data, depends: write-data}",
    )
    assert [code for code, _ in codes(racing)] == ["RL402"]


ANY_SUCCEEDED = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: any-succeeded-gate-}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: shards, template: may-fail, withItems: [1, 2, 3]}
      - {name: publish, template: say, depends: shards.AnySucceeded}
  - name: may-fail
    container: {image: "alpine:3.19", command: [sh, -c, "exit 1"]}
  - name: say
    container: {image: "alpine:3.19", command: [echo, "one shard succeeded"]}
"""


def test_depending_on_any_item_succeeding_uses_how_the_task_ended():
    # hera any-success-all-fail.yaml: `t2` runs only when some item of `t1` succeeded.
    assert codes(ANY_SUCCEEDED) == []
    plain = ANY_SUCCEEDED.replace("depends: shards.AnySucceeded", "depends: shards")
    assert codes(plain) == [("RL201", "`publish` waits for `shards`")]
