# Sourced by test/e2e/run.sh and test/e2e/controllers.sh: a temp dir, processes stopped by an EXIT trap, a CA
# and client/server certs from openssl, etcd + kube-apiserver + kube-controller-manager on 127.0.0.1, REST
# helpers, and the Pulumi project both run against.
#
# Needs: TBIN (toolchain bin dir), REPO, LOG_PREFIX. Sets: TMP, P (pki dir), API, API_PID, KCM_PID, PIDS, and the
# functions log, start, alive, free_port, cert, kubeconfig, kcurl, kget, cluster_start, pulumi_project.

log() { echo "[${LOG_PREFIX:-e2e} $(date +%H:%M:%S)] $*" >&2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/modelplane-${LOG_PREFIX:-e2e}.XXXXXX")
declare -a PIDS=() PNAMES=()
CLI_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local i
  if [ -n "$CLI_PID" ]; then  # a pulumi run under way: its own process group (CLI, language host, node, plugins)
    kill -TERM -- "-$CLI_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 -- "-$CLI_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$CLI_PID" 2>/dev/null || true
  fi
  # Plugins the CLI started run in process groups of their own; any left are found by their executable in
  # this run's bin dir and stopped with their group.
  local exe pid
  for exe in /proc/[0-9]*/exe; do
    [[ "$(readlink "$exe" 2>/dev/null)" == "$TMP/bin/"* ]] || continue
    pid=${exe#/proc/}; pid=${pid%/exe}
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  local idx=("${!PIDS[@]}")
  for ((i = ${#idx[@]} - 1; i >= 0; i--)); do  # reverse start order (the array may have gaps)
    kill "${PIDS[${idx[$i]}]}" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "${MODELPLANE_E2E_KEEP:-}" = 1 ]; then
    log "kept $TMP"
  else
    rm -rf "$TMP"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$TMP"/{bin,pki,etcd,apiserver,logs,state,home,project}

# start <name> <cmd...>: background process, logged to $TMP/logs/<name>.log, stopped by the trap.
start() {
  local name=$1; shift
  "$@" >"$TMP/logs/$name.log" 2>&1 &
  PIDS+=($!)
  PNAMES+=("$name")
  log "started $name (pid $!)"
}
# dead_processes: the names of started processes that have exited (their last log lines on stderr).
dead_processes() {
  local i out=()
  for i in "${!PIDS[@]}"; do
    alive "${PIDS[$i]}" && continue
    out+=("${PNAMES[$i]}"); tail -15 "$TMP/logs/${PNAMES[$i]}.log" >&2
  done
  echo "${out[*]}"
}
alive() { kill -0 "$1" 2>/dev/null; }
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# ---- PKI ----------------------------------------------------------------------------------------------
P="$TMP/pki"
ossl() { openssl "$@" >/dev/null 2>&1 || { echo "${LOG_PREFIX:-e2e}: openssl $1 failed" >&2; exit 1; }; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout "$P/ca.key" -out "$P/ca.crt" -days 2 -subj "/CN=modelplane-e2e-ca" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"
# cert <name> <subject> <extensions>
cert() {
  ossl req -newkey rsa:2048 -nodes -keyout "$P/$1.key" -out "$P/$1.csr" -subj "$2"
  printf '%b' "$3" >"$P/$1.ext"
  ossl x509 -req -in "$P/$1.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial -out "$P/$1.crt" -days 2 -extfile "$P/$1.ext"
}
cert apiserver "/CN=kube-apiserver" \
  "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
cert admin "/O=system:masters/CN=modelplane-e2e-admin" "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
cert kcm "/O=system:masters/CN=system:kube-controller-manager" "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
ossl genrsa -out "$P/sa.key" 2048
ossl rsa -in "$P/sa.key" -pubout -out "$P/sa.pub"

ETCD_PORT=$(free_port); ETCD_PEER=$(free_port); API_PORT=$(free_port)
API="https://127.0.0.1:$API_PORT"
kubeconfig() { # <user cert name> <file>
  cat >"$2" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: modelplane-e2e
  cluster:
    server: $API
    certificate-authority-data: $(base64 -w0 <"$P/ca.crt")
users:
- name: $1
  user:
    client-certificate-data: $(base64 -w0 <"$P/$1.crt")
    client-key-data: $(base64 -w0 <"$P/$1.key")
contexts:
- name: modelplane-e2e
  context: { cluster: modelplane-e2e, user: $1 }
current-context: modelplane-e2e
EOF
}
kubeconfig admin "$TMP/admin.kubeconfig"
kubeconfig kcm "$TMP/kcm.kubeconfig"

kcurl() { curl -sS --cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key" "$@"; }
# kget <path>: the object as JSON on stdout; returns 1 when the server does not answer 200.
kget() {
  local out code
  out=$(kcurl -w '\n%{http_code}' "$API$1") || return 1
  code=${out##*$'\n'}
  [ "$code" = 200 ] || return 1
  printf '%s\n' "${out%$'\n'*}"
}

# cluster_start <kube-controller-manager --controllers value> [more kube-controller-manager flags]
cluster_start() {
  local controllers=$1; shift
  log "etcd on 127.0.0.1:$ETCD_PORT, kube-apiserver on 127.0.0.1:$API_PORT"
  start etcd "$TBIN/etcd" --name e2e --data-dir "$TMP/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
    --initial-cluster "e2e=http://127.0.0.1:$ETCD_PEER" --unsafe-no-fsync --log-level warn
  ETCD_PID=${PIDS[-1]}
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$ETCD_PORT/health" >/dev/null && break; alive "$ETCD_PID" || break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$ETCD_PORT/health" >/dev/null || { tail -20 "$TMP/logs/etcd.log" >&2; echo "etcd did not start" >&2; exit 1; }

  start kube-apiserver "$TBIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" --cert-dir "$TMP/apiserver" \
    --tls-cert-file "$P/apiserver.crt" --tls-private-key-file "$P/apiserver.key" --client-ca-file "$P/ca.crt" \
    --service-account-key-file "$P/sa.pub" --service-account-signing-key-file "$P/sa.key" \
    --service-account-issuer https://kubernetes.default.svc --service-cluster-ip-range 10.0.0.0/24 \
    --authorization-mode RBAC --endpoint-reconciler-type none --profiling=false
  API_PID=${PIDS[-1]}
  local ready=""
  for _ in $(seq 1 300); do
    if [ "$(kcurl -o /dev/null -w '%{http_code}' "$API/readyz" 2>/dev/null)" = 200 ]; then ready=1; break; fi
    alive "$API_PID" || break
    sleep 0.5
  done
  [ -n "$ready" ] || { tail -30 "$TMP/logs/kube-apiserver.log" >&2; echo "kube-apiserver not ready" >&2; exit 1; }
  log "kube-apiserver ready ($(kget /version | jq -r .gitVersion))"

  start kube-controller-manager "$TBIN/kube-controller-manager" --kubeconfig "$TMP/kcm.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false --controllers "$controllers" \
    --service-account-private-key-file "$P/sa.key" --root-ca-file "$P/ca.crt" --profiling=false "$@"
  KCM_PID=${PIDS[-1]}
  sleep 2
  alive "$KCM_PID" || { tail -30 "$TMP/logs/kube-controller-manager.log" >&2; echo "kube-controller-manager exited" >&2; exit 1; }
}

# pulumi_project <language host> <upstream host or ""> <provider>: the Pulumi CLI, language host and provider in
# $TMP/bin (the CLI finds the host next to its own binary, "bundled", and the provider on PATH, "ambient"; the
# fallback host test/e2e/langhost starts the upstream host it passes through to from its own directory), no
# ambient plugin, credential or kubeconfig, a file:// backend in $TMP/state, the project as symlinks in $PROJ,
# stack `e2e` with a passphrase secrets provider. Sets PROJ and SALT (the stack file's encryptionsalt line); cd's
# into $PROJ.
# The Go GC settings the shipped workflows give `pulumi` and the provider it starts (.github/workflows, bench/engine.md):
# the measured commands run with them (`env "${PULUMI_GO_ENV[@]}" pulumi ...`); the controllers and the API server,
# started by the same shell, keep Go's defaults.
PULUMI_GO_ENV=(GOGC=400 GOMEMLIMIT=3GiB)
pulumi_project() {
  local langhost=$1 upstream=$2 provider=$3 f
  ln "$TBIN/pulumi" "$TMP/bin/pulumi" 2>/dev/null || cp "$TBIN/pulumi" "$TMP/bin/pulumi"
  cp "$langhost" "$TMP/bin/pulumi-language-nodejs"
  if [ -n "$upstream" ] && [ -x "$upstream" ]; then cp "$upstream" "$TMP/bin/pulumi-language-nodejs-upstream"; fi
  cp "$provider" "$TMP/bin/pulumi-resource-kubernetes"
  export PATH="$TMP/bin:$PATH"
  export PULUMI_HOME="$TMP/home" PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  export PULUMI_CONFIG_PASSPHRASE=modelplane-e2e PULUMI_IGNORE_AMBIENT_PLUGINS=
  unset PULUMI_ACCESS_TOKEN PULUMI_BACKEND_URL
  export KUBECONFIG="$TMP/no-ambient-kubeconfig"  # the provider must use the stack's kubeconfig, nothing else
  PROJ="$TMP/project"
  for f in Pulumi.yaml package.json tsconfig.json tsconfig.pulumi.json index.ts components lib policies node_modules; do
    ln -s "$REPO/$f" "$PROJ/$f"
  done
  cd "$PROJ" || exit 1
  pulumi login "file://$TMP/state" >"$TMP/logs/login.log" 2>&1 || { cat "$TMP/logs/login.log" >&2; exit 1; }
  pulumi stack init e2e --secrets-provider passphrase >"$TMP/logs/stack-init.log" 2>&1 || { cat "$TMP/logs/stack-init.log" >&2; exit 1; }
  SALT=$(grep '^encryptionsalt:' Pulumi.e2e.yaml)
  [ -n "$SALT" ] || { echo "${LOG_PREFIX:-e2e}: no encryptionsalt in Pulumi.e2e.yaml" >&2; exit 1; }
}
