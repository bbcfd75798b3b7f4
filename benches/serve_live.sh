#!/usr/bin/env bash
# The console over the built-in SSH server (mcu serve), measured like benches/console_live.sh:
#   1. process start of the ssh client to the first full frame;
#   2. bytes an idle console sends over IDLE_SECONDS: as the client's terminal receives them
#      (tmux pipe-pane, the same figure as the local console's) and on the wire (the TCP
#      connection's bytes received by the client, encryption, MACs and keepalives included).
# Usage: benches/serve_live.sh MCU_BINARY WORKSPACE [IDLE_SECONDS]
# Needs tmux, ssh, ssh-keygen, ss (iproute2) and python3. Registers a temporary key for the
# account running it (removed at the end). Prints the figures; BENCHMARKS.md records them.
set -euo pipefail
bin=$(readlink -f "$1"); ws=$(readlink -f "$2"); idle=${3:-60}
sock=$(mktemp -u /tmp/mcu-bench-tmux.XXXXXX)
out=$(mktemp -d)
me=$(id -un)
ssh-keygen -q -t ed25519 -N "" -C bench -f "$out/key"
fp=$("$bin" --workspace "$ws" operator key add "$me" --key "$out/key.pub" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["fingerprint"])')
"$bin" --workspace "$ws" serve --listen 127.0.0.1:0 --no-import > "$out/serve.out" 2>/dev/null &
server=$!
cleanup() {
  tmux -S "$sock" kill-server 2>/dev/null || true
  kill "$server" 2>/dev/null || true
  "$bin" --workspace "$ws" operator key remove "$me" "$fp" >/dev/null || true
  rm -rf "$out"
}
trap cleanup EXIT
until grep -q listening "$out/serve.out"; do sleep 0.05; done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$out/serve.out")

ssh_cmd="ssh -F /dev/null -i $out/key -p $port -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o IdentityAgent=none -o LogLevel=ERROR -t $me@127.0.0.1"
start=$(date +%s.%N)
tmux -S "$sock" new-session -d -s b -x 200 -y 50 "TERM=xterm-256color $ssh_cmd"
until tmux -S "$sock" capture-pane -p -t b | grep -q "Рейтинг"; do sleep 0.02; done
echo "ssh start to first full frame (tmux, 200x50): $(python3 -c "print(round(($(date +%s.%N)-$start)*1000))") ms"

wire() { ss -tinH state established "( dport = :$port )" | grep -o 'bytes_received:[0-9]*' | head -1 | cut -d: -f2; }
sleep 1
w0=$(wire)
tmux -S "$sock" pipe-pane -o -t b "cat >> $out/idle.bytes"
sleep "$idle"
tmux -S "$sock" pipe-pane -t b
w1=$(wire)
bytes=$(stat -c %s "$out/idle.bytes" 2>/dev/null || echo 0)
echo "idle console over ssh: $bytes terminal bytes, $((w1 - w0)) bytes on the wire in $idle s"
tmux -S "$sock" send-keys -t b q
