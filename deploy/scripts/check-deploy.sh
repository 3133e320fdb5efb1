#!/usr/bin/env bash
# Checks everything under deploy/ that a deployment reads, without running any of it:
#   1. Prometheus: promtool check config (prometheus.yml and the rule files it names),
#      promtool check rules, promtool test rules (deploy/prometheus/tests/*.yml).
#   2. docker-compose.yml: no Docker engine here, so YAML + JSON Schema: the file is
#      validated against the Compose Specification schema vendored in
#      deploy/compose-spec/compose_spec.json (from docker-compose 1.29.2's package),
#      then structurally: depends_on names services, build contexts and Dockerfiles
#      exist, every Procfile process has a service, no literal passwords.
#   3. Kubernetes manifests (deploy/k8s/*.yaml): kubernetes-validate --strict against
#      the Kubernetes schemas of K8S_VERSION (default 1.31.0, pinned).
#   4. Grafana dashboards (deploy/grafana/*.json): valid JSON, a panel list, a PromQL
#      expression on every target.
# DEPLOY_DIR (default deploy) checks another copy (the tests break one on purpose).
# Needs promtool (deploy/scripts/ensure-tools.sh installs it) and .venv.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEPLOY=${DEPLOY_DIR:-deploy}
K8S_VERSION=${K8S_VERSION:-1.31.0}
PY=${PY:-.venv/bin/python}
command -v promtool >/dev/null || { echo "promtool missing: run deploy/scripts/ensure-tools.sh" >&2; exit 1; }

echo "==> prometheus: check config"
promtool check config "$DEPLOY/prometheus/prometheus.yml" "$DEPLOY/prometheus/prometheus-compose.yml"
echo "==> prometheus: check rules"
promtool check rules "$DEPLOY"/prometheus/rules/*.yml
echo "==> prometheus: test rules"
promtool test rules "$DEPLOY"/prometheus/tests/*.yml

echo "==> docker-compose.yml: compose-spec schema and structure"
"$PY" - "$DEPLOY" <<'PYEOF'
import json, re, sys
from pathlib import Path

import jsonschema
import yaml

deploy = Path(sys.argv[1])
compose_file = deploy / "docker-compose.yml"
compose = yaml.safe_load(compose_file.read_text())
schema = json.loads((deploy / "compose-spec" / "compose_spec.json").read_text())
validator = jsonschema.Draft201909Validator(schema)
errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.path))
problems = [f"{'/'.join(map(str, e.path)) or '.'}: {e.message}" for e in errors]
services = compose.get("services") or {}
for name, service in services.items():
    depends = service.get("depends_on") or []
    for other in depends if isinstance(depends, list) else depends.keys():
        if other not in services:
            problems.append(f"services/{name}/depends_on: no service {other!r}")
    build = service.get("build")
    if build is not None:
        context = deploy / (build if isinstance(build, str) else build.get("context", "."))
        dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        if not context.is_dir():
            problems.append(f"services/{name}/build: no directory {context}")
        elif not (context / dockerfile).is_file():
            problems.append(f"services/{name}/build: no {context / dockerfile}")
    env = service.get("environment") or {}
    items = env.items() if isinstance(env, dict) else (e.partition("=")[::2] for e in env)
    for key, value in items:
        if re.search(r"PASSWORD|SECRET|TOKEN", key) and value and "${" not in str(value):
            problems.append(f"services/{name}/environment/{key}: a literal secret")
procfile = deploy / "Procfile"
if procfile.exists():
    for line in procfile.read_text().splitlines():
        name = line.split(":", 1)[0].strip()
        if name and not name.startswith("#") and name not in services:
            problems.append(f"Procfile process {name!r} has no compose service")
for problem in problems:
    print(f"  {compose_file}: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"  SUCCESS: {len(services)} services")
PYEOF

echo "==> kubernetes manifests: kubernetes-validate --strict, Kubernetes $K8S_VERSION"
"$(dirname "$PY")/kubernetes-validate" --strict --quiet -k "$K8S_VERSION" "$DEPLOY"/k8s/*.yaml
echo "  SUCCESS: $(ls "$DEPLOY"/k8s/*.yaml | wc -l) files"

echo "==> grafana dashboards"
"$PY" - "$DEPLOY" <<'PYEOF'
import json, sys
from pathlib import Path

problems = []
boards = sorted(Path(sys.argv[1], "grafana").glob("*.json"))
for board in boards:
    try:
        data = json.loads(board.read_text())
    except json.JSONDecodeError as error:
        problems.append(f"{board}: {error}")
        continue
    panels = data.get("panels") or []
    if not panels:
        problems.append(f"{board}: no panels")
    for panel in panels:
        for target in panel.get("targets", []):
            if panel.get("type") != "row" and not str(target.get("expr", "")).strip():
                problems.append(f"{board}: panel {panel.get('title')!r} has an empty target")
for problem in problems:
    print(f"  {problem}", file=sys.stderr)
if problems or not boards:
    sys.exit(1)
print(f"  SUCCESS: {len(boards)} dashboards")
PYEOF
echo "==> deploy checks passed"
