# Sourced by start.sh and stop.sh: what they know about the daemons they start.

# True when the pid file's process is alive and is the Spark daemon started from this cluster directory
# (not some other process that got the number after ours exited).
daemon_alive() { # pid_file
  local pid cmdline
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [ -n "$pid" ] || return 1
  cmdline="$({ tr '\0' ' ' < "/proc/$pid/cmdline"; } 2>/dev/null)" || return 1
  grep -qF "$dir/spark-home/jars/" <<< "$cmdline" && grep -qF " org.apache.spark.deploy." <<< "$cmdline"
}

# The master's JSON status page (http://127.0.0.1:PORT/json/), with bash's /dev/tcp so that no HTTP client is
# needed; empty while the master is not listening.
master_status() { # webui_port
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
  printf 'GET /json/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  # bounded: something on the port that accepts but never answers must not hang start.sh
  timeout 5 cat <&3 || true
  exec 3<&-
}

# True when something accepts connections on 127.0.0.1:PORT (also a listener on 0.0.0.0 or [::]).
port_taken() { # port
  { exec 4<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  exec 4<&-
  return 0
}
