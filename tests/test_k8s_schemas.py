"""Every Kubernetes object in deploy/k8s, the example Secret included, is valid against the API
schemas of Kubernetes 1.28, offline, in strict mode (an unknown or misspelt field is an error), and
every workload's pods are covered by a NetworkPolicy.

The schemas come from the pinned package kubernetes-validate (requirements.txt): 1.28.2 is the newest
release that installs beside Rasa 3.6's pins (later ones need jsonschema >= 4.18, referencing and
importlib-resources), and 1.28 is the newest Kubernetes version it holds. The manifests use only GA
API versions (v1, apps/v1, batch/v1, policy/v1, networking.k8s.io/v1), which newer clusters serve too.
Non-root users, resource limits, probes and no privilege escalation are checked in
tests/test_deploy_files.py.
"""

import copy

import kubernetes_validate
import pytest

from tests.test_deploy_files import K8S, k8s_documents, k8s_files, k8s_object, k8s_objects, workloads

pytestmark = pytest.mark.unit

KUBERNETES_VERSION = "1.28"
MANIFESTS = [path for path in k8s_files() if path.name != "kustomization.yaml"]
OBJECTS = [(path.name, doc) for path in MANIFESTS for doc in k8s_documents(path)]


def validate(document: dict) -> str:
    """The Kubernetes version whose schema accepted the object; raises when none does."""
    return kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_every_manifest_is_validated():
    (kustomization,) = k8s_documents(K8S / "kustomization.yaml")
    assert {name for name, _ in OBJECTS} == {*kustomization["resources"], "secrets.example.yaml"}


@pytest.mark.parametrize(
    "document",
    [doc for _, doc in OBJECTS],
    ids=[f"{name}:{doc['kind']}/{doc['metadata']['name']}" for name, doc in OBJECTS],
)
def test_the_object_is_valid_for_the_kubernetes_version(document):
    assert validate(document) == KUBERNETES_VERSION


@pytest.mark.parametrize(
    ("field", "value"),
    [("replica", 2), ("replicas", "two")],
    ids=["misspelt-field", "wrong-type"],
)
def test_the_validator_rejects_a_broken_deployment(field, value):
    broken = copy.deepcopy(k8s_object("Deployment", "rasa"))
    broken["spec"][field] = value
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(broken)


def pod_labels(workload: dict) -> dict:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["metadata"]["labels"]


def test_a_network_policy_covers_every_workloads_pods():
    policies = [doc for doc in k8s_objects() if doc["kind"] == "NetworkPolicy"]
    for workload in workloads():
        labels = pod_labels(workload)
        covering = [
            policy
            for policy in policies
            if "Ingress" in policy["spec"]["policyTypes"]
            and "matchExpressions" not in policy["spec"]["podSelector"]
            and policy["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
        ]
        assert covering, f"{workload['kind']} {workload['metadata']['name']}: no NetworkPolicy"
