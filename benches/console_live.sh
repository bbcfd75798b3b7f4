#!/usr/bin/env bash
# The console in a real terminal (tmux) on a big workspace:
#   1. bytes written to the terminal by an idle console over 60 s;
#   2. how long a new file of 1,000 appeals takes from landing in inbox/ to showing on screen.
# Usage: benches/console_live.sh MCU_BINARY WORKSPACE [IDLE_SECONDS]
# Needs tmux and python3. Prints the figures; BENCHMARKS.md records them.
set -euo pipefail
bin=$(readlink -f "$1"); ws=$(readlink -f "$2"); idle=${3:-60}
sock=$(mktemp -u /tmp/mcu-bench-tmux.XXXXXX)
out=$(mktemp -d)
trap 'tmux -S "$sock" kill-server 2>/dev/null || true; rm -rf "$out"' EXIT

tmux -S "$sock" new-session -d -s b -x 200 -y 50 "TERM=xterm-256color $bin --workspace $ws console"
start=$(date +%s.%N)
until tmux -S "$sock" capture-pane -p -t b | grep -q "Рейтинг"; do sleep 0.02; done
echo "process start to first full frame (tmux, 200x50): $(python3 -c "print(round(($(date +%s.%N)-$start)*1000))") ms"

# 1. Idle output.
sleep 1
tmux -S "$sock" pipe-pane -o -t b "cat >> $out/idle.bytes"
sleep "$idle"
tmux -S "$sock" pipe-pane -t b
bytes=$(stat -c %s "$out/idle.bytes" 2>/dev/null || echo 0)
echo "idle console: $bytes bytes written in $idle s"

# 2. A new file of 1,000 appeals, the newest one carrying a marker.
marker="МАРКЕР-$(date +%s)"
python3 - "$out/new.csv" "$marker" <<'PY'
import sys, datetime
path, marker = sys.argv[1], sys.argv[2]
now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=3)))
with open(path, "w", encoding="utf-8") as f:
    f.write("id;received_at;text;settlement\n")
    for i in range(1000):
        t = (now - datetime.timedelta(seconds=1000 - i)).strftime("%Y-%m-%d %H:%M:%S")
        text = f"{marker} проверка скорости импорта" if i == 999 else f"Тестовое обращение {i}: не горит фонарь у дома {i % 50}"
        f.write(f"LIVE-BENCH-{marker}-{i};{t};{text};с. Заречное\n")
PY
cp "$out/new.csv" "$ws/inbox/pos/.new.csv.part"
t0=$(date +%s.%N)
mv "$ws/inbox/pos/.new.csv.part" "$ws/inbox/pos/bench-$marker.csv"
until tmux -S "$sock" capture-pane -p -t b | grep -q "$marker"; do sleep 0.01; done
echo "file of 1,000 appeals, landed to on screen: $(python3 -c "print(round(($(date +%s.%N)-$t0)*1000))") ms"
tmux -S "$sock" send-keys -t b q
