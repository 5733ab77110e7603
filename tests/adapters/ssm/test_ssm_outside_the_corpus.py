"""The SSM documents reviewed outside the corpus (docs/real-world-review.md,
"SSM Automation documents outside the corpus"): each false RL201 the review
found, in its smallest form, and the gate kept when what explains it goes."""

from __future__ import annotations

from recoverylint.engine import check_text

TIMER = """\
schemaVersion: '0.3'
parameters:
  InstanceId: {type: String}
mainSteps:
  - name: RecordStartTime
    action: aws:executeScript
    inputs:
      Runtime: python3.8
      Handler: start_time
      Script: |-
        SCRIPT_PLACEHOLDER::common_util.imports
        SCRIPT_PLACEHOLDER::common_util.start_time
    outputs: [{Name: StartTime, Selector: $.Payload, Type: String}]
  - name: RebootInstance
    action: aws:executeAwsApi
    inputs: {Service: ec2, Api: RebootInstances, InstanceIds: ['{{ InstanceId }}']}
  - name: OutputRecoveryTime
    action: aws:executeScript
    inputs:
      Runtime: python3.8
      Handler: recovery_time
      Script: SCRIPT_PLACEHOLDER::common_util.recovery_time
      InputPayload: {StartTime: '{{ RecordStartTime.StartTime }}'}
    outputs: [{Name: RecoveryTime, Selector: $.Payload, Type: Integer}]
"""


def rl201(text: str) -> list[str]:
    found = check_text(text, "doc.yaml").findings
    return [f.message.split(" but uses")[0] for f in found if f.code == "RL201"]


def test_a_timer_whose_script_is_kept_elsewhere_times_the_work_before_it():
    # Digito ec2_reboot, s3 restore_to_previous_versions, lambda change_concurrency_limit.
    assert rl201(TIMER) == []
    # Scripts kept elsewhere handing over something else than a start: no clock.
    plain = TIMER.replace("RecordStartTime", "GetInstanceType").replace("StartTime", "InstanceType")
    assert rl201(plain) == ["`OutputRecoveryTime` waits for `RebootInstance`"]


WAIT = """\
schemaVersion: '0.3'
parameters:
  InstanceId: {type: String}
  ClusterId: {type: String}
mainSteps:
  - name: RebootDbInstance
    action: aws:executeAwsApi
    inputs: {Service: docdb, Api: RebootDBInstance, DBInstanceIdentifier: '{{ InstanceId }}'}
  - name: WaitUntilInstancesAvailable
    action: aws:waitForAwsResourceProperty
    inputs:
      Service: docdb
      Api: DescribeDBInstances
      Filters: [{Name: db-cluster-id, Values: ['{{ ClusterId }}']}]
      PropertySelector: $.DBInstances..DBInstanceStatus
      DesiredValues: [available]
"""


def test_a_wait_right_after_a_change_through_the_same_service_waits_for_it():
    # Digito docdb reboot_db_instance: the reboot names the instance, the wait the cluster's instances.
    assert rl201(WAIT) == []
    other = WAIT.replace("Service: docdb, Api: RebootDBInstance", "Service: ec2, Api: RebootInstances")
    assert rl201(other) == ["`WaitUntilInstancesAvailable` waits for `RebootDbInstance`"]


STUB = """\
schemaVersion: '0.3'
parameters:
  AlarmName: {type: String}
mainSteps:
  - name: AssertAlarmToBeGreenBeforeTest
    action: aws:waitForAwsResourceProperty
    inputs: {Service: cloudwatch, Api: DescribeAlarms, AlarmNames: ['{{ AlarmName }}'],
             PropertySelector: '$.MetricAlarms[0].StateValue', DesiredValues: [OK]}
  - name: InjectFailure
  - name: AssertAlarmToBeGreen
    action: aws:waitForAwsResourceProperty
    inputs: {Service: cloudwatch, Api: DescribeAlarms, AlarmNames: ['{{ AlarmName }}'],
             PropertySelector: '$.MetricAlarms[0].StateValue', DesiredValues: [OK]}
"""


def test_a_step_without_an_action_keeps_the_steps_around_it_in_place():
    # Digito elasticache failover and reboot_cluster: the injection is a stub left to write.
    found = check_text(STUB, "doc.yaml").findings
    assert [(f.code, f.span.line) for f in found] == [("RL002", 9)]
