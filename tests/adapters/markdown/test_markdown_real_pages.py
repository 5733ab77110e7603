"""Markdown pages read as real runbooks are written: each case cut down from
a false finding a hand review met on public runbooks (prometheus-operator's,
GitLab's, Open Cluster Management's; docs/real-world-review.md, "Markdown
runbooks outside the corpus")."""

from __future__ import annotations

import textwrap

from adapter_support import step

from recoverylint.engine import check_text


def page(text: str):
    return check_text(textwrap.dedent(text).lstrip("\n"), "page.md")


def found(result) -> list[tuple[str, int]]:
    return sorted((f.code, f.span.line) for f in result.findings if f.code.startswith(("RL2", "RL3", "RL4")))


def test_a_block_of_comments_only_is_a_step_of_unknown_effect():
    # "Remove dangling images: # TODO: Command needed" between entering a node and leaving it.
    result = page(
        """
        # Disk full
        ## Mitigation
        Debug the node:

        ```shell
        $ kubectl -n default debug node/$NODE_NAME
        ```

        Remove dangling images:

        ```shell
        # TODO: Command needed
        ```

        Exit debug:

        ```shell
        $ exit
        ```
        """
    )
    assert found(result) == []
    reasons = [need.reason for need in step(result.runbook, "mitigation-3").needs]
    assert reasons == ["what `mitigation-2` does is not known from its commands"]


def test_pre_checks_diagnose_and_post_checks_verify():
    result = page(
        """
        # Service down
        ## Pre-checks
        - `kubectl get pods -n web`
        ## Resolution
        - `kubectl rollout restart deployment/web -n web`
        ## Post-checks
        - `kubectl get pods -n web`
        """
    )
    phases = [s.phase.value for s in result.runbook.steps]
    assert phases == ["diagnose", "remediate", "verify"]
    assert "RL304" not in {f.code for f in result.findings}


def test_a_diagnosis_in_words_or_a_query_is_a_step_of_the_diagnosis():
    # "## Diagnosis / Check app usage in time." then a change: it was diagnosed.
    for diagnosis in (
        "Check app usage in time.\nCheck for snapshots or data retention.",
        "Query in metrics UI:\n\n```promql\nnode_filesystem_free_bytes\n```",
    ):
        result = page(
            f"""
            # Volume filling up
            ## Diagnosis
            {textwrap.indent(diagnosis, "            ").lstrip()}
            ## Mitigation
            ```shell
            $ kubectl -n shop delete pod data-0
            ```
            """
        )
        assert "RL304" not in {f.code for f in result.findings}, diagnosis
        assert [s.phase.value for s in result.runbook.steps] == ["diagnose", "remediate"]


def test_a_diagnosis_that_explains_without_telling_what_to_look_at_is_none():
    result = page(
        """
        # Volume filling up
        ## Diagnosis
        There can be various reasons why a volume is filling up.
        ## Mitigation
        ```shell
        $ kubectl -n shop delete pod data-0
        ```
        """
    )
    assert "RL304" in {f.code for f in result.findings}


def test_root_prompts_in_a_terminal_transcript_are_commands():
    result = page(
        """
        # Kubelet down
        ## Mitigation
        ```console
        # systemctl restart kubelet.service
        ```
        """
    )
    assert [ref.name for ref in result.runbook.steps[0].writes] == ["systemd/kubelet"]
    comment = page("# X\n## Mitigation\n```console\n# restart it by hand\n```\n")
    assert comment.runbook.steps[0].writes == ()


def test_a_named_object_after_a_listing_of_its_kind_takes_its_name_from_it():
    # KubeProxyDown: list the kube-proxy pods, then read the logs of one of them, named as an example.
    result = page(
        """
        # KubeProxyDown
        ## Diagnosis
        Check the status of the pods:

        ```console
        kubectl get pods -l k8s-app=kube-proxy -n kube-system
        ```

        Check the logs:

        ```console
        kubectl logs -n kube-system kube-proxy-b9g23
        ```
        """
    )
    assert found(result) == []
    (need,) = step(result.runbook, "diagnosis-2").needs
    assert need.reason == "`diagnosis-2` names `k8s/kube-system/pod/kube-proxy-b9g23`, one of what `diagnosis-1` lists"


def test_a_step_pointing_at_what_the_step_before_did_needs_it():
    # gitlab-pages: "look for that request" in the logs, after making the request.
    result = page(
        """
        # Pages down
        ## Diagnosis
        1. Ask the user to run `curl -v https://pages.example.io`
        1. Go to the logs and look for that request: `curl -s https://logs.example.net/search`
        """
    )
    assert found(result) == []
    assert "that request" in step(result.runbook, "diagnosis-2").needs[0].reason


def test_a_block_given_as_an_example_of_the_one_before_is_the_same_step():
    # k8s-operations: the command with placeholders, then "Example, scale ... to 0".
    result = page(
        """
        # Scaling
        ## Mitigation
        To scale a deployment, run:

        ```
        kubectl scale <DEPLOYMENT_NAME> --replicas=<X>
        ```

        Example, scale Deployment `web` to 0 Pods:

        ```
        kubectl scale deployments/web --replicas=0
        ```
        """
    )
    assert [s.id for s in result.runbook.steps] == ["mitigation-1"]
    assert found(result) == [("RL304", 5)]  # a change with no diagnosis, and no false gate


def test_the_mitigation_comes_after_the_whole_diagnosis():
    # NoLeadingVirtController: deleting the lease waits for every look at it, not only the last.
    result = page(
        """
        # Lease stuck
        ## Diagnosis
        1. `kubectl get lease virt-controller -n kubevirt`
        2. `kubectl get pods -n kubevirt`
        ## Mitigation
        1. `kubectl delete lease virt-controller -n kubevirt`
        """
    )
    reasons = {need.step: need.reason for need in step(result.runbook, "mitigation-1").needs}
    assert reasons == {
        "diagnosis-1": "the page puts remediate after diagnose",
        "diagnosis-2": "the page puts remediate after diagnose",
    }
    (gate,) = [f for f in result.findings if f.code == "RL201"]
    assert gate.suggestion == "let it start at once; then make `mitigation-1` wait for `diagnosis-1`"


def test_a_step_naming_an_earlier_step_or_the_objects_it_showed_needs_what_came_before():
    result = page(
        """
        # Handlers not ready
        ## Diagnosis
        1. `kubectl get pods -n kubevirt -o wide`
        2. `kubectl get nodes`
        3. For pods that are running but not ready, run `kubectl get events -n kubevirt`
        4. Use a pod name from step 1: `kubectl get deployment -n kubevirt`
        """
    )
    assert found(result) == [("RL201", 4)]  # the nodes need nothing from the pods
    for later in ("diagnosis-3", "diagnosis-4"):
        assert "diagnosis-1" in {need.step for need in step(result.runbook, later).needs}, later


def test_the_steps_after_a_login_run_on_that_host():
    # KubeVirtVMIExcessiveMigrations: the kubelet's journal is read on the node logged in to.
    result = page(
        """
        # Migrations
        ## Diagnosis
        1. `kubectl get nodes`
        2. Log in to the worker node: `oc debug node/worker-1`
        3. `kubectl get pods -n kubevirt`
        4. `systemctl status kubelet`
        """
    )
    assert "diagnosis-2" in {need.step for need in step(result.runbook, "diagnosis-4").needs}
